"""The columnar caches are stored uncompressed on PostgreSQL (issue 21)

bm_dataset_cache.payload and run_input_cache.payload get STORAGE EXTERNAL: PostgreSQL keeps the
blob out of line, as before, but no longer compresses it (pglz, by default). A cache of
format 3 is stored narrow already (models/db/dataset_cache.py), and undoing pglz on every read
was a third of the time a GB day's load took to fetch it (10 MB: 4.4 stored, 19 ms to read;
uncompressed 13 ms). The server keeps as many bytes as a SQLite file does. Caches already
stored stay compressed until rewritten (SET STORAGE applies to new values); they read as
before. SQLite and MariaDB have no such setting: nothing changes there.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 20:15:00
"""

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

CACHES = ("bm_dataset_cache", "run_input_cache")


def _set_storage(storage: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in CACHES:
        op.execute(f"ALTER TABLE {table} ALTER COLUMN payload SET STORAGE {storage}")


def upgrade() -> None:
    _set_storage("EXTERNAL")


def downgrade() -> None:
    _set_storage("EXTENDED")  # bytea's default
