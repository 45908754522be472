"""The record store: SQLAlchemy 2 over SQLite (WAL) by default, any SQLAlchemy URL (PostgreSQL) later.

Each record kind has one table holding the validated contract record as JSON plus a few indexed columns
for filtering. Trainees keep their personal and protected fields in a separate column that ranking code
never loads (`Store.profiles`), so "protected attributes never influence ranking" holds by construction.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CursorResult,
    Date,
    DateTime,
    Integer,
    Select,
    String,
    Text,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from matcher.domain.schema import KINDS, Course, Placement, Posting, StoredRecord, Trainee, TrainingRecord

log = logging.getLogger(__name__)


class Base(DeclarativeBase):
    pass


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class _Common:
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    payload: Mapped[dict] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, onupdate=_now)


class PostingRow(_Common, Base):
    __tablename__ = "postings"
    district: Mapped[str] = mapped_column(String(32), index=True)
    status: Mapped[str] = mapped_column(String(8), index=True)
    employer: Mapped[str] = mapped_column(String(200), index=True)
    salary_min: Mapped[int | None] = mapped_column(Integer, nullable=True)
    posted_at: Mapped[dt.date | None] = mapped_column(Date, nullable=True)


class TraineeRow(_Common, Base):
    __tablename__ = "trainees"
    district: Mapped[str] = mapped_column(String(32), index=True)
    consent_employer_search: Mapped[bool] = mapped_column(Boolean, index=True)
    personal: Mapped[dict] = mapped_column(JSON)


class CourseRow(_Common, Base):
    __tablename__ = "courses"
    district: Mapped[str] = mapped_column(String(32), index=True)
    occupation: Mapped[str] = mapped_column(String(16), index=True)
    start_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)


class TrainingRecordRow(_Common, Base):
    __tablename__ = "training_records"
    trainee_id: Mapped[str] = mapped_column(String(64), index=True)
    course_id: Mapped[str] = mapped_column(String(64), index=True)


class PlacementRow(_Common, Base):
    __tablename__ = "placements"
    trainee_id: Mapped[str] = mapped_column(String(64), index=True)


class AuditRow(Base):
    """Who looked at whom: every employer search and profile view (PIPL)."""

    __tablename__ = "audit_log"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, index=True)
    actor: Mapped[str] = mapped_column(String(100), index=True)
    action: Mapped[str] = mapped_column(String(50))
    subject: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)


TABLES: dict[str, type[_Common]] = {
    "postings": PostingRow,
    "trainees": TraineeRow,
    "courses": CourseRow,
    "training_records": TrainingRecordRow,
    "placements": PlacementRow,
}


def _columns(kind: str, record: StoredRecord) -> dict:
    """The row for a validated record: JSON payload plus the indexed columns."""
    if isinstance(record, Trainee):
        payload = record.profile()
        return {
            "id": record.id,
            "payload": payload,
            "personal": record.personal(),
            "district": record.district,
            "consent_employer_search": record.consent_employer_search,
        }
    row: dict[str, Any] = {"id": record.id, "payload": record.model_dump(mode="json")}
    if isinstance(record, Posting):
        row |= {
            "district": record.district,
            "status": record.status,
            "employer": record.employer,
            "salary_min": record.salary_min,
            "posted_at": record.posted_at,
        }
    elif isinstance(record, Course):
        row |= {"district": record.district, "occupation": record.occupation, "start_date": record.start_date}
    elif isinstance(record, TrainingRecord):
        row |= {"trainee_id": record.trainee_id, "course_id": record.course_id}
    elif isinstance(record, Placement):
        row |= {"trainee_id": record.trainee_id}
    return row


@dataclass
class UpsertResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    def __iadd__(self, other: UpsertResult) -> UpsertResult:
        self.inserted += other.inserted
        self.updated += other.updated
        self.unchanged += other.unchanged
        return self


class Store:
    """Small interface over the database; swap the URL, not the code, to move to PostgreSQL."""

    def __init__(self, url: str) -> None:
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        self.url = url
        self.engine = create_engine(url, future=True)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        from matcher.storage.migrate import upgrade  # (imports the service tables, which import this module)

        upgrade(self.engine)  # records + the service's tables, at the newest revision (Alembic)
        self._session = sessionmaker(self.engine, expire_on_commit=False)

    @classmethod
    def from_settings(cls, settings=None) -> Store:
        from matcher.config import get_settings

        return cls((settings or get_settings()).db_url)

    def session(self) -> Session:
        return self._session()

    # --- writes -------------------------------------------------------------------------------
    def upsert(self, kind: str, records: Sequence[StoredRecord]) -> UpsertResult:
        """Insert new ids, update changed ones, leave identical ones alone (idempotent re-import)."""
        table = TABLES[kind]
        result = UpsertResult()
        rows = {r.id: _columns(kind, r) for r in records}  # last one wins within a batch
        with self.session() as s, s.begin():
            ids = list(rows)
            existing: dict[str, tuple] = {}
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                cols = [table.id, table.payload] + ([TraineeRow.personal] if table is TraineeRow else [])
                for found in s.execute(select(*cols).where(table.id.in_(chunk))):
                    existing[found[0]] = tuple(found[1:])
            new = [r for i, r in rows.items() if i not in existing]
            changed = [r for i, r in rows.items() if i in existing and _comparable(r) != existing[i]]
            if new:
                s.execute(insert(table), new)
            if changed:
                s.execute(update(table), [r | {"updated_at": _now()} for r in changed])
            # A repeated id inside one batch counts as an update of the first occurrence.
            result.inserted, result.updated = len(new), len(changed) + len(records) - len(rows)
            result.unchanged = len(rows) - len(new) - len(changed)
        return result

    def delete(self, kind: str, record_id: str) -> bool:
        table = TABLES[kind]
        with self.session() as s, s.begin():
            result: CursorResult[Any] = s.execute(delete(table).where(table.id == record_id))  # type: ignore[assignment]  # a DML execute returns a CursorResult; the stub says Result
            return result.rowcount > 0

    def audit(self, actor: str, action: str, subject: str | None = None, detail: str | None = None) -> None:
        with self.session() as s, s.begin():
            s.add(AuditRow(actor=actor, action=action, subject=subject, detail=detail))

    # --- reads --------------------------------------------------------------------------------
    def get(self, kind: str, record_id: str) -> StoredRecord | None:
        table = TABLES[kind]
        with self.session() as s:
            row = s.get(table, record_id)
            return _to_record(kind, row) if row is not None else None

    def get_many(self, kind: str, record_ids: Iterable[str]) -> dict[str, StoredRecord]:
        """The records with these ids that exist, in one query (a result page's candidates)."""
        table, ids = TABLES[kind], list(record_ids)
        if not ids:
            return {}
        with self.session() as s:
            return {
                row.id: _to_record(kind, row) for row in s.execute(select(table).where(table.id.in_(ids))).scalars()
            }

    def iter(self, kind: str, batch: int = 2000) -> Iterator[StoredRecord]:
        """Every record of a kind, validated back into its contract model (personal fields included)."""
        table = TABLES[kind]
        with self.session() as s:
            for row in s.execute(select(table).order_by(table.id).execution_options(yield_per=batch)).scalars():
                yield _to_record(kind, row)

    def payloads(self, kind: str) -> Iterator[dict]:
        """Raw JSON payloads, fast; for trainees this is the profile only (no personal data)."""
        table = TABLES[kind]
        with self.session() as s:
            yield from s.execute(select(table.payload).order_by(table.id).execution_options(yield_per=2000)).scalars()

    def profiles(self) -> Iterator[dict]:
        """Trainee profiles for ranking: personal and protected fields are not even loaded."""
        return self.payloads("trainees")

    def enrolled_with(self, provider: str) -> Select[Any]:
        """SELECT of the trainee ids with a training record in one of `provider`'s courses: what a
        training provider may look at individually (minimal data: its own trainees, aggregates otherwise)."""
        courses = select(CourseRow.id).where(CourseRow.payload["provider"].as_string() == provider)
        return select(TrainingRecordRow.trainee_id).where(TrainingRecordRow.course_id.in_(courses)).distinct()

    def is_enrolled_with(self, provider: str, trainee_id: str) -> bool:
        with self.session() as s:
            query = self.enrolled_with(provider).where(TrainingRecordRow.trainee_id == trainee_id)
            return s.execute(query.limit(1)).first() is not None

    def count(self, kind: str) -> int:
        table = TABLES[kind]
        with self.session() as s:
            return s.scalar(select(func.count()).select_from(table)) or 0

    def counts(self) -> dict[str, int]:
        return {kind: self.count(kind) for kind in TABLES}


def _comparable(row: dict) -> tuple:
    return (row["payload"], row["personal"]) if "personal" in row else (row["payload"],)


def _to_record(kind: str, row: _Common) -> StoredRecord:
    data = dict(row.payload)
    if isinstance(row, TraineeRow):
        data |= {k: v for k, v in row.personal.items() if v is not None}
    return KINDS[kind].model_validate(data)


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")  # readers never block the writer; survives restarts
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def chunked(items: Iterable, size: int) -> Iterator[list]:
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
