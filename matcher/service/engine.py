"""The running engine: store + encoder + indexes + in-memory world, and the writes that keep them in step.

Start-up loads the saved indexes and reconciles them with the store (ids added, changed or deleted since
the last build are re-encoded or removed; the embedding cache makes unchanged texts free), so a restart
never serves stale or lost records. Writes go to the store first, then to the world and indexes under
one lock, so a change is visible to the next search. `rebuild()` builds fresh indexes off to the side and
swaps them in atomically, replaying writes that happened meanwhile.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import fasteners
import numpy as np

from indexes import BM25Index, IndexLoadError, VectorIndex
from matcher.config import Settings, get_settings
from matcher.domain.errors import NotReady
from matcher.domain.schema import KINDS, StoredRecord
from matcher.domain.texts import TEXT_OF
from matcher.service.indexing import (
    INDEXED_KINDS,
    QUERY_WARMED_KINDS,
    build_indexes,
    read_text_hashes,
    summary,
    text_hash,
)
from matcher.service.normalise import OccupationNormaliser
from matcher.service.retrieval import IndexRetriever
from matcher.service.world import World, inference_threshold
from matcher.storage.store import Store, UpsertResult
from models import get_encoder

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Prepared:
    """A write's encoded and tokenised texts (keyed by text) and inferred posting occupations."""

    vectors: dict[str, np.ndarray]
    tokens: dict[str, list[str]]
    inferred: list[list[str]] | None


class ReadWriteLock:
    """Many readers or one writer, writers first (a steady read load cannot starve a write): fasteners'
    reader-writer lock, plus how long writes held it.

    The in-memory world is plain dicts and sets; a query iterating them while a write mutates them
    could fail. Concurrent callers (the HTTP API) wrap world-reading flows in `engine.reading()` (re-entrant
    for a thread already reading, even with a writer queued); the engine's own writes take the write side
    *before* `_lock`, so lock order is always rw → _lock. A reader asking to write is an error, not a deadlock.
    """

    def __init__(self) -> None:
        self._lock = fasteners.ReaderWriterLock()
        # how long writers held the lock (every reader waits that long): served on /metrics, read by
        # eval.bench_import_contention — the evidence that no single request holds it for long. Updated
        # under the write lock, so by one thread at a time.
        self.writes = 0
        self.write_seconds_total = 0.0
        self.write_seconds_max = 0.0

    def read(self) -> AbstractContextManager[object]:
        return self._lock.read_lock()

    @contextmanager
    def write(self) -> Iterator[None]:
        with self._lock.write_lock():
            started = time.perf_counter()
            try:
                yield
            finally:
                held = time.perf_counter() - started
                self.writes += 1
                self.write_seconds_total += held
                self.write_seconds_max = max(self.write_seconds_max, held)


