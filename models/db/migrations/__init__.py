"""Alembic migrations of the settlement run database schema."""

# The newest revision under versions/. Opening a database at this revision needs no Alembic
# (see models.db.database); tests/models/test_database.py checks it against Alembic's head, so a
# new migration that forgets to move it fails the tests.
SCHEMA_HEAD = "0014"
