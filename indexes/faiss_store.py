"""Dense vector index over FAISS with stable string ids ("P000123"), filters and safe persistence.

Design notes
- FAISS only knows int64 labels. Each string id gets a fresh label on every
  (re-)insert (labels are never reused), kept in a str<->int map; `IndexIDMap2`
  maps labels to storage rows, so ids survive deletes and reloads.
- Vectors are unit length (see models/), so inner product == cosine.
- Small collections (<= `hnsw_threshold` vectors, default 50,000) use exact
  `IndexFlatIP`; larger ones `IndexHNSWFlat` (M=32). Crossing the threshold on
  `add` converts the index; `build` picks the type by size.
- HNSW cannot `remove_ids`. Deleted or replaced vectors on HNSW therefore stay in
  the graph as *tombstones*: their labels are dropped from the id map and
  excluded at search time by an IDSelector, so a delete is visible immediately.
  When tombstones exceed `compact_ratio` of the stored vectors, the index is
  rebuilt from the live vectors (`compact()` does it on demand).
- Filters: a set of allowed ids becomes an `IDSelectorBatch` (exact on flat; on
  HNSW small sets are searched exactly, large ones with an efSearch scaled to the
  selectivity). A callable filter is applied after search with adaptive
  over-fetch (k doubled until k hits pass or the index is exhausted).
- All methods take a per-instance lock: FAISS allows concurrent searches but not
  searches concurrent with adds/removes.
"""
from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable, Collection, Iterable, Sequence
from pathlib import Path
from typing import Any, Union

import faiss
import numpy as np

from .errors import IndexCorruptError, IndexMismatchError
from .storage import (
    atomic_directory,
    read_json,
    read_manifest,
    sha256_file,
    utc_now_iso,
    verify_checksums,
    write_json,
    write_manifest,
)

log = logging.getLogger(__name__)

FORMAT = "cq-matcher/vector-index"
FORMAT_VERSION = 1
INDEX_FILE = "index.faiss"
IDS_FILE = "ids.json"

# Index types from small to large; `add` only ever moves up this order (`compact()` re-picks by size).
INDEX_TYPES = ("flat", "hnsw", "hnsw_sq")
GRAPH_TYPES = frozenset({"hnsw", "hnsw_sq"})  # no remove_ids: deletes are tombstones
SQ_TRAIN_SAMPLE = 100_000  # rows used to train the 8-bit scalar quantizer's per-dimension ranges

Allow = Union[Callable[[str], bool], Collection[str], None]
Hits = list[tuple[str, float]]


def mismatch_message(built_id: str, built_dim: int, want_id: str, want_dim: int) -> str:
    return (
        f"index built by {built_id} (dim {built_dim}), but the configured encoder is "
        f"{want_id} (dim {want_dim}); rebuild with `matcher index build`"
    )


