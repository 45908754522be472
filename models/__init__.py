"""Text encoders behind one interface, chosen by a spec string (see `get_encoder`)."""

from __future__ import annotations

import threading
from pathlib import Path

from .base import Encoder, Kind, MissingDependencyError, ThreadLimited, Vectors, limit_threads
from .cache import CachedEncoder
from .e5 import E5Encoder
from .fusion import FusionEncoder
from .onnx_encoder import OnnxEncoder
from .st import SentenceTransformerEncoder
from .usem import UsemEncoder

__all__ = [
    "ENCODER_SPECS",
    "CachedEncoder",
    "E5Encoder",
    "Encoder",
    "FusionEncoder",
    "Kind",
    "MissingDependencyError",
    "OnnxEncoder",
    "SentenceTransformerEncoder",
    "ThreadLimited",
    "UsemEncoder",
    "Vectors",
    "get_encoder",
    "limit_threads",
]

ST_PREFIX = "st:"
ONNX_PREFIX = "onnx:"
ENCODER_SPECS: tuple[str, ...] = ("usem", "e5", "fusion", "st:<local path or hub name>", "onnx:<exported model dir>")

# One instance per (spec, cache dir): models are big and load once per process.
_instances: dict[tuple[str, str | None], Encoder] = {}
_instances_lock = threading.RLock()  # re-entrant: "fusion" builds its parts through get_encoder


def get_encoder(spec: str = "usem", cache_dir: Path | str | None = None) -> Encoder:
    """Return the process-wide encoder for `spec`, wrapped in an on-disk cache if `cache_dir` is given.

    Specs: "usem", "e5", "fusion" (usem+e5), "st:<local path or hub name>", "onnx:<dir or .onnx file>"
    (a model exported by `models.finetune`, run with onnxruntime).
    """
    spec = spec.strip()
    _check_spec(spec)
    key = (spec, str(Path(cache_dir).resolve()) if cache_dir is not None else None)
    with _instances_lock:
        encoder = _instances.get(key)
        if encoder is None:
            encoder = _build(spec, cache_dir)
            _instances[key] = encoder
        return encoder


def _check_spec(spec: str) -> None:
    if spec in ("usem", "e5", "fusion"):
        return
    for prefix in (ST_PREFIX, ONNX_PREFIX):
        if spec.startswith(prefix) and spec[len(prefix) :].strip():
            return
    raise ValueError(f"unknown encoder spec {spec!r}; valid specs: {', '.join(ENCODER_SPECS)}")


def _build(spec: str, cache_dir: Path | str | None) -> Encoder:
    if spec == "fusion":
        # Cache the parts, not the concatenation: their vectors are shared with plain usem/e5.
        return FusionEncoder([get_encoder("usem", cache_dir), get_encoder("e5", cache_dir)])
    if cache_dir is not None:
        return CachedEncoder(get_encoder(spec), cache_dir)
    if spec == "usem":
        return UsemEncoder()
    if spec == "e5":
        return E5Encoder()
    if spec.startswith(ONNX_PREFIX):
        return OnnxEncoder(spec[len(ONNX_PREFIX) :].strip())
    return SentenceTransformerEncoder(spec[len(ST_PREFIX) :].strip())