class Engine:
    def __init__(self, settings: Settings | None = None, store: Store | None = None) -> None:
        self.settings = settings or get_settings()
        self.store = store or Store.from_settings(self.settings)
        self.encoder = get_encoder(self.settings.encoder, cache_dir=self.settings.cache_dir)
        self._lock = threading.RLock()
        self.rw = ReadWriteLock()  # readers: engine.reading(); writers: upsert/delete/rebuild swap
        self._rebuilding: list[tuple[str, str, dict]] | None = None  # writes during a rebuild
        started = time.perf_counter()
        self.dense, self.lexical, self.hashes = self._load_indexes(self.settings.index_dir)
        self.retriever = IndexRetriever(self.dense, self.lexical)  # what ranking searches (matcher.service.retrieval)
        self.normaliser = OccupationNormaliser(self.encoder)
        self.world = World(self.normaliser, inference_threshold(self.settings.home, self.encoder.id)).load(self.store)
        self._reconcile()
        self.summaries = {
            kind: {p["id"]: summary(kind, p) for p in self.store.payloads(kind)} for kind in INDEXED_KINDS
        }
        # The world holds ~100k long-lived objects per 100k postings; without this, every full (gen-2)
        # garbage collection walks them all and stalls a query for ~300 ms.
        gc.freeze()
        log.info("engine ready in %.1fs: %s", time.perf_counter() - started, self.counts())

    # --- indexes ------------------------------------------------------------------------------
    def _load_indexes(self, index_dir: Path):
        dense, lexical, hashes = {}, {}, {}
        try:
            for kind in INDEXED_KINDS:
                dense[kind] = VectorIndex.load(
                    index_dir / kind / "dense", expect_encoder_id=self.encoder.id, expect_dim=self.encoder.dim
                )
                lexical[kind] = BM25Index.load(index_dir / kind / "lexical")
                hashes[kind] = read_text_hashes(index_dir / kind)
        except (FileNotFoundError, IndexLoadError) as exc:
            raise NotReady(f"索引未就绪：{exc}。请先运行 `matcher index build`。") from exc
        return dense, lexical, hashes

    def _reconcile(self) -> None:
        """Bring loaded indexes in line with the store (writes acknowledged after the last build)."""
        for kind in INDEXED_KINDS:
            payloads = {p["id"]: p for p in self.store.payloads(kind)}
            texts = {i: TEXT_OF[kind](p) for i, p in payloads.items()}
            stale = [i for i, t in texts.items() if self.hashes[kind].get(i) != text_hash(t)]
            gone = [i for i in self.hashes[kind] if i not in payloads]
            if stale or gone:
                log.info("reconciling %s: %d new/changed, %d deleted", kind, len(stale), len(gone))
                self._index_remove(kind, gone)
                self._index_add(kind, stale, [texts[i] for i in stale])

    def _index_add(
        self, kind: str, ids: Sequence[str], texts: Sequence[str], prepared: _Prepared | None = None
    ) -> None:
        if not ids:
            return
        if prepared is None or any(t not in prepared.vectors for t in texts):
            prepared = self._prepare(kind, [{"id": i} for i in ids], list(texts), infer=False)
        self.dense[kind].add(list(ids), np.vstack([prepared.vectors[t] for t in texts]))
        self.lexical[kind].add_tokens(list(ids), [prepared.tokens[t] for t in texts])
        self.hashes[kind].update({i: text_hash(t) for i, t in zip(ids, texts, strict=True)})

    def _prepare(self, kind: str, payloads: list[dict], texts: list[str], infer: bool = True) -> _Prepared:
        """The pure, slow part of a write — encoding, tokenising, title inference — done before the
        write lock, so a reader waits only for the index and world updates themselves."""
        distinct = list(dict.fromkeys(texts))
        vectors = self.encoder.encode(distinct, kind="passage") if distinct else np.zeros((0, 0), np.float32)
        if distinct and kind in QUERY_WARMED_KINDS:
            self.encoder.encode(distinct, kind="query")  # into the embedding cache: see Engine.encode_query
        tokens = self.lexical[kind].tokenize_many(distinct)
        inferred = (
            self.world.infer_occupations([p["title"] for p in payloads]) if infer and kind == "postings" else None
        )
        return _Prepared(dict(zip(distinct, vectors, strict=True)), dict(zip(distinct, tokens, strict=True)), inferred)

    def _index_remove(self, kind: str, ids: Sequence[str]) -> None:
        if not ids:
            return
        self.dense[kind].remove(ids)
        self.lexical[kind].remove(ids)
        for i in ids:
            self.hashes[kind].pop(i, None)

    def reading(self) -> AbstractContextManager[object]:
        """Context manager for concurrent readers of `world` (see ReadWriteLock)."""
        return self.rw.read()

    def counts(self) -> dict[str, int]:
        return {kind: len(self.dense[kind]) for kind in INDEXED_KINDS}

    # --- writes -------------------------------------------------------------------------------
    def upsert(self, kind: str, records: Sequence[StoredRecord]) -> UpsertResult:
        """Store first (durable), then world and indexes: visible to the next query."""
        result = self.store.upsert(kind, records)
        payloads = [_payload(r) for r in records]
        prepared = (
            self._prepare(kind, payloads, [TEXT_OF[kind](p) for p in payloads]) if kind in INDEXED_KINDS else None
        )
        with self.rw.write(), self._lock:
            self._apply(kind, "upsert", payloads, prepared)
            if self._rebuilding is not None:
                self._rebuilding.extend((kind, "upsert", p) for p in payloads)
        return result

    def delete(self, kind: str, record_id: str) -> bool:
        found = self.store.delete(kind, record_id)
        with self.rw.write(), self._lock:
            self._apply(kind, "delete", [{"id": record_id}])
            if self._rebuilding is not None:
                self._rebuilding.append((kind, "delete", {"id": record_id}))
        return found

    def refresh(self, kind: str, upserts: Sequence[StoredRecord] = (), deletes: Sequence[str] = ()) -> None:
        """Apply changes that another process (e.g. another API worker) already wrote to the store:
        world and indexes only, exactly as `upsert` / `delete` would have."""
        payloads = [_payload(r) for r in upserts]
        gone = [{"id": i} for i in deletes]
        prepared = (
            self._prepare(kind, payloads, [TEXT_OF[kind](p) for p in payloads])
            if payloads and kind in INDEXED_KINDS
            else None
        )
        with self.rw.write(), self._lock:
            for op, items in (("upsert", payloads), ("delete", gone)):
                if items:
                    self._apply(kind, op, items, prepared if op == "upsert" else None)
                    if self._rebuilding is not None:
                        self._rebuilding.extend((kind, op, p) for p in items)

    def _apply(self, kind: str, op: str, payloads: list[dict], prepared: _Prepared | None = None) -> None:
        if kind not in INDEXED_KINDS:
            return
        ids = [p["id"] for p in payloads]
        if op == "delete":
            self._index_remove(kind, [i for i in ids if i in self.hashes[kind]])
            for i in ids:
                self.summaries[kind].pop(i, None)
                {
                    "postings": self.world.remove_posting,
                    "trainees": self.world.remove_trainee,
                    "courses": self.world.remove_course,
                }[kind](i)
            return
        if kind == "postings":
            self.world.set_postings(payloads, prepared.inferred if prepared is not None else None)
        for p in payloads:
            if kind == "trainees":
                self.world.set_trainee(p)
            elif kind == "courses":
                self.world.set_course(p)
            self.summaries[kind][p["id"]] = summary(kind, p)
        texts = [TEXT_OF[kind](p) for p in payloads]
        changed = [(i, t) for i, t in zip(ids, texts, strict=False) if self.hashes[kind].get(i) != text_hash(t)]
        self._index_add(kind, [i for i, _ in changed], [t for _, t in changed], prepared)

    def rebuild(self) -> dict:
        """Full rebuild off to the side, then an atomic swap; safe while queries and writes go on."""
        with self._lock:
            self._rebuilding = []
        try:
            summary_ = build_indexes(
                self.store, self.settings.index_dir, self.settings.encoder, cache_dir=self.settings.cache_dir
            )
            dense, lexical, hashes = self._load_indexes(self.settings.index_dir)
            with self.rw.write(), self._lock:
                self.dense, self.lexical, self.hashes = dense, lexical, hashes
                self.retriever = IndexRetriever(dense, lexical)
                pending, self._rebuilding = self._rebuilding, None
                for kind, op, payload in pending:
                    self._apply(kind, op, [payload])
            return summary_
        finally:
            with self._lock:
                self._rebuilding = None

    # --- search primitives --------------------------------------------------------------------
    def encode_query(self, text: str) -> np.ndarray:
        """The one rule for the searching side's vector — a person's text (stored trainee or typed-in
        profile alike), a posting's search text, a free-text search: query-encoded, as every reported
        quality number is measured (eval.relevance). A stored trainee's text was query-encoded into the
        embedding cache when it was indexed (QUERY_WARMED_KINDS), so that request does not encode."""
        return self.encoder.encode([text or "-"], kind="query")

    def search(self, kind: str, text: str, k: int = 10) -> list[dict]:
        """Free-text hybrid search over postings, courses or trainee profiles."""
        if kind not in INDEXED_KINDS:
            raise ValueError(f"未知的检索类型 {kind!r}；可选：{', '.join(INDEXED_KINDS)}")
        hits = self.retriever.hybrid(kind, text, self.encode_query(text), max(50, 3 * k))[:k]
        return [{"id": rid, "score": score, **self.summaries[kind].get(rid, {})} for rid, score in hits]


def _payload(record: StoredRecord) -> dict:
    from matcher.domain.schema import Trainee

    return record.profile() if isinstance(record, Trainee) else record.model_dump(mode="json")


__all__ = ["Engine", "KINDS"]
