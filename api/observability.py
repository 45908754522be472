"""Request ids, structured JSON logs, Prometheus metrics and request-size limits (one ASGI middleware).

- `X-Request-ID`: echoed when the client sends a sane one (≤128 of [A-Za-z0-9._:-]), else generated;
  present on every response and in every log line written while the request runs.
- Logs: one JSON object per line on stderr (`api.access` per request: method, route template, status,
  duration, role — never the query string or body, which may carry personal data).
- Metrics (`GET /metrics`, Prometheus text): request counts and latency histograms per route template,
  requests in flight, records per index and in the in-memory world, engine readiness. Per process:
  with several uvicorn workers each reports its own (see README).
- Bodies above the limit (1 MB; 50 MB for `/api/import/…`) get a 413 before they are read.
"""

from __future__ import annotations

import asyncio
import contextvars
import datetime as dt
import json
import logging
import re
import sys
import time
import uuid
from collections.abc import Callable

from fastapi import HTTPException
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, disable_created_metrics
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from matcher.config import Settings

BODY_CHUNK_SECONDS = 30.0  # default longest wait for the next chunk of a request body (MATCHER_BODY_TIMEOUT_SECONDS)

REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
_RID_OK = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")
MAX_BODY = 1_000_000
MAX_IMPORT_BODY = 50_000_000
LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.02, 0.035, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

access_log = logging.getLogger("api.access")
disable_created_metrics()  # no *_created series: they double the exposition for no use here


class _JsonHandler(logging.StreamHandler):
    """The handler this module installs (recognised so that a second app in one process adds no other)."""


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        rid = getattr(record, "request_id", None) or REQUEST_ID.get()
        if rid:
            data["request_id"] = rid
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            data.update(fields)
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False, default=str)


def configure_logging(settings: Settings) -> None:
    """JSON lines on stderr for the service's loggers (idempotent). Level: MATCHER_LOG_LEVEL (INFO);
    MATCHER_JSON_LOGS=0 leaves logging configuration alone (e.g. to use your own handlers)."""
    if not settings.json_logs:
        return
    level = settings.log_level.upper()
    for name in ("api", "matcher", "indexes", "models"):
        logger = logging.getLogger(name)
        if not any(isinstance(h, _JsonHandler) for h in logger.handlers):
            handler = _JsonHandler(sys.stderr)
            handler.setFormatter(JsonFormatter())
            logger.addHandler(handler)
        logger.setLevel(level)
        logger.propagate = False
    # Our access log replaces uvicorn's plain-text one (same facts, plus request id and role).
    logging.getLogger("uvicorn.access").disabled = True


class Metrics:
    """A registry per app (tests create many apps in one process)."""

    def __init__(self, engine_getter: Callable[[], object]) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "matcher_http_requests_total",
            "HTTP requests by method, route template and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "matcher_http_request_duration_seconds",
            "HTTP request latency (seconds)",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.in_flight = Gauge("matcher_http_requests_in_flight", "HTTP requests being served", registry=self.registry)
        self.registry.register(_EngineCollector(engine_getter))

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)


class _EngineCollector:
    def __init__(self, engine_getter: Callable[[], object]) -> None:
        self.engine_getter = engine_getter

    def describe(self):
        return []

    def collect(self):
        engine = self.engine_getter()
        ready = GaugeMetricFamily("matcher_engine_ready", "1 when indexes are loaded and queries are served")
        ready.add_metric([], 1.0 if engine is not None else 0.0)
        yield ready
        if engine is None:
            return
        index = GaugeMetricFamily("matcher_index_records", "Vectors in each dense index", labels=["kind"])
        for kind, n in engine.counts().items():
            index.add_metric([kind], float(n))
        yield index
        world = GaugeMetricFamily("matcher_world_records", "Records in the in-memory world", labels=["kind"])
        w = engine.world
        for kind, n in (("postings", len(w.postings)), ("trainees", len(w.trainees)), ("courses", len(w.courses))):
            world.add_metric([kind], float(n))
        yield world
        rw = engine.rw
        held = CounterMetricFamily(
            "matcher_write_lock_held_seconds", "Time writers held the engine's write lock (readers wait meanwhile)"
        )
        held.add_metric([], rw.write_seconds_total)
        yield held
        writes = CounterMetricFamily("matcher_write_lock_writes", "Write-lock acquisitions")
        writes.add_metric([], float(rw.writes))
        yield writes
        longest = GaugeMetricFamily("matcher_write_lock_held_max_seconds", "Longest single hold of the write lock")
        longest.add_metric([], rw.write_seconds_max)
        yield longest


