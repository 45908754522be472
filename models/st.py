"""Any sentence-transformers model (`st:<local path or hub name>`), e.g. a fine-tuned e5.

torch and sentence-transformers are optional and heavy, so they are imported only
when an `st:` encoder is actually built. If the model's config defines prompts named
"query" / "passage" (e.g. {"query": "query: ", "passage": "passage: "} for e5), `kind`
selects them; otherwise `kind` is ignored.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

import numpy as np

from .base import Kind, MissingDependencyError, Vectors, check_encode_args, l2_normalize

log = logging.getLogger(__name__)

INSTALL_HINT = "pip install torch==2.13.0 sentence-transformers"


class SentenceTransformerEncoder:
    def __init__(self, name_or_path: str, device: str = "cpu") -> None:
        if not name_or_path:
            raise ValueError("st: encoder needs a model path or hub name, e.g. st:/models/e5-finetuned")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise MissingDependencyError(
                f"encoder 'st:{name_or_path}' needs sentence-transformers, which is not installed "
                f"({exc}); install it with `{INSTALL_HINT}`"
            ) from exc
        self.id = f"st:{name_or_path}"
        log.info("loading sentence-transformers model %s", name_or_path)
        self._model = SentenceTransformer(name_or_path, device=device)
        # sentence-transformers 6 renamed the method; prefer the new name (the old one warns).
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        dim = get_dim()
        if dim is None:
            raise ValueError(f"st:{name_or_path}: the model does not state its embedding dimension")
        self.dim = int(dim)
        self._prompts = set(getattr(self._model, "prompts", None) or {})
        # torch modules are not guaranteed re-entrant; keep one call in flight per model.
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str], kind: Kind = "passage", batch_size: int = 64) -> Vectors:
        items = check_encode_args(texts, kind, batch_size)
        if not items:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            out = self._model.encode(
                items,
                batch_size=batch_size,
                prompt_name=kind if kind in self._prompts else None,
                convert_to_numpy=True,
                normalize_embeddings=True,
                show_progress_bar=False,
            )
        return l2_normalize(out)

    def __repr__(self) -> str:
        return f"SentenceTransformerEncoder(id={self.id!r}, dim={self.dim})"
