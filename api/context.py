"""What every request needs: settings, store, engine, keys, contact requests, metrics — and the role checks."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from api.observability import REQUEST_ID, Metrics
from matcher.config import Settings
from matcher.domain.errors import Conflict, Forbidden, NotReady
from matcher.service.engine import Engine
from matcher.service.sync import ChangeFeed
from matcher.storage.contacts import ContactRequests
from matcher.storage.keys import KeyStore, Principal
from matcher.storage.store import Store

log = logging.getLogger("api")


class AppContext:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store = Store.from_settings(settings)
        self.keys = KeyStore(self.store)
        self.contacts = ContactRequests(self.store)
        self.feed = ChangeFeed(self.store)  # before the engine loads the store: nothing is missed
        self.engine: Engine | None = None
        self.engine_error: str | None = None
        self.metrics = Metrics(lambda: self.engine)
        self.create_lock = threading.Lock()  # "create" = check that the id is free, then write
        self.rebuild_state: dict = {"state": "idle"}
        self._rebuild_lock = threading.Lock()
        self._local = threading.local()

    def require_engine(self) -> Engine:
        """The engine, brought up to date with writes made by other worker processes (once per request)."""
        engine = self.engine
        if engine is None:
            raise NotReady(self.engine_error or "索引尚未加载 / indexes not loaded yet")
        rid = REQUEST_ID.get()
        if not getattr(self._local, "reading", 0) and (rid is None or getattr(self._local, "synced", None) != rid):
            self.feed.catch_up(engine)
            self._local.synced = rid
        return engine

    @contextmanager
    def reading(self) -> Iterator[Engine]:
        """Read the world consistently (no write can interleave): `with ctx.reading() as engine:`."""
        engine = self.require_engine()
        self._local.reading = getattr(self._local, "reading", 0) + 1
        try:
            with engine.reading():
                yield engine
        finally:
            self._local.reading -= 1

    def changed(self, kind: str, ids: list[str], op: str = "upsert") -> None:
        """Tell the other worker processes (see matcher/service/sync.py)."""
        self.feed.record(kind, ids, op)

    def audit(self, principal: Principal | None, action: str, subject: str | None, detail: str | None = None) -> None:
        self.store.audit(principal.actor if principal else "anonymous", action, subject, detail)

    # --- background index rebuild ---------------------------------------------------------------
    def start_rebuild(self, actor: str) -> dict:
        engine = self.require_engine()
        with self._rebuild_lock:
            if self.rebuild_state.get("state") == "running":
                raise Conflict("索引正在重建中 / a rebuild is already running")
            self.rebuild_state = {"state": "running", "started_at": _now(), "requested_by": actor}
        threading.Thread(target=self._rebuild, args=(engine,), name="index-rebuild", daemon=True).start()
        return dict(self.rebuild_state)

    def _rebuild(self, engine: Engine) -> None:
        started = time.perf_counter()
        try:
            summary = engine.rebuild()
            state = {"state": "done", "summary": summary}
        except Exception as exc:  # reported on GET /api/admin/rebuild, service keeps the old indexes
            log.error("index rebuild failed: %s\n%s", exc, traceback.format_exc())
            state = {"state": "failed", "error": str(exc)}
        with self._rebuild_lock:
            self.rebuild_state = {
                **self.rebuild_state,
                **state,
                "finished_at": _now(),
                "seconds": round(time.perf_counter() - started, 2),
            }


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def get_ctx(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="`Authorization: Bearer <API 密钥>`（由 `matcher keys create` 或管理员接口签发）",
)
header_scheme = APIKeyHeader(
    name="X-API-Key", auto_error=False, scheme_name="apiKey", description="或 `X-API-Key: <API 密钥>`"
)


def optional_principal(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)],
    header: Annotated[str | None, Security(header_scheme)],
) -> Principal | None:
    """The caller, or None when no key was sent; a key that was sent but is wrong is a 401."""
    secret = bearer.credentials if bearer is not None else header
    if secret is None:
        return None
    principal = get_ctx(request).keys.verify(secret.strip())
    if principal is None:
        raise HTTPException(
            401, detail="API 密钥无效或已吊销 / invalid or revoked API key", headers={"WWW-Authenticate": "Bearer"}
        )
    request.state.principal = principal
    return principal


def require(*roles: str):
    """Dependency: a valid key whose role is one of `roles` (401 without a key, 403 with another role)."""

    def dependency(principal: Annotated[Principal | None, Depends(optional_principal)]) -> Principal:
        if principal is None:
            raise HTTPException(
                401,
                detail="需要 API 密钥 / API key required (Authorization: Bearer <key>)",
                headers={"WWW-Authenticate": "Bearer"},
            )
        if principal.role not in roles:
            raise Forbidden(
                f"角色 {principal.role} 无权访问此接口 / role not allowed (需要 / requires: {', '.join(roles)})"
            )
        return principal

    return dependency


def forbid(message: str) -> Forbidden:
    return Forbidden(message)


def check_trainee_access(ctx: AppContext, principal: Principal, trainee_id: str, others: tuple[str, ...]) -> None:
    """A trainee may act on their own id only, a trainer (when in `others`) on the trainees of its own
    courses only (a training record in one of them); other roles need to be in `others`."""
    if principal.role == "trainee":
        if principal.subject != trainee_id:
            raise forbid("学员只能访问自己的信息 / trainees may access only their own profile")
    elif principal.role not in others:
        raise forbid(f"角色 {principal.role} 无权访问学员信息 / role not allowed")
    elif principal.role == "trainer" and not ctx.store.is_enrolled_with(principal.subject, trainee_id):
        raise forbid(
            "培训机构只能查看参加本机构课程的学员；其他学员请看汇总统计 / "
            "trainers may access only trainees enrolled in their own courses"
        )


def check_posting_owner(principal: Principal, employer: str) -> None:
    """Employers act only on postings whose `employer` is their key's subject; office/admin on any."""
    if principal.role == "employer" and principal.subject != employer:
        raise forbid("只能操作本单位发布的岗位 / employers may act only on their own postings")


def check_course_owner(principal: Principal, provider: str) -> None:
    if principal.role == "trainer" and principal.subject != provider:
        raise forbid("只能操作本机构的课程 / trainers may act only on their own provider's courses")
