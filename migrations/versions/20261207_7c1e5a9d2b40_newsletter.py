"""newsletter: issues, outbox HTML bodies and per-recipient keys, newsletter print runs

Revision ID: 7c1e5a9d2b40
Revises: 7c0ffe1ca4d5
Create Date: 2026-12-07 00:50:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "7c1e5a9d2b40"
down_revision = "7c0ffe1ca4d5"
branch_labels = None
depends_on = None

KINDS_BEFORE = "kind IN ('letters', 'poster', 'flyers_a5', 'flyers_a6')"
KINDS_AFTER = "kind IN ('letters', 'poster', 'flyers_a5', 'flyers_a6', 'newsletter')"


def upgrade():
    op.create_table(
        "newsletter_issues",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("blocks_json", sa.Text(), nullable=False),
        sa.Column("public", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.Column("sending_started_at", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("emails_queued", sa.Integer(), nullable=False),
        sa.Column("test_sent_at", sa.DateTime(), nullable=True),
        sa.Column("print_run_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('draft', 'published')", name=op.f("ck_newsletter_issues_status_known")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_newsletter_issues_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["print_run_id"],
            ["print_runs.id"],
            name=op.f("fk_newsletter_issues_print_run_id_print_runs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_newsletter_issues")),
    )
    with op.batch_alter_table("outbox_emails", schema=None) as batch_op:
        batch_op.add_column(sa.Column("html_body", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("key", sa.String(length=80), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_outbox_emails_key"), ["key"])
    with op.batch_alter_table("print_runs", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_print_runs_kind_known"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_print_runs_kind_known"), KINDS_AFTER)


def downgrade():
    op.execute("DELETE FROM print_runs WHERE kind = 'newsletter'")
    with op.batch_alter_table("print_runs", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_print_runs_kind_known"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_print_runs_kind_known"), KINDS_BEFORE)
    with op.batch_alter_table("outbox_emails", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_outbox_emails_key"), type_="unique")
        batch_op.drop_column("key")
        batch_op.drop_column("html_body")
    op.drop_table("newsletter_issues")
