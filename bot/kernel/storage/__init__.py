"""Storage: SQLAlchemy 2 models and the database connection; Alembic manages the schema."""
