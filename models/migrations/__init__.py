"""Alembic migrations of the settlement run database schema."""
