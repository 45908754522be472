"""Concatenation fusion of several encoders (default: usem + e5).

Each part is unit-length and scaled by sqrt(w_i) with sum(w_i) == 1, so the fused
vector is unit-length too and  <fused(a), fused(b)> == sum_i w_i * cos_i(a, b):
with equal weights, the mean of the parts' cosines. Any inner-product index then
ranks by that mean with no extra code.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .base import Encoder, Kind, Vectors, check_encode_args, l2_normalize, limit_threads


class FusionEncoder:
    def __init__(self, parts: Sequence[Encoder], weights: Sequence[float] | None = None) -> None:
        if len(parts) < 2:
            raise ValueError("fusion needs at least two encoders")
        weights = [1.0] * len(parts) if weights is None else list(weights)
        if len(weights) != len(parts) or any(w <= 0 for w in weights):
            raise ValueError("fusion weights must be positive, one per part")
        total = sum(weights)
        self.parts = list(parts)
        self.weights = [w / total for w in weights]
        self._scales = [float(np.sqrt(w)) for w in self.weights]
        self.id = "fusion(" + "+".join(p.id for p in self.parts) + ")"
        self.dim = sum(p.dim for p in self.parts)

    def limit_threads(self, threads: int) -> None:
        """Each part that has a thread setting gets the limit (the parts run one after another)."""
        for part in self.parts:
            limit_threads(part, threads)

    def encode(self, texts: Sequence[str], kind: Kind = "passage", batch_size: int = 64) -> Vectors:
        # Parts carry their own locks, so fusion itself needs none.
        items = check_encode_args(texts, kind, batch_size)
        blocks = [
            l2_normalize(part.encode(items, kind=kind, batch_size=batch_size)) * scale
            for part, scale in zip(self.parts, self._scales, strict=False)
        ]
        return np.ascontiguousarray(np.hstack(blocks), dtype=np.float32)

    def __repr__(self) -> str:
        return f"FusionEncoder(id={self.id!r}, dim={self.dim})"
