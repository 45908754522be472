"""Storage: the records (SQLAlchemy; SQLite or PostgreSQL), the service's own tables, API keys, contact requests."""
