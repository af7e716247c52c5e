"""The scenario audit trail records the database user and the OS user (issue 21)

scenario_audit gets db_user (the login the server authenticated: PostgreSQL's role, MariaDB's
user@host; '' on SQLite) and os_user (the OS user of the writing process). Entries written
before this revision keep '' in both: who wrote them beyond their author is not known.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 10:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("scenario_audit") as batch:
        batch.add_column(
            sa.Column("db_user", sa.String(length=200), server_default="", nullable=False)
        )
        batch.add_column(
            sa.Column("os_user", sa.String(length=100), server_default="", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("scenario_audit") as batch:
        batch.drop_column("os_user")
        batch.drop_column("db_user")
