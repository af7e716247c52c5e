"""Stack item cost may be unknown: no system price where MIP is needed and missing.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 12:48:03.811091
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# SQLite rebuilds the table; keep it clustered by its key (WITHOUT ROWID) as 0001 made it.
KEEP = {"table_kwargs": {"sqlite_with_rowid": False}}


def upgrade() -> None:
    with op.batch_alter_table("stack_item_result", schema=None, **KEEP) as batch_op:
        batch_op.alter_column("tlm_adjusted_cost", existing_type=sa.FLOAT(), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("stack_item_result", schema=None, **KEEP) as batch_op:
        batch_op.alter_column("tlm_adjusted_cost", existing_type=sa.FLOAT(), nullable=False)
