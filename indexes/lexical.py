"""BM25 over jieba tokens (bm25s): catches exact occupation names and certificates that
dense encoders blur, e.g. "叉车" vs "起重".

bm25s has no incremental add/remove, so this class keeps the tokenised corpus and
rebuilds the bm25s structure lazily on the first search after a change (indexing
is fast: tokens are cached, only the sparse matrix is recomputed). A removed id is
therefore never returned. Batch your changes: each change-then-search costs one rebuild.
Only documents sharing at least one token with the query (score > 0) are returned.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection, Iterable, Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any, Union

import bm25s
import numpy as np

from .errors import IndexCorruptError
from .storage import atomic_directory, read_json, read_manifest, utc_now_iso, verify_checksums, write_json, write_manifest
from .tokenizer import shared_tokenizer

log = logging.getLogger(__name__)
logging.getLogger("bm25s").setLevel(logging.WARNING)  # bm25s logs every build at DEBUG

FORMAT = "cq-matcher/bm25-index"
FORMAT_VERSION = 1
DOCS_FILE = "docs.json"
TERMS_FILE = "terms.json"
BM25S_DIR = "bm25s"

Allow = Union[Callable[[str], bool], Collection[str], None]


class BM25Index:
    def __init__(
        self,
        domain_terms: Iterable[str] | None = None,
        *,
        k1: float = 1.5,
        b: float = 0.75,
        method: str = "lucene",
    ) -> None:
        """`domain_terms`: words jieba must keep whole (CSCO occupation names and aliases)."""
        self.tokenizer = shared_tokenizer(domain_terms or ())
        self.k1, self.b, self.method = float(k1), float(b), method
        self._lock = threading.RLock()
        self._ids: list[str] = []
        self._tokens: list[list[str]] = []
        self._pos: dict[str, int] = {}
        self._retriever: bm25s.BM25 | None = None
        self._stale = False

    def tokenize(self, text: str) -> list[str]:
        return self.tokenizer.tokenize(text)

    # ---------- content ----------

    def build(self, ids: Sequence[str], texts: Sequence[str]) -> None:
        """Replace the whole corpus and index it now."""
        ids, tokens = self._prepare(ids, texts)
        with self._lock:
            self._ids, self._tokens = ids, tokens
            self._pos = {i: n for n, i in enumerate(ids)}
            self._stale = True
            self._refresh()

    def add(self, ids: Sequence[str], texts: Sequence[str]) -> None:
        """Upsert documents; takes effect at the next search (or save)."""
        ids, tokens = self._prepare(ids, texts)
        with self._lock:
            for doc_id, doc_tokens in zip(ids, tokens):
                pos = self._pos.get(doc_id)
                if pos is None:
                    self._pos[doc_id] = len(self._ids)
                    self._ids.append(doc_id)
                    self._tokens.append(doc_tokens)
                else:
                    self._tokens[pos] = doc_tokens
            self._stale = True

    def remove(self, ids: Iterable[str]) -> int:
        """Delete ids (unknown ones are ignored); returns how many were removed."""
        if isinstance(ids, str):
            raise TypeError("remove() takes a collection of ids, not a single str")
        with self._lock:
            dead = {i for i in ids if i in self._pos}
            if dead:
                kept = [(i, t) for i, t in zip(self._ids, self._tokens) if i not in dead]
                self._ids = [i for i, _ in kept]
                self._tokens = [t for _, t in kept]
                self._pos = {i: n for n, i in enumerate(self._ids)}
                self._stale = True
            return len(dead)

    def _prepare(self, ids: Sequence[str], texts: Sequence[str]) -> tuple[list[str], list[list[str]]]:
        if isinstance(ids, str) or isinstance(texts, str):
            raise TypeError("ids and texts must be sequences of strings, not a single str")
        ids, texts = list(ids), list(texts)
        if len(ids) != len(texts):
            raise ValueError(f"{len(ids)} ids but {len(texts)} texts")
        last = {}
        for row, doc_id in enumerate(ids):
            if not isinstance(doc_id, str) or not doc_id:
                raise ValueError(f"ids must be non-empty strings, got {doc_id!r}")
            last[doc_id] = row  # duplicates in one call: the last occurrence wins
        rows = sorted(last.values())
        return [ids[r] for r in rows], [self.tokenize(texts[r]) for r in rows]

    def _refresh(self) -> None:
        """Rebuild the bm25s structure if the corpus changed (lock held)."""
        if not self._stale:
            return
        if any(self._tokens):
            retriever = bm25s.BM25(k1=self.k1, b=self.b, method=self.method)
            retriever.index(self._tokens, show_progress=False)
            self._retriever = retriever
        else:
            self._retriever = None  # empty corpus, or no document has a single token
        self._stale = False
        log.debug("bm25 index rebuilt: %d documents", len(self._ids))

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, item: object) -> bool:
        return item in self._pos

    def ids(self) -> list[str]:
        with self._lock:
            return list(self._ids)

    # ---------- search ----------

    def search(self, text: str, k: int, allow: Allow = None) -> list[tuple[str, float]]:
        """Top-k (id, BM25 score), best first; `allow` is a collection of ids or a predicate."""
        if isinstance(allow, str):
            raise TypeError("allow must be a collection of ids or a predicate, not a single str")
        query_tokens = self.tokenize(text)
        with self._lock:
            self._refresh()
            if k <= 0 or self._retriever is None:
                return []
            token_ids = self._retriever.get_tokens_ids(query_tokens)
            if not token_ids:
                return []
            scores = np.asarray(self._retriever.get_scores_from_ids(token_ids))
            if allow is None:
                order = _top(np.flatnonzero(scores > 0), scores, k)
            elif callable(allow):
                positive = np.flatnonzero(scores > 0)
                ranked = positive[np.argsort(-scores[positive], kind="stable")]
                order = []
                for pos in ranked.tolist():
                    if allow(self._ids[pos]):
                        order.append(pos)
                        if len(order) == k:
                            break
            else:
                subset = np.fromiter((self._pos[i] for i in set(allow) if i in self._pos), dtype=np.int64)
                order = _top(subset[scores[subset] > 0], scores, k)
            return [(self._ids[pos], float(scores[pos])) for pos in np.asarray(order, dtype=np.int64).tolist()]

    # ---------- persistence ----------

    def save(self, directory: Path | str) -> dict[str, Any]:
        """Write atomically to `directory` (replacing any previous save); returns the manifest."""
        with self._lock:
            self._refresh()
            with atomic_directory(directory) as tmp:
                if self._retriever is not None:
                    self._retriever.save(str(tmp / BM25S_DIR), show_progress=False)
                write_json(tmp / DOCS_FILE, {"ids": self._ids, "tokens": self._tokens})
                write_json(tmp / TERMS_FILE, self.tokenizer.domain_terms)
                manifest = write_manifest(
                    tmp,
                    {
                        "format": FORMAT,
                        "format_version": FORMAT_VERSION,
                        "count": len(self._ids),
                        "built_at": utc_now_iso(),
                        "params": {"k1": self.k1, "b": self.b, "method": self.method},
                        "domain_terms": len(self.tokenizer.domain_terms),
                        "jieba_version": version("jieba"),
                        "bm25s_version": version("bm25s"),
                    },
                )
        log.info("saved bm25 index (%d documents) to %s", len(self), directory)
        return manifest

    @classmethod
    def load(cls, directory: Path | str) -> BM25Index:
        """Load a saved index (IndexCorruptError if files are damaged); domain terms come from the save."""
        directory = Path(directory)
        manifest = read_manifest(directory, FORMAT, (FORMAT_VERSION,))
        verify_checksums(directory, manifest)
        if manifest.get("jieba_version") != version("jieba"):
            log.warning(
                "bm25 index was tokenised with jieba %s, now %s: queries may tokenise differently; consider a rebuild",
                manifest.get("jieba_version"),
                version("jieba"),
            )
        docs = read_json(directory / DOCS_FILE)
        obj = cls(read_json(directory / TERMS_FILE), **manifest["params"])
        obj._ids, obj._tokens = list(docs["ids"]), [list(t) for t in docs["tokens"]]
        obj._pos = {i: n for n, i in enumerate(obj._ids)}
        if len(obj._ids) != len(obj._tokens) or len(obj._pos) != len(obj._ids) or len(obj._ids) != manifest["count"]:
            raise IndexCorruptError(f"{directory}: {DOCS_FILE} is inconsistent with the manifest")
        if (directory / BM25S_DIR).is_dir():
            obj._retriever = bm25s.BM25.load(str(directory / BM25S_DIR), show_progress=False)
            if obj._retriever.scores["num_docs"] != len(obj._ids):
                raise IndexCorruptError(f"{directory}: bm25s index and {DOCS_FILE} disagree on the number of documents")
        else:
            obj._stale = True
        log.info("loaded bm25 index (%d documents) from %s", len(obj), directory)
        return obj

    def __repr__(self) -> str:
        return f"BM25Index(count={len(self)}, domain_terms={len(self.tokenizer.domain_terms)})"


def _top(candidates: np.ndarray, scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the k best-scoring candidates, best first."""
    if len(candidates) > k:
        candidates = candidates[np.argpartition(-scores[candidates], k - 1)[:k]]
    return candidates[np.argsort(-scores[candidates], kind="stable")]
