"""prepared cards: pre-printed numbered welcome cards for the offline café desk

Revision ID: 7c0ffe1ca4d5
Revises: 5c1e7a9b2d40
Create Date: 2026-12-07 00:40:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "7c0ffe1ca4d5"
down_revision = "5c1e7a9b2d40"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "prepared_cards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_by_id", sa.Integer(), nullable=True),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_prepared_cards_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["used_by_id"],
            ["users.id"],
            name=op.f("fk_prepared_cards_used_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prepared_cards")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_prepared_cards_code_hash")),
        sa.UniqueConstraint("number", name=op.f("uq_prepared_cards_number")),
    )


def downgrade():
    op.drop_table("prepared_cards")
