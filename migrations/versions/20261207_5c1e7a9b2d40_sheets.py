"""sheets: éco-gestes and « Lancer un projet » sheets, projects launched from them, the sheet of
the month; the sheets are seeded from coopere/sheets/data

Revision ID: 5c1e7a9b2d40
Revises: a47c41d9cbaf
Create Date: 2026-12-07 00:30:00

"""

from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "5c1e7a9b2d40"
down_revision = "a47c41d9cbaf"
branch_labels = None
depends_on = None


def upgrade():
    sheets = op.create_table(
        "sheets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("family", sa.String(length=8), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("theme", sa.String(length=40), server_default="", nullable=False),
        sa.Column("content", sa.JSON(), server_default=sa.text("'{}'"), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("family IN ('eco', 'project')", name=op.f("ck_sheets_family_known")),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_sheets_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sheets")),
        sa.UniqueConstraint("slug", name=op.f("uq_sheets_slug")),
    )
    op.create_table(
        "sheet_launches",
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("sheet_slug", sa.String(length=80), nullable=False),
        sa.Column("sheet_title", sa.String(length=120), nullable=False),
        sa.Column("launched_at", sa.DateTime(), nullable=False),
        sa.Column("launched_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["launched_by_id"],
            ["users.id"],
            name=op.f("fk_sheet_launches_launched_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["listing_id"],
            ["listings.id"],
            name=op.f("fk_sheet_launches_listing_id_listings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("listing_id", name=op.f("pk_sheet_launches")),
    )
    with op.batch_alter_table("sheet_launches", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sheet_launches_sheet_slug"), ["sheet_slug"], unique=False
        )
    op.create_table(
        "sheet_of_month",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("sheet_slug", sa.String(length=80), nullable=False),
        sa.Column("chosen_by_id", sa.Integer(), nullable=True),
        sa.Column("chosen_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["chosen_by_id"],
            ["users.id"],
            name=op.f("fk_sheet_of_month_chosen_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("month", name=op.f("pk_sheet_of_month")),
    )

    # The sheets written with the package (French and English), for the group to edit.
    from coopere.sheets.library import seed_rows

    now = datetime.now(timezone.utc).replace(tzinfo=None)
    op.bulk_insert(
        sheets,
        [{**row, "retired": False, "created_at": now, "updated_at": now} for row in seed_rows()],
    )


def downgrade():
    op.drop_table("sheet_of_month")
    with op.batch_alter_table("sheet_launches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sheet_launches_sheet_slug"))
    op.drop_table("sheet_launches")
    op.drop_table("sheets")
