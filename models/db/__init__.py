"""Storage: the SQLAlchemy schema, the database (open, create, recover, verify), Alembic
migrations, bulk inserts and the columnar caches of datasets and run inputs."""
