"""API keys bound to a role and a subject; stored as SHA-256 hashes; checked on every protected call.

The key store (here) is storage; `matcher keys …` (the CLI) and `/api/admin/keys` (the API) both drive it.

Roles (see README "HTTP API"):
- trainee  — subject = the trainee's id: own profile, own jobs/gap, own contact requests;
- employer — subject = the employer name as written in its postings: own postings, consenting candidates;
- trainer  — subject = the training provider name: own courses, aggregates, gap analysis for any trainee;
- office   — 人社 staff (subject = office name): aggregates, any course, trainee registration, audit log;
- admin    — operators: everything above except a trainee's own consent decisions, plus imports,
             index rebuild and key management.

A secret looks like `cqm_<key_id>_<random>`; the database keeps `sha256(secret)` only, so a leaked
database does not leak usable keys. Keys are high-entropy random strings, which is why a plain
(unsalted, fast) hash is enough here — unlike passwords.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select, update

from matcher.storage.store import Store
from matcher.storage.tables import ApiKeyRow, iso, rowcount, utcnow

ROLES = ("trainee", "employer", "trainer", "office", "admin")
KEY_PREFIX = "cqm_"
CACHE_SECONDS = 5.0  # a verified key is trusted this long per process (revocation by this process is immediate)


@dataclass(frozen=True)
class Principal:
    role: str
    subject: str
    key_id: str

    @property
    def actor(self) -> str:
        """How the audit log names this caller."""
        return f"{self.role}:{self.subject}"


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class KeyStore:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._cache: dict[str, tuple[float, Principal | None]] = {}
        self._cache_lock = threading.Lock()

    def create(self, role: str, subject: str, label: str | None = None) -> tuple[dict, str]:
        """A new key; returns (its public description, the secret — shown this once)."""
        if role not in ROLES:
            raise ValueError(f"未知角色 {role!r}；可选：{', '.join(ROLES)}")
        subject = (subject or "").strip()
        if not subject:
            raise ValueError("subject 不能为空")
        key_id = secrets.token_hex(4)
        secret = f"{KEY_PREFIX}{key_id}_{secrets.token_urlsafe(24)}"
        row = ApiKeyRow(key_id=key_id, key_hash=hash_secret(secret), role=role, subject=subject, label=label)
        with self.store.session() as s, s.begin():
            s.add(row)
        return _describe(row), secret

    def verify(self, secret: str) -> Principal | None:
        if not secret or not secret.startswith(KEY_PREFIX) or len(secret) > 200:
            return None
        digest = hash_secret(secret)
        now = time.monotonic()
        with self._cache_lock:
            hit = self._cache.get(digest)
        if hit is not None and now - hit[0] < CACHE_SECONDS:
            return hit[1]
        with self.store.session() as s:
            row = s.execute(select(ApiKeyRow).where(ApiKeyRow.key_hash == digest)).scalar_one_or_none()
        principal = None
        if row is not None and row.revoked_at is None and secrets.compare_digest(row.key_hash, digest):
            principal = Principal(row.role, row.subject, row.key_id)
        with self._cache_lock:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[digest] = (now, principal)
        return principal

    def list(self, offset: int = 0, limit: int = 100, role: str | None = None) -> list[dict]:
        with self.store.session() as s:
            q = select(ApiKeyRow).order_by(ApiKeyRow.created_at, ApiKeyRow.key_id)
            if role:
                q = q.where(ApiKeyRow.role == role)
            return [_describe(r) for r in s.execute(q.offset(offset).limit(limit)).scalars()]

    def revoke_subject(self, role: str, subject: str) -> int:
        """Revoke every live key of a subject (a deleted trainee's keys die with the record)."""
        with self.store.session() as s, s.begin():
            n = rowcount(
                s.execute(
                    update(ApiKeyRow)
                    .where(ApiKeyRow.role == role, ApiKeyRow.subject == subject, ApiKeyRow.revoked_at.is_(None))
                    .values(revoked_at=utcnow())
                )
            )
        with self._cache_lock:
            self._cache.clear()
        return n

    def revoke(self, key_id: str) -> bool:
        with self.store.session() as s, s.begin():
            done = (
                rowcount(
                    s.execute(
                        update(ApiKeyRow)
                        .where(ApiKeyRow.key_id == key_id, ApiKeyRow.revoked_at.is_(None))
                        .values(revoked_at=utcnow())
                    )
                )
                > 0
            )
        with self._cache_lock:
            self._cache.clear()
        return done


def _describe(row: ApiKeyRow) -> dict:
    return {
        "key_id": row.key_id,
        "role": row.role,
        "subject": row.subject,
        "label": row.label,
        "created_at": iso(row.created_at),
        "revoked_at": iso(row.revoked_at),
    }


def demo_subjects(store: Store) -> list[tuple[str, str]]:
    """(role, subject) pairs that fit the data in the store: a consenting trainee, an employer with open
    postings, the course provider with the most enrolled trainees, the office and an admin."""
    trainee = next((p["id"] for p in store.profiles() if p.get("consent_employer_search")), "T000001")
    employer = next(
        (p["employer"] for p in store.payloads("postings") if p.get("status", "open") == "open"),
        "重庆示例物业服务有限公司",
    )
    # the provider with the most enrolled trainees: a trainer sees its own courses' trainees only
    provider_of: dict[str, str] = {c["id"]: c["provider"] for c in store.payloads("courses")}
    enrolled = Counter(
        p for r in store.payloads("training_records") if (p := provider_of.get(r["course_id"])) is not None
    )
    provider = (
        enrolled.most_common(1)[0][0] if enrolled else next(iter(provider_of.values()), "重庆示例职业技能培训学校")
    )
    return [
        ("trainee", trainee),
        ("employer", employer),
        ("trainer", provider),
        ("office", "重庆市人社局就业办"),
        ("admin", "ops"),
    ]
