"""Dense vector index over FAISS with stable string ids ("P000123"), filters and safe persistence.

Design notes
- FAISS only knows int64 labels. Each string id gets a fresh label on every
  (re-)insert (labels are never reused), kept in a str<->int map; `IndexIDMap2`
  maps labels to storage rows, so ids survive deletes and reloads.
- Vectors are unit length (see models/), so inner product == cosine.
- Index type by size (`build` picks it; crossing a threshold on `add` converts the
  index upwards; `compact()` re-picks it):
    <= `hnsw_threshold` (50,000)        "flat"    exact `IndexFlatIP`
    <= `compact_threshold` (500,000)    "hnsw"    `IndexHNSWFlat` (M=32), float32 vectors
     > `compact_threshold`              "ivf_sq"  `IndexIVFScalarQuantizer`: 8-bit codes, nprobe=64
- HNSW and IVF cannot `remove_ids` under `IndexIDMap2`. Deleted or replaced vectors
  therefore stay in the index as *tombstones*: their labels are dropped from the id
  map and excluded at search time by an IDSelector, so a delete is visible immediately.
  When tombstones exceed `compact_ratio` of the stored vectors, the index is
  rebuilt from the live vectors (`compact()` does it on demand).
- Rebuilds (compaction, or converting upwards when `add` crosses a threshold) of an index holding
  more than `background_from` (20,000) vectors run on a background thread from a snapshot of the
  live vectors, so the write that triggers one returns at once (an HNSW build of 100k vectors takes
  ~20 s here, and the caller holds the service's write lock); the old index keeps answering, adds
  made meanwhile are replayed into the new one and deletes become its tombstones, then it is
  swapped in under the lock. Smaller indexes rebuild in place (well under a second).
- Filters: a set of allowed ids becomes an `IDSelectorBatch` (exact on flat; on the
  approximate types small sets are searched exactly, large ones with an effort —
  efSearch on HNSW, nprobe on IVF — scaled to the selectivity, widened until k hits).
  A callable filter is applied after search with adaptive over-fetch (k doubled until
  k hits pass or the index is exhausted). A large allow-set on an approximate index is
  post-filtered the same way (starting from k / selectivity) whenever that fetches fewer
  hits than the set has ids: turning a set into labels costs one Python dict lookup per
  id, ~2-4 us each in a 1M-entry map on this VM (a 50k-id set: 100-200 ms per query).
- All methods take a per-instance lock: FAISS allows concurrent searches but not
  searches concurrent with adds/removes.
- Searches of a few query rows (the service's one query per request) run FAISS on one
  OpenMP thread (a per-thread setting). Measured, one query, 2 default threads -> 1 thread:
  flat 10k p50 1.23 -> 0.57 ms and 100k 10.2 -> 7.5 ms on an idle machine; ivf_sq 1M
  p50 / p99 3.7-8 / 13-17 ms -> 1.2-1.6 / 1.7-2.8 ms with other jobs on the second core.

Choosing the types (FAISS-wiki style; measured with `python -m eval.bench_index --sweep`, tables
in eval/results/bench_index_sweep.md: 100k real usem vectors of job postings, 1M = those
replicated with small gaussian noise; 500 posting titles as queries; top-20; one query at a
time; 2 cores shared with other jobs, so p99s are noisy)
- Memory first: 1M x 512-d float32 is 2 GB of vectors alone, over the 1.5 GB RSS target,
  so float HNSW (+256 MB of graph at M=32) is out at that size. 8-bit scalar quantization
  (SQ8, per-dimension ranges) cuts the vectors to 512 MB with an inner-product error of
  std 3e-4 (far below the score gaps between neighbours). PQ (not measured) would be
  smaller still, but at 512-d needs a float re-ranking stage for high recall, which brings
  the memory back; SQ8 already fits.
- HNSW over SQ8 (`IndexHNSWSQ`, M=32, efConstruction 40) at 1M: recall@20 0.85 / 0.92 /
  0.95 / 0.96 at efSearch 128 / 256 / 512 / 1024 (p50 0.24 / 0.43 / 0.85 / 1.7 ms), 748 MB,
  build 182 s (375-495 s when the machine was busier). Our queries (short titles against
  title+description passages; all vectors share a large common component) are "far" from
  the data, which is hard for a greedy graph walk. Rejected: no faster than IVF at the
  same recall, 7x the build time, +250 MB.
- IVF over SQ8 (`IndexIVFScalarQuantizer`, residual encoding) at 1M, ~500 MB:
    nlist 1024: build 23 s; nprobe 32 / 48 / 64 / 96 -> recall 0.963 / 0.972 / 0.975 / 0.980, p50 1.3 / 2.0 / 2.7 / 4.4 ms
    nlist 2048: build 25 s; nprobe 32 / 48 / 64 / 96 -> recall 0.947 / 0.960 / 0.971 / 0.976, p50 0.8 / 1.2 / 1.6 / 2.3 ms
    nlist 4096: build ~270 s on a busy machine; nprobe 64 / 96 -> recall 0.968 / 0.976, p50 1.1 / 1.8 ms
  Chosen: nlist = the power of two nearest 2*sqrt(n) (2048 at 1M, 1024 at 500k) with
  nprobe 64 (~31k codes scanned at 1M): recall@20 ~0.97 at p50 ~1.6 ms. The FAISS guideline
  (4-16 x sqrt(n) lists) makes k-means slower on 2 cores for latency we do not need.
  k-means runs on 50 vectors per list (FAISS warns below 39).
- The SQ8 ranges are widened by 10% a side (`SQ_RANGE_MARGIN`): vectors added after
  training are then almost never clipped (measured: max inner-product error 0.0015 instead
  of 0.0056 with exact min/max; error std 2.7e-4 instead of 2.3e-4).
- An ivf_sq index stores 8-bit codes only: `vector()` returns the decoded approximation,
  and a rebuild (compaction) re-encodes decoded vectors, reusing the centroids and ranges
  while the list count is unchanged (error about one 8-bit step). Converting to ivf_sq
  (on `add` past `compact_threshold`) or changing nlist runs k-means under the lock
  (~10-40 s at 500k-1M on 2 cores).
- The float "hnsw" type (50k-500k) keeps M=32, efConstruction 80, efSearch 128. At 100k:
  M=16 / 32 (efC 80) -> recall 0.958 / 0.960 at efSearch 128; efConstruction 40 / 80 / 160
  (M=32) -> 0.970 / 0.960 / 0.974, build 18 / 20 / 52 s; efSearch 256 -> ~0.98 at p50
  0.4 ms. No setting is clearly better than the existing one (more construction effort
  buys ~0.01 recall for 2.5x the build), so it stays.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable, Collection, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeAlias

import faiss
import numpy as np
import numpy.typing as npt

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
INDEX_TYPES = ("flat", "hnsw", "ivf_sq")
SQ_RANGE_MARGIN = 0.1  # widen each trained per-dimension [min, max] by 10% a side: later vectors are rarely clipped
IVF_TRAIN_PER_LIST = 50  # k-means sample: 50 vectors per inverted list (FAISS warns below 39)
SINGLE_THREAD_ROWS = 8  # searches of up to this many query rows use one OpenMP thread


def ivf_nlist(count: int) -> int:
    """Inverted lists for `count` vectors: the power of two nearest 2*sqrt(count) (2048 at 1M), and at
    least 39 training vectors per list."""
    ideal = int(2 ** round(math.log2(max(1.0, 2 * math.sqrt(count)))))
    return max(1, min(ideal, count // 39))


Allow = Callable[[str], bool] | Collection[str] | None
Hits = list[tuple[str, float]]
Floats: TypeAlias = npt.NDArray[np.float32]  # vectors (n, dim), or search scores (n, k)
Labels: TypeAlias = npt.NDArray[np.int64]  # FAISS labels (-1: no hit)


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
        nprobe: int = 64,
        background_from: int = 20_000,
    ) -> None:
        """`hnsw_threshold` / `compact_threshold`: above these counts the index is HNSW over float32
        vectors / IVF over 8-bit scalar-quantized vectors ("ivf_sq", see the module docstring);
        `nprobe`: inverted lists scanned per ivf_sq query.
        `exact_subset_limit`: on the approximate types, allow-sets up to this size are searched exactly
        (cheap and always complete) instead of through the index."""
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
        self.nprobe = max(1, int(nprobe))
        self.background_from = int(background_from)
        self._lock = threading.RLock()
        self._rebuilding: threading.Thread | None = None
        self._added_meanwhile: list[tuple[Labels, Floats]] | None = None  # (labels, vectors) during it
        self._labels: dict[str, int] = {}  # string id -> live label
        self._names: dict[int, str] = {}  # live label -> string id
        self._tombstones: set[int] = set()  # dead labels still stored in an HNSW / IVF index
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
            "nprobe": self.nprobe,
            "background_from": self.background_from,
        }

    def _new_index(self, index_type: str) -> faiss.IndexIDMap2:
        """An empty index; "ivf_sq" is untrained until `_train` (its list count depends on the data size)."""
        inner: faiss.Index
        if index_type == "flat":
            inner = faiss.IndexFlatIP(self.dim)
        elif index_type == "hnsw":
            hnsw = faiss.IndexHNSWFlat(self.dim, self.hnsw_m, faiss.METRIC_INNER_PRODUCT)
            hnsw.hnsw.efConstruction = self.ef_construction
            hnsw.hnsw.efSearch = self.ef_search
            inner = hnsw
        elif index_type == "ivf_sq":
            return faiss.IndexIDMap2(self._new_ivf(1))  # placeholder, replaced when trained
        else:
            raise ValueError(f"unknown index type {index_type!r}")
        return faiss.IndexIDMap2(inner)

    def _new_ivf(self, nlist: int) -> faiss.IndexIVFScalarQuantizer:
        quantizer = faiss.IndexFlatIP(self.dim)
        inner = faiss.IndexIVFScalarQuantizer(
            quantizer, self.dim, nlist, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
        )
        inner.own_fields = True  # the IVF index owns (and frees) its coarse quantizer, as after read_index
        quantizer.this.disown()  # type: ignore[attr-defined]  # SWIG's ownership handle: not in faiss's stubs
        inner.sq.rangestat_arg = SQ_RANGE_MARGIN
        inner.nprobe = min(self.nprobe, nlist)
        inner.make_direct_map(True)  # reconstruct(label), used by exact sub-searches and vector()
        return inner

    def _type_for(self, count: int) -> str:
        if count > self.compact_threshold:
            return "ivf_sq"
        return "hnsw" if count > self.hnsw_threshold else "flat"

    @property
    def _approximate(self) -> bool:
        """hnsw and ivf_sq: approximate search, no remove_ids (deletes are tombstones)."""
        return self.index_type != "flat"

    def _train(
        self, index: faiss.IndexIDMap2, vectors: Floats, like: faiss.IndexIDMap2 | None = None
    ) -> faiss.IndexIDMap2:
        """Return `index` ready for its first add. An untrained ivf_sq index gets `ivf_nlist(len(vectors))`
        lists: it reuses the centroids and quantizer of `like` when that has as many lists (a compaction:
        no k-means, and vectors mostly re-encode to the same codes), else runs k-means on a sample."""
        if index.is_trained:
            return index
        nlist = ivf_nlist(len(vectors))
        inner = self._new_ivf(nlist)
        old = faiss.downcast_index(like.index) if like is not None else None
        if isinstance(old, faiss.IndexIVFScalarQuantizer) and old.is_trained and old.nlist == nlist:
            inner.quantizer.add(old.quantizer.reconstruct_n(0, nlist))
            faiss.copy_array_to_vector(faiss.vector_to_array(old.sq.trained), inner.sq.trained)
            inner.is_trained = True
        else:
            sample = vectors
            if len(vectors) > IVF_TRAIN_PER_LIST * nlist:
                rows = np.random.default_rng(0).choice(len(vectors), IVF_TRAIN_PER_LIST * nlist, replace=False)
                sample = vectors[np.sort(rows)]
            log.info("training ivf_sq: %d lists on %d vectors", nlist, len(sample))
            inner.train(np.ascontiguousarray(sample))
        return faiss.IndexIDMap2(inner)

    def build(self, ids: Sequence[str], vectors: npt.ArrayLike) -> None:
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

    def add(self, ids: Sequence[str], vectors: npt.ArrayLike) -> None:
        """Upsert: an id already present is replaced (within one call, the last occurrence wins)."""
        ids, vectors = self._prepare(ids, vectors)
        if not ids:
            return
        with self._lock:
            self._drop([self._labels.pop(i) for i in ids if i in self._labels])
            self._insert(ids, vectors)
            wanted = self._type_for(len(self._labels))
            if INDEX_TYPES.index(wanted) > INDEX_TYPES.index(self.index_type) and self._rebuilding is None:
                log.info("%d vectors: converting the %s index to %s", len(self._labels), self.index_type, wanted)
                self._schedule_rebuild(wanted)
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
        """Rebuild from live vectors now: drops tombstones and re-picks the index type by size (after a
        background rebuild in progress has finished). (Vectors of an ivf_sq index are its 8-bit-decoded
        approximations: a rebuild re-encodes those.)"""
        self.wait_for_rebuild()
        with self._lock:
            self._rebuild(self._type_for(len(self._labels)))

    def wait_for_rebuild(self) -> None:
        """Block until a background rebuild (if any) has been swapped in."""
        with self._lock:
            running = self._rebuilding
        if running is not None:
            running.join()

    def _prepare(self, ids: Sequence[str], vectors: npt.ArrayLike) -> tuple[list[str], Floats]:
        if isinstance(ids, str):
            raise TypeError("ids must be a sequence of strings, not a single str")
        names = list(ids)
        array = np.asarray(vectors, dtype=np.float32)
        if array.ndim == 1 and len(names) == 1:
            array = array[None, :]
        if array.ndim != 2 or array.shape != (len(names), self.dim):
            raise ValueError(f"expected vectors of shape ({len(names)}, {self.dim}), got {array.shape}")
        if not np.isfinite(array).all():
            raise ValueError("vectors contain NaN or inf")
        for i in names:
            if not isinstance(i, str) or not i:
                raise ValueError(f"ids must be non-empty strings, got {i!r}")
        last = {i: row for row, i in enumerate(names)}
        if len(last) < len(names):  # duplicates in one call: keep the last occurrence
            rows = sorted(last.values())
            names, array = [names[r] for r in rows], array[rows]
        return names, np.ascontiguousarray(array)

    def _insert(self, ids: list[str], vectors: Floats) -> None:
        labels = np.arange(self._next_label, self._next_label + len(ids), dtype=np.int64)
        self._index = self._train(self._index, vectors)
        self._next_label += len(ids)
        self._index.add_with_ids(vectors, labels)
        if self._added_meanwhile is not None:
            self._added_meanwhile.append((labels, vectors.copy()))
        for name, label in zip(ids, labels.tolist(), strict=False):
            self._labels[name] = label
            self._names[label] = name

    def _drop(self, labels: list[int]) -> None:
        """Forget labels; flat removes them from FAISS, hnsw and ivf_sq tombstone them."""
        if not labels:
            return
        for label in labels:
            del self._names[label]
        if self.index_type == "flat":
            # an IDSelectorBatch is what faiss's remove_ids makes of an array (its stubs take only a selector)
            self._index.remove_ids(faiss.IDSelectorBatch(np.asarray(labels, dtype=np.int64)))
        else:
            self._tombstones.update(labels)

    def _maybe_compact(self) -> None:
        if (
            self._rebuilding is None
            and self._tombstones
            and len(self._tombstones) > self.compact_ratio * self._index.ntotal
        ):
            log.info(
                "compacting %s index: %d tombstones of %d", self.index_type, len(self._tombstones), self._index.ntotal
            )
            self._schedule_rebuild(self._type_for(len(self._labels)))

    def _schedule_rebuild(self, index_type: str) -> None:
        """Rebuild in place when small, else from a snapshot on a background thread (lock held)."""
        if self._index.ntotal <= self.background_from:
            self._rebuild(index_type)
            return
        labels, vectors = self._live_vectors()
        self._added_meanwhile = []
        self._rebuilding = threading.Thread(
            target=self._rebuild_in_background, args=(index_type, labels, vectors), name="faiss-rebuild", daemon=True
        )
        self._rebuilding.start()

    def _rebuild_in_background(self, index_type: str, labels: Labels, vectors: Floats) -> None:
        try:
            index = self._new_index(index_type)
            if len(labels):
                vectors = np.ascontiguousarray(vectors)
                index = self._train(index, vectors, like=self._index)
                index.add_with_ids(vectors, labels)  # the slow part, outside the lock (FAISS releases the GIL)
            with self._lock:
                added = self._added_meanwhile or []
                for more_labels, more_vectors in added:
                    index = self._train(index, more_vectors)
                    index.add_with_ids(more_vectors, more_labels)
                stored = np.concatenate([labels, *(a for a, _ in added)]) if added else labels
                dead = stored[~np.isin(stored, self._live_labels())]  # deleted or replaced meanwhile
                if index_type == "flat":
                    if len(dead):
                        index.remove_ids(faiss.IDSelectorBatch(dead))
                    tombstones: set[int] = set()
                else:
                    tombstones = set(dead.tolist())
                self._index, self.index_type, self._tombstones = index, index_type, tombstones
                log.info("rebuilt %s index in the background: %d vectors", index_type, len(self._labels))
        except Exception:  # the old index keeps serving; the next write tries again
            log.exception("background rebuild of the %s index failed", index_type)
        finally:
            with self._lock:
                self._rebuilding, self._added_meanwhile = None, None

    def _live_vectors(self) -> tuple[Labels, Floats]:
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
            index = self._train(index, vectors, like=self._index)
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

    def vector(self, item: str) -> Floats:
        """The stored vector of one id (KeyError if absent); on ivf_sq its 8-bit-decoded approximation."""
        with self._lock:
            # an ndarray already (no copy): faiss's stubs type `reconstruct` without a buffer as a torch Tensor
            return np.asarray(self._index.reconstruct(self._labels[item]), dtype=np.float32)

    def similarities(self, query_vector: npt.ArrayLike, items: Sequence[str]) -> npt.NDArray[np.float64]:
        """Inner product (cosine, for unit vectors) of one query with each stored item, in order; 0 for an
        item not stored. One reconstruct call and one matrix product: a pool of thousands costs ~2 ms,
        where a restricted search per chunk cost tens (and an HNSW one could miss ids)."""
        query = np.asarray(query_vector, dtype=np.float32).reshape(-1)
        out = np.zeros(len(items), dtype=np.float64)
        with self._lock:
            labels = np.fromiter((self._labels.get(i, -1) for i in items), dtype=np.int64, count=len(items))
            present = np.flatnonzero(labels >= 0)
            if present.size:
                out[present] = self._index.reconstruct_batch(labels[present]) @ query
        return out

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

    def search(self, query_vectors: npt.ArrayLike, k: int, allow: Allow = None) -> list[Hits]:
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

    # Search effort: efSearch on hnsw, lists probed (nprobe) on ivf_sq; unused on flat.

    def _base_effort(self) -> int:
        return self.nprobe if self.index_type == "ivf_sq" else self.ef_search

    def _max_effort(self) -> int:
        """The effort at which the approximate search scans everything."""
        if self.index_type == "ivf_sq":
            return int(self._ivf().nlist)
        return int(self._index.ntotal)

    def _ivf(self) -> faiss.IndexIVF:
        """The inner index of an ivf_sq index, as its IVF class."""
        inner = faiss.downcast_index(self._index.index)
        if not isinstance(inner, faiss.IndexIVF):
            raise TypeError(f"an {self.index_type} index holds {type(inner).__name__}, not an IVF index")
        return inner

    def _effort_for(self, candidates: int, pass_share: float) -> int:
        """Effort for `candidates` hits passing a filter that lets `pass_share` of the vectors through."""
        if self.index_type == "ivf_sq":
            # every probed list is scanned in full: probe lists holding ~2x the needed candidates
            scanned = 2 * candidates / max(pass_share, 1e-9)
            return max(self.nprobe, math.ceil(scanned * self._max_effort() / max(1, self._index.ntotal)))
        # the graph visits roughly ef nodes; scale ef so about `candidates` of them pass the filter
        return max(self.ef_search, math.ceil(candidates / max(pass_share, 1e-9)))

    def _raw_search(
        self, queries: Floats, k: int, sel: faiss.IDSelector | None, ef: int | None = None
    ) -> tuple[Floats, Labels]:
        k = min(k, self._index.ntotal)
        # Fields are set one by one: what faiss's keyword constructor does, which its stubs do not declare.
        params: faiss.SearchParameters | None
        if self.index_type == "hnsw":
            params = hnsw = faiss.SearchParametersHNSW()  # type: ignore[attr-defined]  # not in faiss 1.15's stubs
            hnsw.sel = sel
            hnsw.efSearch = max(ef or self.ef_search, k)
        elif self.index_type == "ivf_sq":
            params = ivf = faiss.SearchParametersIVF()
            ivf.sel = sel
            ivf.nprobe = max(1, min(ef or self.nprobe, self._max_effort()))
        elif sel is not None:
            params = faiss.SearchParameters()
            params.sel = sel
        else:
            params = None
        if len(queries) > SINGLE_THREAD_ROWS:
            return self._index.search(queries, k, params=params)
        # A few query rows: FAISS would split one flat scan (or ivf_sq's small coarse-quantizer scan)
        # over two OpenMP threads, and the fork/join costs more than it saves, the more so when the
        # second thread waits for a core that other work holds. The setting is per calling thread
        # (an OpenMP ICV), so other threads are unaffected.
        threads = faiss.omp_get_max_threads()
        faiss.omp_set_num_threads(1)
        try:
            return self._index.search(queries, k, params=params)
        finally:
            faiss.omp_set_num_threads(threads)

    def _hits(self, scores: Floats, labels: Labels, k: int) -> list[Hits]:
        names = self._names
        return [
            [
                (names[label], float(score))
                for score, label in zip(row_s, row_l.tolist(), strict=False)
                if label in names
            ][:k]
            for row_s, row_l in zip(scores, labels, strict=False)
        ]

    def _ann_complete(
        self,
        queries: Floats,
        k: int,
        sel: faiss.IDSelector | None,
        ef: int,
        candidates: Callable[[], Labels],
        available: int,
    ) -> list[Hits]:
        """Approximate search that widens the effort (efSearch / nprobe) until every row has
        min(k, available) hits, then falls back to an exact search over `candidates()` for rows the
        index still can't fill."""
        need = min(k, available)
        while True:
            results = self._hits(*self._raw_search(queries, k, sel, ef), k)
            short = [r for r, hits in enumerate(results) if len(hits) < need]
            if not short:
                return results
            if ef >= self._max_effort():
                break
            ef = min(ef * 4, self._max_effort())
        exact = self._exact_search(queries[short], k, candidates())
        for row, hits in zip(short, exact, strict=False):
            results[row] = hits
        return results

    def _exact_search(self, queries: Floats, k: int, labels: Labels) -> list[Hits]:
        """Brute-force inner product against the given live labels (used for small candidate sets)."""
        if not len(labels):
            return [[] for _ in range(len(queries))]
        vectors = self._index.reconstruct_batch(labels)
        scores, rows = faiss.knn(
            queries, np.ascontiguousarray(vectors), min(k, len(labels)), metric=faiss.METRIC_INNER_PRODUCT
        )
        return self._hits(scores, np.where(rows >= 0, labels[rows], -1), k)

    def _live_labels(self) -> Labels:
        return np.fromiter(self._names, dtype=np.int64, count=len(self._names))

    def _search_all(self, queries: Floats, k: int) -> list[Hits]:
        if self.index_type == "flat":
            return self._hits(*self._raw_search(queries, k, None), k)
        return self._ann_complete(
            queries, k, self._tombstone_selector(), self._base_effort(), self._live_labels, len(self._labels)
        )

    def _search_subset(self, queries: Floats, k: int, allow: Collection[str]) -> list[Hits]:
        if isinstance(allow, str):
            raise TypeError("allow must be a collection of ids or a predicate, not a single str")
        allowed = allow if isinstance(allow, (set, frozenset)) else set(allow)
        if not allowed:
            return [[] for _ in range(len(queries))]
        if self._approximate and len(allowed) > self.exact_subset_limit:
            # A large allow-set costs one id-map lookup per allowed id to become FAISS labels (50k
            # lookups for a 5% filter at 1M postings: ~100+ ms). When over-fetching k / selectivity
            # hits and testing membership needs fewer lookups than that, do that instead.
            share = min(1.0, len(allowed) / max(1, len(self._labels)))
            fetch = math.ceil(2 * k / share)
            if fetch <= len(allowed):
                results, _ = self._post_filter(queries, k, allowed.__contains__, fetch, max_fetch=len(allowed))
                short = [r for r, hits in enumerate(results) if len(hits) < k]
                if short:  # unknown ids in the set, or the index did not reach enough allowed vectors
                    for row, hits in zip(short, self._search_labels(queries[short], k, allowed), strict=False):
                        results[row] = hits
                return results
        return self._search_labels(queries, k, allowed)

    def _search_labels(self, queries: Floats, k: int, allowed: Collection[str]) -> list[Hits]:
        """Allow-set search through FAISS labels: an IDSelector, or an exact search over a small set."""
        get = self._labels.get
        labels = np.fromiter((label for label in map(get, allowed) if label is not None), dtype=np.int64)
        if not len(labels):
            return [[] for _ in range(len(queries))]
        if self.index_type == "flat":
            return self._hits(*self._raw_search(queries, k, faiss.IDSelectorBatch(labels)), k)
        if len(labels) <= self.exact_subset_limit:
            return self._exact_search(queries, k, labels)
        ef = self._effort_for(k, len(labels) / self._index.ntotal)
        return self._ann_complete(queries, k, faiss.IDSelectorBatch(labels), ef, lambda: labels, len(labels))

    def _post_filter(
        self, queries: Floats, k: int, allowed: Callable[[str], bool], fetch: int, max_fetch: int | None = None
    ) -> tuple[list[Hits], list[int]]:
        """Search `fetch` hits, keep the allowed ones, double `fetch` for rows short of k until the
        whole index is fetched (or `fetch` would pass `max_fetch`). Returns the results and the rows
        given up on at `max_fetch`."""
        results: list[Hits] = [[] for _ in range(len(queries))]
        pending = list(range(len(queries)))
        total = self._index.ntotal
        fetch = min(fetch, total)
        sel = self._tombstone_selector()
        while pending:
            scores, labels = self._raw_search(queries[pending], fetch, sel, ef=self._effort_for(fetch, 1.0))
            fetched = self._hits(scores, labels, fetch)
            still = []
            for row, hits in zip(pending, fetched, strict=False):
                results[row] = [hit for hit in hits if allowed(hit[0])][:k]
                if len(results[row]) < k and fetch < total:
                    still.append(row)
            pending = still
            fetch = min(fetch * 2, total)
            if max_fetch is not None and fetch > max_fetch:
                break
        return results, pending

    def _search_predicate(self, queries: Floats, k: int, allow: Callable[[str], bool]) -> list[Hits]:
        verdicts: dict[str, bool] = {}  # each id is judged once per call

        def allowed(name: str) -> bool:
            verdict = verdicts.get(name)
            if verdict is None:
                verdict = verdicts[name] = bool(allow(name))
            return verdict

        results, _ = self._post_filter(queries, k, allowed, 2 * k)
        if self._approximate:
            # The index may not reach every vector even when asked for all; finish short rows exactly.
            short = [r for r, hits in enumerate(results) if len(hits) < k]
            if short:
                names = [n for n in self._labels if allowed(n)]
                labels = np.fromiter((self._labels[n] for n in names), dtype=np.int64, count=len(names))
                for row, hits in zip(short, self._exact_search(queries[short], k, labels), strict=False):
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
        obj._labels = dict(zip(ids["ids"], ids["labels"], strict=False))
        obj._names = {label: name for name, label in obj._labels.items()}
        obj._tombstones = set(ids["tombstones"])
        obj._next_label = int(ids["next_label"])
        if index.ntotal != len(obj._labels) + len(obj._tombstones) or len(obj._labels) != manifest["count"]:
            raise IndexCorruptError(f"{directory}: id map and index disagree on the number of vectors")
        if obj.index_type not in INDEX_TYPES:
            raise IndexCorruptError(f"{directory}: unknown index type {obj.index_type!r}")
        inner = faiss.downcast_index(index.index)
        if obj.index_type == "hnsw":
            if not isinstance(inner, faiss.IndexHNSW):
                raise IndexCorruptError(f"{directory}: an hnsw index holds {type(inner).__name__}")
            inner.hnsw.efSearch = obj.ef_search
        elif obj.index_type == "ivf_sq":
            if not isinstance(inner, faiss.IndexIVF):
                raise IndexCorruptError(f"{directory}: an ivf_sq index holds {type(inner).__name__}")
            inner.nprobe = min(obj.nprobe, inner.nlist)
        log.info("loaded %s index (%d vectors, %s) from %s", obj.index_type, len(obj), built_id, directory)
        return obj

    def __repr__(self) -> str:
        return (
            f"VectorIndex(encoder_id={self.encoder_id!r}, dim={self.dim}, count={len(self)}, type={self.index_type!r})"
        )
