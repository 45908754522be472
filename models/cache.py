"""On-disk embedding cache, so re-indexing unchanged postings and courses costs nothing.

One SQLite file (WAL mode: the API and a CLI re-index can share it) keyed by
(encoder id, sha1(kind + text)); vectors are stored as raw float32 bytes. The
encoder id is part of the key, so switching or upgrading a model never serves
stale vectors.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from .base import Encoder, Kind, Vectors, check_encode_args, limit_threads

log = logging.getLogger(__name__)

CACHE_FILENAME = "embeddings.sqlite3"
_SQL_CHUNK = 500  # stay well under SQLite's bound-parameter limit

_SCHEMA = """
CREATE TABLE IF NOT EXISTS embeddings (
    encoder_id TEXT NOT NULL,
    key        BLOB NOT NULL,
    dim        INTEGER NOT NULL,
    vector     BLOB NOT NULL,
    PRIMARY KEY (encoder_id, key)
) WITHOUT ROWID
"""


def cache_key(kind: str, text: str) -> bytes:
    """sha1 over kind and text: e5 embeds the same text differently as query and passage."""
    return hashlib.sha1(f"{kind}\n{text}".encode()).digest()


T = TypeVar("T")


def _chunks(items: list[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class CachedEncoder:
    """Wraps any Encoder with the same interface; only cache misses reach the wrapped encoder.

    `hits` / `misses` count texts served from / added to the cache by this instance.
    """

    def __init__(self, encoder: Encoder, cache_dir: Path | str) -> None:
        self.encoder = encoder
        self.id = encoder.id
        self.dim = encoder.dim
        self.path = Path(cache_dir) / CACHE_FILENAME
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.hits = 0
        self.misses = 0
        # One connection shared by all threads, serialised by a lock (SQLite connections
        # are not safe for concurrent use). Encoding misses happens outside the lock.
        self._db_lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=30.0)
        with self._db_lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(_SCHEMA)
            self._db.commit()

    def limit_threads(self, threads: int) -> None:
        """Misses are encoded by the wrapped encoder: it gets the limit."""
        limit_threads(self.encoder, threads)

    def encode(self, texts: Sequence[str], kind: Kind = "passage", batch_size: int = 64) -> Vectors:
        items = check_encode_args(texts, kind, batch_size)
        out = np.zeros((len(items), self.dim), dtype=np.float32)
        if not items:
            return out

        keys = [cache_key(kind, t) for t in items]
        found = self._lookup(list(dict.fromkeys(keys)))
        # Unique missing texts, in first-seen order, with every row that needs them.
        missing: dict[bytes, list[int]] = {}
        for row, key in enumerate(keys):
            vector = found.get(key)
            if vector is None:
                missing.setdefault(key, []).append(row)
            else:
                out[row] = vector

        miss_keys = list(missing)
        for batch in _chunks(miss_keys, batch_size):
            vectors = self.encoder.encode([items[missing[k][0]] for k in batch], kind=kind, batch_size=batch_size)
            self._store(batch, vectors)  # per batch, so a crash mid-run keeps the work done
            for key, vector in zip(batch, vectors, strict=False):
                out[missing[key]] = vector

        with self._db_lock:
            self.misses += len(miss_keys)
            self.hits += len(items) - sum(len(rows) for rows in missing.values())
        if miss_keys:
            log.debug("%s: %d cache misses of %d texts", self.id, len(miss_keys), len(items))
        return out

    def _lookup(self, keys: list[bytes]) -> dict[bytes, npt.NDArray[np.float32]]:
        found: dict[bytes, npt.NDArray[np.float32]] = {}
        with self._db_lock:
            for chunk in _chunks(keys, _SQL_CHUNK):
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    f"SELECT key, dim, vector FROM embeddings WHERE encoder_id = ? AND key IN ({marks})",
                    [self.id, *chunk],
                )
                for key, dim, blob in rows:
                    if dim == self.dim and len(blob) == 4 * dim:  # ignore damaged rows: re-encode
                        found[bytes(key)] = np.frombuffer(blob, dtype=np.float32)
        return found

    def _store(self, keys: list[bytes], vectors: Vectors) -> None:
        vectors = np.asarray(vectors, dtype=np.float32)
        rows = [(self.id, key, self.dim, vec.tobytes()) for key, vec in zip(keys, vectors, strict=False)]
        with self._db_lock:
            self._db.executemany(
                "INSERT OR REPLACE INTO embeddings (encoder_id, key, dim, vector) VALUES (?, ?, ?, ?)", rows
            )
            self._db.commit()

    def __len__(self) -> int:
        """Number of vectors cached for this encoder id."""
        with self._db_lock:
            (count,) = self._db.execute("SELECT COUNT(*) FROM embeddings WHERE encoder_id = ?", [self.id]).fetchone()
        return int(count)

    def close(self) -> None:
        with self._db_lock:
            self._db.close()

    def __repr__(self) -> str:
        return f"CachedEncoder({self.encoder!r}, path={str(self.path)!r})"
