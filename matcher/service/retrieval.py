"""The retriever seam: what ranking asks of a search engine, and the embedded implementation.

Ranking needs two things from search: a hybrid candidate list for a query (dense + lexical, fused by
reciprocal rank, restricted to allowed ids) and the exact similarity of a query with a given pool. The
embedded `IndexRetriever` answers both from in-process FAISS + bm25s; a Milvus one can stand behind the same
`Retriever` protocol. The engine swaps its retriever by reference on a rebuild, so a reader holding one
keeps a consistent pair of indexes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from typing import Protocol, TypeVar

import numpy as np
import numpy.typing as npt

from indexes import BM25Index, VectorIndex

RRF_K = 60  # reciprocal-rank-fusion constant; 60 is the usual, untuned default
Allow = AbstractSet[str] | Callable[[str], bool] | None


Id = TypeVar("Id", str, int)


def rrf(rankings: Iterable[Sequence[Id]], k: int = RRF_K) -> list[tuple[Id, float]]:
    """Reciprocal-rank fusion of ranked id lists, best first (ties by id)."""
    fused: dict[Id, float] = {}
    for ranking in rankings:
        for rank, rid in enumerate(ranking):
            fused[rid] = fused.get(rid, 0.0) + 1.0 / (k + rank + 1)
    return sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))


class Retriever(Protocol):
    def hybrid(
        self, kind: str, text: str, query_vector: npt.NDArray[np.float32], depth: int, allow: Allow = None
    ) -> list[tuple[str, float]]:
        """Up to `depth` dense and `depth` lexical hits among allowed ids, fused by RRF, best first."""
        ...

    def similarities(
        self, kind: str, query_vector: npt.NDArray[np.float32], ids: Sequence[str]
    ) -> npt.NDArray[np.float64]:
        """Cosine of the query with each given id, in order (0 for an id not indexed)."""
        ...


class IndexRetriever:
    """The embedded retriever: one FAISS `VectorIndex` and one `BM25Index` per record kind."""

    def __init__(self, dense: Mapping[str, VectorIndex], lexical: Mapping[str, BM25Index]) -> None:
        self.dense = dict(dense)
        self.lexical = dict(lexical)

    def hybrid(
        self, kind: str, text: str, query_vector: npt.NDArray[np.float32], depth: int, allow: Allow = None
    ) -> list[tuple[str, float]]:
        dense, lexical = self.dense[kind], self.lexical[kind]
        if isinstance(allow, AbstractSet) and len(allow) > 0.25 * max(len(dense), 1):
            # A filter that passes most records (e.g. "open postings"): test membership on the hits
            # instead of turning ~all ids into a FAISS selector / BM25 subset on every query. Same
            # results (both index types return the top `depth` allowed hits either way), far cheaper.
            allow = allow.__contains__
        dense_hits = dense.search(query_vector, depth, allow=allow)[0]
        lexical_hits = lexical.search(text, depth, allow=allow) if text.strip() else []
        return rrf([[rid for rid, _ in dense_hits], [rid for rid, _ in lexical_hits]])

    def similarities(
        self, kind: str, query_vector: npt.NDArray[np.float32], ids: Sequence[str]
    ) -> npt.NDArray[np.float64]:
        return self.dense[kind].similarities(query_vector, ids)


__all__ = ["RRF_K", "IndexRetriever", "Retriever", "rrf"]
