"""Build the per-kind search indexes (dense FAISS + BM25) from the store.

Layout under `index_dir`: `<kind>/dense` (VectorIndex) and `<kind>/lexical` (BM25Index), each saved
atomically with its own manifest, plus `<kind>/texts.json` mapping each id to the hash of the text it
was indexed from, so a restarted service can reconcile the indexes with the store (see matcher.service.engine).
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from indexes import BM25Index, VectorIndex
from matcher.catalogues.occupations import load_occupations
from matcher.domain.texts import TEXT_OF, cert_text
from matcher.storage.store import Store
from models import get_encoder

log = logging.getLogger(__name__)

INDEXED_KINDS = ("postings", "trainees", "courses")
Progress = Callable[[str, int, int], None]


def domain_terms() -> list[str]:
    """CSCO names, aliases and 工种: words the segmenter must keep whole."""
    return load_occupations().names_and_aliases()


# A trainee is searched *by* its text, query-encoded (Engine.encode_query): building the index also puts
# those query vectors in the embedding cache, so a stored trainee's request never encodes.
QUERY_WARMED_KINDS = ("trainees",)


def encode_texts(
    encoder,
    texts: list[str],
    desc: str,
    progress: Progress | None,
    batch: int = 256,
    also_query: bool = False,
) -> np.ndarray:
    parts = []
    for start in range(0, len(texts), batch):
        parts.append(encoder.encode(texts[start : start + batch], kind="passage"))
        if also_query:
            encoder.encode(texts[start : start + batch], kind="query")
        if progress:
            progress(desc, min(start + batch, len(texts)), len(texts))
    return np.vstack(parts) if parts else np.zeros((0, encoder.dim), dtype=np.float32)


def build_indexes(
    store: Store, index_dir: Path, encoder_spec: str, cache_dir: Path | None = None, progress: Progress | None = None
) -> dict[str, dict[str, Any]]:
    """Full rebuild of every kind's indexes from the store; each save swaps in atomically."""
    encoder = get_encoder(encoder_spec, cache_dir=cache_dir)
    terms = domain_terms()
    summary: dict[str, dict[str, Any]] = {}
    for kind in INDEXED_KINDS:
        started = time.perf_counter()
        payloads = list(store.payloads(kind))
        ids = [p["id"] for p in payloads]
        texts = [TEXT_OF[kind](p) for p in payloads]
        vectors = encode_texts(encoder, texts, f"编码 {kind}", progress, also_query=kind in QUERY_WARMED_KINDS)
        dense = VectorIndex(encoder.id, encoder.dim)
        dense.build(ids, vectors)
        dense.save(index_dir / kind / "dense")
        lexical = BM25Index(terms)
        lexical.build(ids, texts)
        lexical.save(index_dir / kind / "lexical")
        write_text_hashes(index_dir / kind, dict(zip(ids, map(text_hash, texts), strict=False)))
        summary[kind] = {
            "count": len(ids),
            "encoder_id": encoder.id,
            "dim": encoder.dim,
            "index_type": dense.index_type,
            "seconds": time.perf_counter() - started,
        }
        log.info("indexed %s: %s", kind, summary[kind])
    return summary


def text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def write_text_hashes(kind_dir: Path, hashes: dict[str, str]) -> None:
    """Written after both indexes are saved: it records what they contain."""
    tmp = kind_dir / "texts.json.tmp"
    tmp.write_text(json.dumps(hashes), encoding="utf-8")
    tmp.replace(kind_dir / "texts.json")


def read_text_hashes(kind_dir: Path) -> dict[str, str]:
    path = kind_dir / "texts.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def index_status(index_dir: Path) -> dict[str, Any]:
    """What is on disk, read from the manifests (no loading)."""

    status: dict[str, Any] = {}
    for kind in INDEXED_KINDS:
        for part in ("dense", "lexical"):
            manifest = index_dir / kind / part / "manifest.json"
            if manifest.exists():
                m = json.loads(manifest.read_text(encoding="utf-8"))
                status[f"{kind}/{part}"] = {
                    k: m.get(k)
                    for k in ("count", "encoder_id", "dim", "index_type", "built_at")
                    if m.get(k) is not None
                }
            else:
                status[f"{kind}/{part}"] = "missing"
    return status


def summary(kind: str, p: dict) -> dict:
    """The few fields a result list shows for a record."""
    if kind == "postings":
        return {
            "title": p["title"],
            "employer": p["employer"],
            "district": p["district"],
            "salary_min": p.get("salary_min"),
            "salary_max": p.get("salary_max"),
            "status": p.get("status"),
        }
    if kind == "courses":
        return {
            "title": p["title"],
            "provider": p["provider"],
            "district": p["district"],
            "start_date": p.get("start_date"),
            "subsidised": p.get("subsidised"),
        }
    return {"title": "、".join(cert_text(c) for c in p.get("certificates", [])), "district": p["district"]}
