"""Schema migrations (Alembic) on SQLite and PostgreSQL: a new database, one made before migrations existed,
and several workers opening the same new database at once all end at the newest revision, data intact."""

from __future__ import annotations

import subprocess
import sys
import uuid

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from matcher.domain.schema import Posting
from matcher.storage import migrate
from matcher.storage.store import Base, Store
from matcher.storage.tables import ApiBase
from tests.conftest import ROOT, SMALL_WORLD

HEAD = ScriptDirectory(str(migrate.SCRIPTS)).get_current_head()


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "postgresql":
        return request.getfixturevalue("pg").create_database(f"mig_{uuid.uuid4().hex[:12]}")
    return f"sqlite:///{tmp_path / 'm.db'}"


def test_a_new_database_is_at_the_newest_revision_and_matches_the_models(url):
    store = Store(url)
    assert HEAD is not None and migrate.current(store.engine) == HEAD
    assert migrate.pending_changes(store.engine) == []


def test_a_database_made_before_migrations_is_stamped_and_keeps_its_data(url):
    import json

    engine = create_engine(url)
    Base.metadata.create_all(engine)  # what every Store did before migrations existed
    ApiBase.metadata.create_all(engine)
    engine.dispose()
    posting = Posting.model_validate(json.loads((SMALL_WORLD / "postings.jsonl").read_text("utf-8").splitlines()[0]))
    before = create_engine(url)
    with before.connect() as conn:
        assert "alembic_version" not in conn.dialect.get_table_names(conn)
    before.dispose()
    store = Store(url)
    assert migrate.current(store.engine) == HEAD
    store.upsert("postings", [posting])
    again = Store(url)
    assert again.get("postings", posting.id) is not None and migrate.pending_changes(again.engine) == []


def test_workers_opening_a_new_database_together_all_succeed(url):
    """Four processes (as uvicorn workers start) open the same new database at once."""
    code = "import sys; from matcher.storage.store import Store; Store(sys.argv[1]).count('postings')"
    procs = [subprocess.Popen([sys.executable, "-c", code, url], cwd=ROOT, stderr=subprocess.PIPE) for _ in range(4)]
    failures = [p.stderr.read().decode()[-500:] for p in procs if p.wait(120) != 0]  # type: ignore[union-attr]
    assert not failures, failures
    assert migrate.current(Store(url).engine) == HEAD
