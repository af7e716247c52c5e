"""Autogenerate an Alembic migration from the difference between models.db.schema and head.

Usage: python tools/new_migration.py "message" REV_ID
"""

import sys
import tempfile
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine

from models.db.database import _alembic_config

message, rev_id = sys.argv[1], sys.argv[2]
config = _alembic_config()
with tempfile.TemporaryDirectory() as folder:
    engine = create_engine(f"sqlite:///{Path(folder) / 'head.sqlite'}")
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
        command.revision(config, message=message, autogenerate=True, rev_id=rev_id)
print(f"Now set SCHEMA_HEAD = {rev_id!r} in models/db/migrations/__init__.py.")
