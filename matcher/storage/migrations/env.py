"""Alembic environment: the records' tables and the service's own tables, on the connection the caller
passes (`matcher.storage.migrate`); there is no alembic.ini and no URL here."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from matcher.storage.store import Base
from matcher.storage.tables import ApiBase

TARGET = [Base.metadata, ApiBase.metadata]
PG_LOCK = 7_274_201  # one advisory lock id: workers starting together migrate one at a time

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=TARGET,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copy
    compare_type=True,
)
with context.begin_transaction():
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"SELECT pg_advisory_xact_lock({PG_LOCK})"))
    context.run_migrations()