class VectorIndex:
    def __init__(
        self,
        encoder_id: str,
        dim: int,
        *,
        hnsw_threshold: int = 50_000,
        compact_threshold: int = 500_000,
        hnsw_m: int = 32,
        ef_search: int = 128,
        ef_construction: int = 80,
        compact_ratio: float = 0.2,
        exact_subset_limit: int = 4096,
    ) -> None:
        """`hnsw_threshold` / `compact_threshold`: above these counts the index is HNSW over float32
        vectors / HNSW over 8-bit scalar-quantized vectors (see the module docstring).
        `exact_subset_limit`: on HNSW, allow-sets up to this size are searched exactly (cheap and
        always complete) instead of through the graph."""
        if dim < 1:
            raise ValueError(f"dim must be positive, got {dim}")
        self.encoder_id = encoder_id
        self.dim = int(dim)
        self.hnsw_threshold = int(hnsw_threshold)
        self.compact_threshold = int(compact_threshold)
        self.hnsw_m = int(hnsw_m)
        self.ef_search = int(ef_search)
        self.ef_construction = int(ef_construction)
        self.compact_ratio = float(compact_ratio)
        self.exact_subset_limit = int(exact_subset_limit)
        self._lock = threading.RLock()
        self._labels: dict[str, int] = {}  # string id -> live label
        self._names: dict[int, str] = {}  # live label -> string id
        self._tombstones: set[int] = set()  # dead labels still stored in an HNSW graph
        self._next_label = 0
        self.index_type = "flat"
        self._index = self._new_index("flat")

    # ---------- construction ----------

    def _params(self) -> dict[str, Any]:
        return {
            "hnsw_threshold": self.hnsw_threshold,
            "compact_threshold": self.compact_threshold,
            "hnsw_m": self.hnsw_m,
            "ef_search": self.ef_search,
            "ef_construction": self.ef_construction,
            "compact_ratio": self.compact_ratio,
            "exact_subset_limit": self.exact_subset_limit,
        }

    def _new_index(self, index_type: str) -> faiss.IndexIDMap2:
        if index_type == "flat":
            inner = faiss.IndexFlatIP(self.dim)
        elif index_type == "hnsw":
            inner = faiss.IndexHNSWFlat(self.dim, self.hnsw_m, faiss.METRIC_INNER_PRODUCT)
        elif index_type == "hnsw_sq":
            # Trained (per-dimension min/max) on the first vectors added: see _train.
            inner = faiss.IndexHNSWSQ(self.dim, faiss.ScalarQuantizer.QT_8bit, self.hnsw_m, faiss.METRIC_INNER_PRODUCT)
        else:
            raise ValueError(f"unknown index type {index_type!r}")
        if index_type in GRAPH_TYPES:
            inner.hnsw.efConstruction = self.ef_construction
            inner.hnsw.efSearch = self.ef_search
        return faiss.IndexIDMap2(inner)

    def _type_for(self, count: int) -> str:
        if count > self.compact_threshold:
            return "hnsw_sq"
        return "hnsw" if count > self.hnsw_threshold else "flat"

    @property
    def _graph(self) -> bool:
        return self.index_type in GRAPH_TYPES

    @staticmethod
    def _train(index: faiss.IndexIDMap2, vectors: np.ndarray, like: faiss.IndexIDMap2 | None = None) -> None:
        """Train a quantizing index before its first add: copy the quantizer of `like` when it is the
        same kind (a rebuild then re-encodes decoded vectors to identical codes: lossless), else fit the
        per-dimension ranges on a sample of `vectors`."""
        if index.is_trained:
            return
        inner = faiss.downcast_index(index.index)
        old = faiss.downcast_index(like.index) if like is not None else None
        if isinstance(inner, faiss.IndexHNSWSQ) and isinstance(old, faiss.IndexHNSWSQ) and old.is_trained:
            src, dst = faiss.downcast_index(old.storage), faiss.downcast_index(inner.storage)
            faiss.copy_array_to_vector(faiss.vector_to_array(src.sq.trained), dst.sq.trained)
            dst.is_trained = inner.is_trained = index.is_trained = True
            return
        if not len(vectors):
            raise ValueError("cannot train a quantizing index on no vectors")
        if len(vectors) > SQ_TRAIN_SAMPLE:
            rows = np.sort(np.random.default_rng(0).choice(len(vectors), SQ_TRAIN_SAMPLE, replace=False))
            vectors = vectors[rows]
        index.train(np.ascontiguousarray(vectors))

    def build(self, ids: Sequence[str], vectors: np.ndarray) -> None:
        """Replace the whole content; the index type is chosen from the number of vectors."""
        ids, vectors = self._prepare(ids, vectors)
        with self._lock:
            self._labels.clear()
            self._names.clear()
            self._tombstones.clear()
            self.index_type = self._type_for(len(ids))
            self._index = self._new_index(self.index_type)
            self._insert(ids, vectors)
            log.info("built %s index: %d vectors (dim %d)", self.index_type, len(ids), self.dim)

    # ---------- mutation ----------

    def add(self, ids: Sequence[str], vectors: np.ndarray) -> None:
        """Upsert: an id already present is replaced (within one call, the last occurrence wins)."""
        ids, vectors = self._prepare(ids, vectors)
        if not ids:
            return
        with self._lock:
            self._drop([self._labels.pop(i) for i in ids if i in self._labels])
            self._insert(ids, vectors)
            wanted = self._type_for(len(self._labels))
            if INDEX_TYPES.index(wanted) > INDEX_TYPES.index(self.index_type):
                log.info("%d vectors: converting the %s index to %s", len(self._labels), self.index_type, wanted)
                self._rebuild(wanted)
            else:
                self._maybe_compact()

    def remove(self, ids: Iterable[str]) -> int:
        """Delete ids (unknown ones are ignored); returns how many were removed. Effective immediately."""
        if isinstance(ids, str):
            raise TypeError("remove() takes a collection of ids, not a single str")
        with self._lock:
            dead = [self._labels.pop(i) for i in set(ids) if i in self._labels]
            self._drop(dead)
            self._maybe_compact()
            return len(dead)

    def compact(self) -> None:
        """Rebuild from live vectors: drops HNSW tombstones and re-picks the index type by size.
        (hnsw_sq -> hnsw_sq keeps the quantizer, so no precision is lost; going back from hnsw_sq to a
        float index keeps the 8-bit-decoded vectors.)"""
        with self._lock:
            self._rebuild(self._type_for(len(self._labels)))

    def _prepare(self, ids: Sequence[str], vectors: np.ndarray) -> tuple[list[str], np.ndarray]:
        if isinstance(ids, str):
            raise TypeError("ids must be a sequence of strings, not a single str")
        ids = list(ids)
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.ndim == 1 and len(ids) == 1:
            vectors = vectors[None, :]
        if vectors.ndim != 2 or vectors.shape != (len(ids), self.dim):
            raise ValueError(f"expected vectors of shape ({len(ids)}, {self.dim}), got {vectors.shape}")
        if not np.isfinite(vectors).all():
            raise ValueError("vectors contain NaN or inf")
        for i in ids:
            if not isinstance(i, str) or not i:
                raise ValueError(f"ids must be non-empty strings, got {i!r}")
        last = {i: row for row, i in enumerate(ids)}
        if len(last) < len(ids):  # duplicates in one call: keep the last occurrence
            rows = sorted(last.values())
            ids, vectors = [ids[r] for r in rows], vectors[rows]
        return ids, np.ascontiguousarray(vectors)

    def _insert(self, ids: list[str], vectors: np.ndarray) -> None:
        labels = np.arange(self._next_label, self._next_label + len(ids), dtype=np.int64)
        self._train(self._index, vectors)
        self._next_label += len(ids)
        self._index.add_with_ids(vectors, labels)
        for name, label in zip(ids, labels.tolist()):
            self._labels[name] = label
            self._names[label] = name

    def _drop(self, labels: list[int]) -> None:
        """Forget labels; flat removes them from FAISS, the HNSW types tombstone them."""
        if not labels:
            return
        for label in labels:
            del self._names[label]
        if self.index_type == "flat":
            self._index.remove_ids(np.asarray(labels, dtype=np.int64))
        else:
            self._tombstones.update(labels)

    def _maybe_compact(self) -> None:
        if self._tombstones and len(self._tombstones) > self.compact_ratio * self._index.ntotal:
            log.info("compacting the graph index: %d tombstones of %d", len(self._tombstones), self._index.ntotal)
            self.compact()

    def _live_vectors(self) -> tuple[np.ndarray, np.ndarray]:
        labels = faiss.vector_to_array(self._index.id_map).astype(np.int64)
        vectors = self._index.index.reconstruct_n(0, self._index.ntotal)
        if self._tombstones:
            keep = ~np.isin(labels, np.fromiter(self._tombstones, dtype=np.int64))
            labels, vectors = labels[keep], vectors[keep]
        return labels, vectors

    def _rebuild(self, index_type: str) -> None:
        labels, vectors = self._live_vectors()
        index = self._new_index(index_type)
        if len(labels):
            vectors = np.ascontiguousarray(vectors)
            self._train(index, vectors, like=self._index)
            index.add_with_ids(vectors, labels)
        self._index, self.index_type = index, index_type
        self._tombstones.clear()

    # ---------- inspection ----------

    def __len__(self) -> int:
        return len(self._labels)

    def __contains__(self, item: object) -> bool:
        return item in self._labels

    def ids(self) -> list[str]:
        with self._lock:
            return list(self._labels)

    def vector(self, item: str) -> np.ndarray:
        """The stored vector of one id (KeyError if absent); on hnsw_sq the 8-bit-decoded approximation."""
        with self._lock:
            return self._index.reconstruct(self._labels[item])

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {
                "encoder_id": self.encoder_id,
                "dim": self.dim,
                "count": len(self._labels),
                "index_type": self.index_type,
                "stored": int(self._index.ntotal),
                "tombstones": len(self._tombstones),
            }

    # ---------- search ----------

    def search(self, query_vectors: np.ndarray, k: int, allow: Allow = None) -> list[Hits]:
        """Top-k (id, inner product) per query row, best first.

        `allow`: None, a collection of allowed ids, or a predicate on ids. Up to k hits
        are returned whenever that many allowed ids exist, however selective the filter.
        """
        queries = np.asarray(query_vectors, dtype=np.float32)
        if queries.ndim == 1:
            queries = queries[None, :]
        if queries.ndim != 2 or queries.shape[1] != self.dim:
            raise ValueError(f"expected query vectors of shape (n, {self.dim}) or ({self.dim},), got {queries.shape}")
        queries = np.ascontiguousarray(queries)
        with self._lock:
            if k <= 0 or not self._labels or not len(queries):
                return [[] for _ in range(len(queries))]
            if allow is None:
                return self._search_all(queries, k)
            if callable(allow):
                return self._search_predicate(queries, k, allow)
            return self._search_subset(queries, k, allow)

    def _tombstone_selector(self) -> faiss.IDSelector | None:
        if not self._tombstones:
            return None
        return faiss.IDSelectorNot(faiss.IDSelectorBatch(np.fromiter(self._tombstones, dtype=np.int64)))

    def _raw_search(
        self, queries: np.ndarray, k: int, sel: faiss.IDSelector | None, ef: int | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        k = min(k, self._index.ntotal)
        if self._graph:
            params = faiss.SearchParametersHNSW(sel=sel, efSearch=max(ef or self.ef_search, k))
        else:
            params = faiss.SearchParameters(sel=sel) if sel is not None else None
        return self._index.search(queries, k, params=params)

    def _hits(self, scores: np.ndarray, labels: np.ndarray, k: int) -> list[Hits]:
        names = self._names
        return [
            [(names[label], float(score)) for score, label in zip(row_s, row_l.tolist()) if label in names][:k]
            for row_s, row_l in zip(scores, labels)
        ]

    def _hnsw_complete(
        self, queries: np.ndarray, k: int, sel: faiss.IDSelector | None, ef: int, candidates: Callable[[], np.ndarray], available: int
    ) -> list[Hits]:
        """HNSW search that widens efSearch until every row has min(k, available) hits, then falls back
        to an exact search over `candidates()` for rows the graph still can't fill."""
        need = min(k, available)
        while True:
            results = self._hits(*self._raw_search(queries, k, sel, ef), k)
            short = [r for r, hits in enumerate(results) if len(hits) < need]
            if not short:
                return results
            if ef >= self._index.ntotal:
                break
            ef = min(ef * 4, self._index.ntotal)
        exact = self._exact_search(queries[short], k, candidates())
        for row, hits in zip(short, exact):
            results[row] = hits
        return results

    def _exact_search(self, queries: np.ndarray, k: int, labels: np.ndarray) -> list[Hits]:
        """Brute-force inner product against the given live labels (used for small candidate sets)."""
        if not len(labels):
            return [[] for _ in range(len(queries))]
        vectors = self._index.reconstruct_batch(labels)
        scores, rows = faiss.knn(queries, np.ascontiguousarray(vectors), min(k, len(labels)), metric=faiss.METRIC_INNER_PRODUCT)
        return self._hits(scores, np.where(rows >= 0, labels[rows], -1), k)

    def _live_labels(self) -> np.ndarray:
        return np.fromiter(self._names, dtype=np.int64, count=len(self._names))

    def _search_all(self, queries: np.ndarray, k: int) -> list[Hits]:
        if self.index_type == "flat":
            return self._hits(*self._raw_search(queries, k, None), k)
        return self._hnsw_complete(
            queries, k, self._tombstone_selector(), self.ef_search, self._live_labels, len(self._labels)
        )

    def _search_subset(self, queries: np.ndarray, k: int, allow: Collection[str]) -> list[Hits]:
        if isinstance(allow, str):
            raise TypeError("allow must be a collection of ids or a predicate, not a single str")
        labels = np.fromiter(
            (self._labels[i] for i in set(allow) if i in self._labels), dtype=np.int64
        )
        if not len(labels):
            return [[] for _ in range(len(queries))]
        if self.index_type == "flat":
            return self._hits(*self._raw_search(queries, k, faiss.IDSelectorBatch(labels)), k)
        if len(labels) <= self.exact_subset_limit:
            return self._exact_search(queries, k, labels)
        # The graph visits roughly ef nodes; scale ef so about k of them pass the filter.
        ef = max(self.ef_search, math.ceil(k * self._index.ntotal / len(labels)))
        return self._hnsw_complete(queries, k, faiss.IDSelectorBatch(labels), ef, lambda: labels, len(labels))

    def _search_predicate(self, queries: np.ndarray, k: int, allow: Callable[[str], bool]) -> list[Hits]:
        verdicts: dict[str, bool] = {}  # each id is judged once per call

        def allowed(name: str) -> bool:
            verdict = verdicts.get(name)
            if verdict is None:
                verdict = verdicts[name] = bool(allow(name))
            return verdict

        results: list[Hits] = [[] for _ in range(len(queries))]
        pending = list(range(len(queries)))
        total = self._index.ntotal
        fetch = min(2 * k, total)
        sel = self._tombstone_selector()
        while pending:
            scores, labels = self._raw_search(queries[pending], fetch, sel, ef=max(self.ef_search, fetch))
            fetched = self._hits(scores, labels, fetch)
            still = []
            for row, hits in zip(pending, fetched):
                results[row] = [hit for hit in hits if allowed(hit[0])][:k]
                if len(results[row]) < k and fetch < total:
                    still.append(row)
            pending = still
            fetch = min(fetch * 2, total)
        if self._graph:
            # The graph may not reach every node even when asked for all; finish short rows exactly.
            short = [r for r, hits in enumerate(results) if len(hits) < k]
            if short:
                names = [n for n in self._labels if allowed(n)]
                labels = np.fromiter((self._labels[n] for n in names), dtype=np.int64, count=len(names))
                for row, hits in zip(short, self._exact_search(queries[short], k, labels)):
                    results[row] = hits
        return results

    # ---------- persistence ----------

    def save(self, directory: Path | str) -> dict[str, Any]:
        """Write atomically to `directory` (replacing any previous save); returns the manifest."""
        with self._lock, atomic_directory(directory) as tmp:
            faiss.write_index(self._index, str(tmp / INDEX_FILE))
            write_json(
                tmp / IDS_FILE,
                {
                    "ids": list(self._labels),
                    "labels": list(self._labels.values()),
                    "tombstones": sorted(self._tombstones),
                    "next_label": self._next_label,
                },
            )
            manifest = write_manifest(
                tmp,
                {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "encoder_id": self.encoder_id,
                    "dim": self.dim,
                    "count": len(self._labels),
                    "index_type": self.index_type,
                    "built_at": utc_now_iso(),
                    "sha256": sha256_file(tmp / INDEX_FILE),
                    "faiss_version": faiss.__version__,
                    "params": self._params(),
                },
            )
        log.info("saved %s index (%d vectors) to %s", self.index_type, len(self), directory)
        return manifest

    @staticmethod
    def read_manifest(directory: Path | str) -> dict[str, Any]:
        """The manifest alone (cheap: for status pages and staleness checks)."""
        return read_manifest(Path(directory), FORMAT, (FORMAT_VERSION,))

    @classmethod
    def load(
        cls,
        directory: Path | str,
        expect_encoder_id: str | None = None,
        expect_dim: int | None = None,
        **overrides: Any,
    ) -> VectorIndex:
        """Load a saved index, refusing one built by another encoder (IndexMismatchError) or
        damaged files (IndexCorruptError). `overrides` replace saved params, e.g. ef_search."""
        directory = Path(directory)
        manifest = cls.read_manifest(directory)
        built_id, built_dim = manifest["encoder_id"], int(manifest["dim"])
        want_id = expect_encoder_id if expect_encoder_id is not None else built_id
        want_dim = int(expect_dim) if expect_dim is not None else built_dim
        if (want_id, want_dim) != (built_id, built_dim):
            raise IndexMismatchError(mismatch_message(built_id, built_dim, want_id, want_dim))
        verify_checksums(directory, manifest)
        if manifest.get("sha256") != manifest["files"].get(INDEX_FILE):
            raise IndexCorruptError(f"{directory}: manifest checksum of {INDEX_FILE} is inconsistent")

        index = faiss.read_index(str(directory / INDEX_FILE))
        ids = read_json(directory / IDS_FILE)
        obj = cls(built_id, built_dim, **{**manifest.get("params", {}), **overrides})
        if not isinstance(index, faiss.IndexIDMap2) or index.d != built_dim:
            raise IndexCorruptError(f"{directory}: {INDEX_FILE} is not an id-mapped index of dim {built_dim}")
        obj._index = index
        obj.index_type = manifest["index_type"]
        obj._labels = dict(zip(ids["ids"], ids["labels"]))
        obj._names = {label: name for name, label in obj._labels.items()}
        obj._tombstones = set(ids["tombstones"])
        obj._next_label = int(ids["next_label"])
        if index.ntotal != len(obj._labels) + len(obj._tombstones) or len(obj._labels) != manifest["count"]:
            raise IndexCorruptError(f"{directory}: id map and index disagree on the number of vectors")
        if obj.index_type not in INDEX_TYPES:
            raise IndexCorruptError(f"{directory}: unknown index type {obj.index_type!r}")
        if obj._graph:
            faiss.downcast_index(index.index).hnsw.efSearch = obj.ef_search
        log.info("loaded %s index (%d vectors, %s) from %s", obj.index_type, len(obj), built_id, directory)
        return obj

    def __repr__(self) -> str:
        return f"VectorIndex(encoder_id={self.encoder_id!r}, dim={self.dim}, count={len(self)}, type={self.index_type!r})"
