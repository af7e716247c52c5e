"""Live messages (issue 23): the ids of those written, and the dead letters of those refused

`live_message` holds each written message's id, written in the transaction of its data, so a
redelivery (at-least-once) writes nothing twice; `live_dead_letter` keeps a message that could
not be written, its reason and body, so the stream goes on. New tables only.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 04:47:57.574703
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "live_dead_letter",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("message_id", sa.String(length=200), nullable=True),
        sa.Column("dataset", sa.String(length=16), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_dead_letter")),
    )
    op.create_table(
        "live_message",
        sa.Column("message_id", sa.String(length=200), nullable=False),
        sa.Column("dataset", sa.String(length=16), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("run_ids", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("message_id", name=op.f("pk_live_message")),
    )


def downgrade() -> None:
    op.drop_table("live_message")
    op.drop_table("live_dead_letter")