def _header(scope: dict, name: bytes) -> str | None:
    for key, value in scope.get("headers") or ():
        if key == name:
            return value.decode("latin-1")
    return None


class ObservabilityMiddleware:
    """Pure ASGI (no per-request task switching, unlike BaseHTTPMiddleware)."""

    def __init__(self, app, metrics: Metrics, body_timeout: float = BODY_CHUNK_SECONDS) -> None:
        self.app = app
        self.metrics = metrics
        self.body_timeout = body_timeout

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = _header(scope, b"x-request-id")
        rid = incoming if incoming and _RID_OK.match(incoming) else uuid.uuid4().hex
        token = REQUEST_ID.set(rid)
        scope.setdefault("state", {})["request_id"] = rid  # for the 500 handler, which runs outside this context
        started = time.perf_counter()
        status = [500]
        limit = MAX_IMPORT_BODY if scope.get("path", "").startswith("/api/import/") else MAX_BODY
        rid_header = (b"x-request-id", rid.encode("latin-1"))

        async def send_wrapper(message):
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                message["headers"] = [*message.get("headers", []), rid_header]
            await send(message)

        received = [0]

        async def receive_wrapper():
            try:  # a client trickling its body must not hold a worker: each chunk within body_timeout
                message = await asyncio.wait_for(receive(), timeout=self.body_timeout)
            except asyncio.TimeoutError as exc:
                raise HTTPException(408, detail="请求体发送超时 / request body timed out") from exc
            if message["type"] == "http.request":
                received[0] += len(message.get("body", b""))
                if received[0] > limit:
                    raise HTTPException(413, detail=f"请求体过大（上限 {limit:,} 字节）/ request body too large")
            return message

        self.metrics.in_flight.inc()
        try:
            length = _header(scope, b"content-length")
            if length is not None and length.isdigit() and int(length) > limit:
                await _send_json(
                    send_wrapper, 413, {"detail": f"请求体过大（上限 {limit:,} 字节）/ request body too large"}
                )
            else:
                await self.app(scope, receive_wrapper, send_wrapper)
        finally:
            elapsed = time.perf_counter() - started
            self.metrics.in_flight.dec()
            route = scope.get("route")
            template = getattr(route, "path", None) or "<unmatched>"
            self.metrics.observe(scope["method"], template, status[0], elapsed)
            principal = (scope.get("state") or {}).get("principal")
            access_log.info(
                "%s %s %d",
                scope["method"],
                template,
                status[0],
                extra={
                    "fields": {
                        "request_id": rid,
                        "method": scope["method"],
                        "route": template,
                        "path": scope.get("path"),
                        "status": status[0],
                        "duration_ms": round(elapsed * 1000, 2),
                        "role": getattr(principal, "role", None),
                        "key_id": getattr(principal, "key_id", None),
                    }
                },
            )
            REQUEST_ID.reset(token)


async def _send_json(send, status: int, body: dict) -> None:
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": data})


# The page and the API: scripts, styles and data from this origin only (ECharts' SVG needs inline styles),
# no framing, no MIME sniffing, no referrer. /docs runs Swagger UI's one inline start-up script.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
DOCS_CSP = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"}


class SecurityHeadersMiddleware:
    """Pure ASGI (no body buffering): adds the security headers to every HTTP response."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = DOCS_CSP if scope.get("path") == "/docs" else CSP

        async def with_headers(message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                for name, value in (*SECURITY_HEADERS.items(), ("Content-Security-Policy", csp)):
                    if name.lower().encode() not in present:
                        headers.append((name.lower().encode(), value.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
