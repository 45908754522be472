"""Build, load and query the per-kind search indexes (dense FAISS + BM25) from the store.

Layout under `index_dir`: `<kind>/dense` (VectorIndex) and `<kind>/lexical` (BM25Index), each saved
atomically with its own manifest. Hybrid search fuses the two rankings by reciprocal rank.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from indexes import BM25Index, IndexLoadError, VectorIndex
from matcher.catalogues.occupations import load_occupations
from matcher.store import Store
from matcher.texts import TEXT_OF
from models import get_encoder

log = logging.getLogger(__name__)

INDEXED_KINDS = ("postings", "trainees", "courses")
RRF_K = 60  # reciprocal-rank-fusion constant; 60 is the usual, untuned default
Progress = Callable[[str, int, int], None]


def domain_terms() -> list[str]:
    """CSCO names, aliases and 工种: words the segmenter must keep whole."""
    return load_occupations().names_and_aliases()


def encode_texts(encoder, texts: list[str], desc: str, progress: Progress | None, batch: int = 256) -> np.ndarray:  # type: ignore[no-untyped-def]
    parts = []
    for start in range(0, len(texts), batch):
        parts.append(encoder.encode(texts[start : start + batch], kind="passage"))
        if progress:
            progress(desc, min(start + batch, len(texts)), len(texts))
    return np.vstack(parts) if parts else np.zeros((0, encoder.dim), dtype=np.float32)


def build_indexes(store: Store, index_dir: Path, encoder_spec: str, cache_dir: Path | None = None,
                  progress: Progress | None = None) -> dict[str, dict[str, Any]]:
    """Full rebuild of every kind's indexes from the store; each save swaps in atomically."""
    encoder = get_encoder(encoder_spec, cache_dir=cache_dir)
    terms = domain_terms()
    summary: dict[str, dict[str, Any]] = {}
    for kind in INDEXED_KINDS:
        started = time.perf_counter()
        payloads = list(store.payloads(kind))
        ids = [p["id"] for p in payloads]
        texts = [TEXT_OF[kind](p) for p in payloads]
        vectors = encode_texts(encoder, texts, f"编码 {kind}", progress)
        dense = VectorIndex(encoder.id, encoder.dim)
        dense.build(ids, vectors)
        dense.save(index_dir / kind / "dense")
        lexical = BM25Index(terms)
        lexical.build(ids, texts)
        lexical.save(index_dir / kind / "lexical")
        summary[kind] = {"count": len(ids), "encoder_id": encoder.id, "dim": encoder.dim,
                         "index_type": dense.index_type, "seconds": time.perf_counter() - started}
        log.info("indexed %s: %s", kind, summary[kind])
    return summary


def index_status(index_dir: Path) -> dict[str, Any]:
    """What is on disk, read from the manifests (no loading)."""
    import json

    status: dict[str, Any] = {}
    for kind in INDEXED_KINDS:
        for part in ("dense", "lexical"):
            manifest = index_dir / kind / part / "manifest.json"
            if manifest.exists():
                m = json.loads(manifest.read_text(encoding="utf-8"))
                status[f"{kind}/{part}"] = {k: m.get(k) for k in ("count", "encoder_id", "dim", "index_type", "built_at")
                                            if m.get(k) is not None}
            else:
                status[f"{kind}/{part}"] = "missing"
    return status


class SearchService:
    """Hybrid free-text search over loaded indexes, with the record summaries needed to show hits."""

    def __init__(self, store: Store, index_dir: Path, encoder_spec: str, cache_dir: Path | None = None) -> None:
        self.store = store
        self.encoder = get_encoder(encoder_spec, cache_dir=cache_dir)
        self.dense: dict[str, VectorIndex] = {}
        self.lexical: dict[str, BM25Index] = {}
        self.summaries: dict[str, dict[str, dict]] = {}
        self._lock = threading.RLock()
        for kind in INDEXED_KINDS:
            self.dense[kind] = VectorIndex.load(index_dir / kind / "dense", expect_encoder_id=self.encoder.id,
                                                expect_dim=self.encoder.dim)
            self.lexical[kind] = BM25Index.load(index_dir / kind / "lexical")
            self.summaries[kind] = {p["id"]: _summary(kind, p) for p in store.payloads(kind)}

    def search(self, kind: str, text: str, k: int = 10, allow: Any = None) -> list[dict]:
        if kind not in self.dense:
            raise ValueError(f"未知的检索类型 {kind!r}；可选：{', '.join(INDEXED_KINDS)}")
        depth = max(50, 3 * k)
        query = self.encoder.encode([text], kind="query")
        dense_hits = self.dense[kind].search(query, depth, allow=allow)[0]
        lexical_hits = self.lexical[kind].search(text, depth, allow=allow)
        fused: dict[str, float] = {}
        for hits in (dense_hits, lexical_hits):
            for rank, (rid, _score) in enumerate(hits):
                fused[rid] = fused.get(rid, 0.0) + 1.0 / (RRF_K + rank + 1)
        best = sorted(fused.items(), key=lambda kv: -kv[1])[:k]
        summaries = self.summaries[kind]
        return [{"id": rid, "score": score, **summaries.get(rid, {})} for rid, score in best]

    def counts(self) -> dict[str, int]:
        return {kind: len(index) for kind, index in self.dense.items()}


def _summary(kind: str, p: dict) -> dict:
    if kind == "postings":
        return {"title": p["title"], "employer": p["employer"], "district": p["district"],
                "salary_min": p.get("salary_min"), "salary_max": p.get("salary_max"), "status": p.get("status")}
    if kind == "courses":
        return {"title": p["title"], "provider": p["provider"], "district": p["district"],
                "start_date": p.get("start_date"), "subsidised": p.get("subsidised")}
    return {"title": "、".join(c["occupation"] for c in p.get("certificates", [])), "district": p["district"]}


def load_search(settings) -> SearchService:  # type: ignore[no-untyped-def]
    """Load indexes for the configured home; a clear message if they are missing."""
    try:
        return SearchService(Store.from_settings(settings), settings.index_dir, settings.encoder,
                             cache_dir=settings.cache_dir)
    except (FileNotFoundError, IndexLoadError) as exc:
        raise RuntimeError(f"索引未就绪：{exc}。请先运行 `matcher index build`。") from exc
