"""Schema migrations (Alembic) for both backends: every Store brings its database to the newest revision.

Why Alembic and not `create_all`: a PostgreSQL database outlives the code that created it; a column added
later must reach databases that already hold data. A database made by `create_all` before migrations
existed has the baseline tables but no `alembic_version`: it is stamped at the baseline, then upgraded.
Workers starting together on PostgreSQL take turns (an advisory lock in env.py); on SQLite a worker that
loses the race to create the tables retries and finds them done.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, MetaData, inspect
from sqlalchemy.exc import OperationalError, ProgrammingError

log = logging.getLogger(__name__)

SCRIPTS = Path(__file__).parent / "migrations"
BASELINE = "0001"
_IN_PROCESS = threading.Lock()


def _config(connection: object) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPTS))
    cfg.attributes["connection"] = connection
    return cfg


def current(engine: Engine) -> str | None:
    """The revision the database is at (None: never migrated)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head", attempts: int = 5) -> None:
    with _IN_PROCESS:  # Alembic's `context` is process-global: one migration at a time per process
        for attempt in range(attempts):
            if _try_upgrade(engine, revision, last=attempt == attempts - 1):
                return
            time.sleep(0.2 * (attempt + 1))


def _try_upgrade(engine: Engine, revision: str, last: bool) -> bool:
    try:
        with engine.begin() as conn:
            tables = set(inspect(conn).get_table_names())
            if "postings" in tables and "alembic_version" not in tables:
                command.stamp(_config(conn), BASELINE)  # made by create_all before migrations existed
                log.info("stamped an unversioned database at the baseline revision %s", BASELINE)
            command.upgrade(_config(conn), revision)
        return True
    except (OperationalError, ProgrammingError):  # another process created the same table first
        if last:
            raise
        return False


def pending_changes(engine: Engine) -> list[tuple]:
    """Differences between the models and the database (empty when the migrations are complete)."""
    from matcher.storage.store import Base
    from matcher.storage.tables import ApiBase

    models = MetaData()
    for table in [*Base.metadata.tables.values(), *ApiBase.metadata.tables.values()]:
        table.to_metadata(models)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(ctx, models))
