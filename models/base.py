"""The one encoder interface every part of the matcher codes against.

Backends differ (numpy USE, a C e5 engine, torch models), but callers only see
`Encoder.encode(texts, kind) -> float32 (n, dim) with unit-length rows`, so
inner product == cosine everywhere downstream (FAISS IndexFlatIP, fusion).
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Literal, Protocol, TypeAlias, runtime_checkable

import numpy as np
import numpy.typing as npt

Kind = Literal["query", "passage"]
KINDS: tuple[Kind, ...] = ("query", "passage")
Vectors: TypeAlias = npt.NDArray[np.float32]  # (n, dim), one unit-length row per text


class MissingDependencyError(ImportError):
    """An optional backend was requested but its packages are not installed."""


@runtime_checkable
class Encoder(Protocol):
    """Text -> unit vectors. Implementations must be safe to call from several threads."""

    id: str
    dim: int

    def encode(self, texts: Sequence[str], kind: Kind = "passage", batch_size: int = 64) -> Vectors:
        """Return float32 array (len(texts), dim) with L2-normalised rows."""
        ...


@runtime_checkable
class ThreadLimited(Protocol):
    """An encoder whose compute threads can be pinned after it is built (not every backend can)."""

    def limit_threads(self, threads: int) -> None:
        """Run later encodes on at most `threads` threads."""
        ...


def limit_threads(encoder: Encoder, threads: int) -> None:
    """Pin `encoder`'s own compute threads to `threads`, if it has such a setting (else leave it as is).

    The API server calls it once (one thread per query encode beats threads fighting for two cores); wrappers
    (cache, fusion) pass it on to what they wrap."""
    if threads < 1:
        raise ValueError(f"threads must be >= 1, got {threads}")
    if isinstance(encoder, ThreadLimited):
        encoder.limit_threads(threads)


def l2_normalize(vectors: npt.ArrayLike) -> Vectors:
    """Row-normalise to unit length (zero rows stay zero instead of becoming NaN)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    np.maximum(norms, 1e-12, out=norms)
    return np.ascontiguousarray(vectors / norms, dtype=np.float32)


def check_texts(texts: Sequence[str]) -> list[str]:
    """Reject a bare string (it is a Sequence[str] of characters) and non-str items early."""
    if isinstance(texts, str):
        raise TypeError("encode() takes a sequence of strings, not a single str; wrap it in a list")
    items = list(texts)
    for i, text in enumerate(items):
        if not isinstance(text, str):
            raise TypeError(f"texts[{i}] is {type(text).__name__}, expected str")
    return items


def check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")


def check_batch_size(batch_size: int) -> None:
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")


def check_encode_args(texts: Sequence[str], kind: str, batch_size: int) -> list[str]:
    """Every encoder's `encode` arguments checked the same way; the texts as a list."""
    items = check_texts(texts)
    check_kind(kind)
    check_batch_size(batch_size)
    return items


class BatchEncoder(ABC):
    """Shared plumbing for single-engine backends: validation, batching, locking, normalisation.

    The engines (numpy USE with a process-wide BLAS thread limit, an OpenMP C library)
    are not documented as thread-safe, so each instance serialises calls into its
    engine with its own lock; the lock is taken per batch so long jobs interleave
    with short API queries. Subclasses load their engine lazily in `_encode_batch`.
    """

    id: str
    dim: int

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str], kind: Kind = "passage", batch_size: int = 64) -> Vectors:
        items = check_encode_args(texts, kind, batch_size)
        if not items:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts: list[npt.NDArray[np.floating]] = []
        for start in range(0, len(items), batch_size):
            with self._lock:
                parts.append(self._encode_batch(items[start : start + batch_size], kind))
        out = l2_normalize(np.vstack(parts))
        if out.shape != (len(items), self.dim):
            raise RuntimeError(f"{self.id}: engine returned shape {out.shape}, expected {(len(items), self.dim)}")
        return out

    @abstractmethod
    def _encode_batch(self, texts: list[str], kind: Kind) -> npt.NDArray[np.floating]:
        """Encode one non-empty batch (rows need not be unit length yet); called with the instance lock held."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(id={self.id!r}, dim={self.dim})"
