"""Keep several API worker processes (uvicorn --workers N) in step: a change feed in the database.

Each worker holds its own in-memory world and indexes (Engine). A worker that writes (store → its own
world/indexes) also appends (kind, id, op) to `change_log`. Before serving anything that reads the world,
every worker compares the newest sequence number with the last one it applied (one indexed SQL query)
and, if others wrote meanwhile, re-reads those records from the store and applies them (`Engine.refresh`).
So a write acknowledged by one worker is visible to the next request on any worker. With one worker
(what `matcher serve` runs) the check finds only its own entries and costs one small query.

The last sequence number is read *before* the engine loads the store at start-up, so nothing written in
between is missed (re-applying a record that is already current is harmless).
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Iterable

from sqlalchemy import func, insert, select

from matcher.service.engine import Engine
from matcher.storage.store import Store
from matcher.storage.tables import ChangeRow, utcnow

log = logging.getLogger("matcher.service.sync")


class ChangeFeed:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.origin = uuid.uuid4().hex[:16]
        self.seen = self.latest()
        self._lock = threading.Lock()

    def latest(self) -> int:
        with self.store.session() as s:
            return s.scalar(select(func.max(ChangeRow.seq))) or 0

    def record(self, kind: str, ids: Iterable[str], op: str) -> None:
        rows = [{"kind": kind, "record_id": i, "op": op, "origin": self.origin, "at": utcnow()} for i in ids]
        if rows:
            with self.store.session() as s, s.begin():
                s.execute(insert(ChangeRow), rows)

    def catch_up(self, engine: Engine) -> int:
        """Apply other workers' changes since the last call; returns how many records were refreshed."""
        latest = self.latest()
        if latest <= self.seen:
            return 0
        with self._lock:
            if latest <= self.seen:
                return 0
            with self.store.session() as s:
                rows = s.execute(
                    select(ChangeRow.kind, ChangeRow.record_id, ChangeRow.origin)
                    .where(ChangeRow.seq > self.seen, ChangeRow.seq <= latest)
                    .order_by(ChangeRow.seq)
                ).all()
            touched: dict[str, dict[str, None]] = {}
            for kind, record_id, origin in rows:
                if origin != self.origin:
                    touched.setdefault(kind, {})[record_id] = None
            n = 0
            for kind, ids in touched.items():
                records = {i: self.store.get(kind, i) for i in ids}  # the current state wins
                engine.refresh(
                    kind, [r for r in records.values() if r is not None], [i for i, r in records.items() if r is None]
                )
                n += len(records)
            self.seen = latest
            if n:
                log.info("applied %d change(s) from other workers", n)
            return n
