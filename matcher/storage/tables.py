"""The service's own tables beside the records (same database): API keys, contact requests, the change log.

They live beside the store's tables (same SQLAlchemy engine, so SQLite or PostgreSQL alike) but in their own
metadata: the records' schema (`matcher.storage.store`) stays the data contract. Migrations create both
(`matcher.storage.migrate`, run by every Store).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import CursorResult, DateTime, Integer, Result, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class ApiBase(DeclarativeBase):
    pass


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def rowcount(result: Result[Any]) -> int:
    """Rows an UPDATE/DELETE touched (`Session.execute` is typed as returning any Result)."""
    return cast(CursorResult[Any], result).rowcount


def iso(value: dt.datetime | None) -> str | None:
    """A stored time as the API shows it (ISO 8601), None when unset."""
    return value.isoformat() if value else None


class ApiKeyRow(ApiBase):
    """One API key: only its SHA-256 is stored; the secret is shown once, at creation."""

    __tablename__ = "api_keys"
    key_id: Mapped[str] = mapped_column(String(16), primary_key=True)  # public part, also inside the secret
    key_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    role: Mapped[str] = mapped_column(String(16), index=True)
    subject: Mapped[str] = mapped_column(String(200), index=True)
    label: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ContactRequestRow(ApiBase):
    """An employer asks a consenting candidate for contact; the contact is released only on accept."""

    __tablename__ = "contact_requests"
    __table_args__ = (UniqueConstraint("posting_id", "trainee_id", name="uq_contact_posting_trainee"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    posting_id: Mapped[str] = mapped_column(String(64), index=True)
    trainee_id: Mapped[str] = mapped_column(String(64), index=True)
    employer: Mapped[str] = mapped_column(String(200), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)  # pending | accepted | declined
    message: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ChangeRow(ApiBase):
    """One acknowledged write (kind, id, upsert|delete): how other API worker processes learn about it."""

    __tablename__ = "change_log"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[str] = mapped_column(String(64))
    op: Mapped[str] = mapped_column(String(8))
    origin: Mapped[str] = mapped_column(String(32))  # the worker process that made the change
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
