"""BM25 over jieba tokens (bm25s): catches exact occupation names and certificates that
dense encoders blur, e.g. "叉车" vs "起重".

bm25s has no incremental add/remove, and rebuilding it costs O(corpus) (3.2 s at 100k postings
here), so one small write must not trigger a rebuild on the next search. The index is two segments,
like Lucene's: a *main* bm25s structure built from a snapshot, and a small *delta* of the documents
added or replaced since, scored with the same BM25 formula (bm25s' "lucene" variant) over the live
corpus statistics; main documents removed or replaced are masked out. When the delta reaches
`MERGE_SHARE` of the corpus (at least `MERGE_MIN` documents) a background thread rebuilds the main
segment from a snapshot and swaps it in; changes made meanwhile stay in the delta. A removed id is
never returned, an added one is found by the next search. Scores are exact right after `build`, `load`
or `merge()`; between merges the main documents keep the statistics of their snapshot (a drift bounded
by the merge share). Only documents sharing at least one token with the query (score > 0) are returned.
"""

from __future__ import annotations

import logging
import math
import threading
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any

import bm25s
import numpy as np
import numpy.typing as npt

from .errors import IndexCorruptError
from .storage import (
    atomic_directory,
    read_json,
    read_manifest,
    utc_now_iso,
    verify_checksums,
    write_json,
    write_manifest,
)
from .tokenizer import shared_tokenizer

log = logging.getLogger(__name__)
logging.getLogger("bm25s").setLevel(logging.WARNING)  # bm25s logs every build at DEBUG

FORMAT = "cq-matcher/bm25-index"
FORMAT_VERSION = 1
DOCS_FILE = "docs.json"
TERMS_FILE = "terms.json"
BM25S_DIR = "bm25s"
MERGE_MIN = 256  # changed documents before a background merge is considered …
MERGE_SHARE = 0.02  # … and the share of the main segment they must reach

Allow = Callable[[str], bool] | Collection[str] | None


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
        if method != "lucene":  # the delta segment scores with the lucene formula
            raise ValueError(f"method {method!r} is not supported (only 'lucene')")
        self.tokenizer = shared_tokenizer(domain_terms or ())
        self.k1, self.b, self.method = float(k1), float(b), method
        self._lock = threading.RLock()
        # the live corpus
        self._ids: list[str] = []
        self._tokens: list[list[str]] = []
        self._pos: dict[str, int] = {}
        self._length = 0  # total tokens of the live corpus
        # the main segment (a snapshot) and what changed since
        self._main: bm25s.BM25 | None = None
        self._main_pos: dict[str, int] = {}
        self._main_ids: list[str] = []
        self._main_tokens: list[list[str]] = []
        self._dead = np.zeros(0, dtype=bool)  # main documents removed or replaced since the snapshot
        self._delta: dict[str, Counter[str]] = {}  # live documents added or replaced since: term counts
        self._df_change: Counter[str] = Counter()  # live document frequency minus the snapshot's
        self._merging: threading.Thread | None = None
        self._pending: set[str] | None = None  # ids changed while a merge runs

    def tokenize(self, text: str) -> list[str]:
        return self.tokenizer.tokenize(text)

    # ---------- content ----------

    def build(self, ids: Sequence[str], texts: Sequence[str]) -> None:
        """Replace the whole corpus and index it now."""
        ids, tokens = self._prepare(ids, texts)
        with self._lock:
            self._ids, self._tokens = ids, tokens
            self._pos = {i: n for n, i in enumerate(ids)}
            self._length = sum(map(len, tokens))
            self._install(self._index(tokens), list(ids), list(tokens), set())

    def add(self, ids: Sequence[str], texts: Sequence[str]) -> None:
        """Upsert documents; the next search finds them."""
        self.add_tokens(*self._prepare(ids, texts))

    def tokenize_many(self, texts: Sequence[str]) -> list[list[str]]:
        """What `add` would index for each text: callers tokenise before they take their own locks."""
        return [self.tokenize(t) for t in texts]

    def add_tokens(self, ids: Sequence[str], tokens: Sequence[list[str]]) -> None:
        """`add` for texts already through `tokenize_many` (distinct ids)."""
        if len(ids) != len(tokens):
            raise ValueError(f"{len(ids)} ids but {len(tokens)} token lists")
        with self._lock:
            for doc_id, doc_tokens in zip(ids, tokens, strict=True):
                pos = self._pos.get(doc_id)
                if pos is None:
                    self._pos[doc_id] = len(self._ids)
                    self._ids.append(doc_id)
                    self._tokens.append(doc_tokens)
                else:
                    self._forget(self._tokens[pos])
                    self._tokens[pos] = doc_tokens
                self._length += len(doc_tokens)
                self._df_change.update(set(doc_tokens))
                self._delta[doc_id] = Counter(doc_tokens)
                self._changed(doc_id)
            self._maybe_merge()

    def remove(self, ids: Iterable[str]) -> int:
        """Delete ids (unknown ones are ignored); returns how many were removed."""
        if isinstance(ids, str):
            raise TypeError("remove() takes a collection of ids, not a single str")
        with self._lock:
            dead = {i for i in ids if i in self._pos}
            if dead:
                for doc_id in dead:
                    self._forget(self._tokens[self._pos[doc_id]])
                    self._delta.pop(doc_id, None)
                    self._changed(doc_id)
                kept = [(i, t) for i, t in zip(self._ids, self._tokens, strict=True) if i not in dead]
                self._ids = [i for i, _ in kept]
                self._tokens = [t for _, t in kept]
                self._pos = {i: n for n, i in enumerate(self._ids)}
                self._maybe_merge()
            return len(dead)

    def merge(self) -> None:
        """Rebuild the main segment from the live corpus now (exact scores again); waits for a running merge."""
        with self._lock:
            running = self._merging
        if running is not None:
            running.join()
        with self._lock:
            if self._delta or self._dead.any() or len(self._main_ids) != len(self._ids):
                self._install(self._index(self._tokens), list(self._ids), list(self._tokens), set())

    def _forget(self, tokens: list[str]) -> None:
        self._length -= len(tokens)
        self._df_change.subtract(set(tokens))

    def _changed(self, doc_id: str) -> None:
        main_pos = self._main_pos.get(doc_id)
        if main_pos is not None:
            self._dead[main_pos] = True
        if self._pending is not None:
            self._pending.add(doc_id)

    def _index(self, tokens: list[list[str]]) -> bm25s.BM25 | None:
        if not any(tokens):
            return None  # empty corpus, or no document has a single token
        retriever = bm25s.BM25(k1=self.k1, b=self.b, method=self.method)
        retriever.index(tokens, show_progress=False)
        return retriever

    def _install(self, main: bm25s.BM25 | None, ids: list[str], tokens: list[list[str]], pending: set[str]) -> None:
        """Make `main` (built from the snapshot ids/tokens) the main segment; `pending` changed since (lock held)."""
        self._main, self._main_ids, self._main_tokens = main, ids, tokens
        self._main_pos = {i: n for n, i in enumerate(ids)}
        self._dead = np.zeros(len(ids), dtype=bool)
        self._delta, self._df_change = {}, Counter()
        for doc_id in pending:
            old = self._main_pos.get(doc_id)
            if old is not None:
                self._dead[old] = True
                self._df_change.subtract(set(tokens[old]))
            pos = self._pos.get(doc_id)
            if pos is not None:
                self._delta[doc_id] = Counter(self._tokens[pos])
                self._df_change.update(set(self._tokens[pos]))
        log.debug("bm25 main segment: %d documents, %d in the delta", len(ids), len(self._delta))

    def _maybe_merge(self) -> None:
        """Start a background merge when enough changed (lock held)."""
        changed = len(self._delta) + int(self._dead.sum())
        if self._merging is not None or changed < max(MERGE_MIN, MERGE_SHARE * len(self._main_ids)):
            return
        ids, tokens = list(self._ids), list(self._tokens)
        self._pending = set()
        self._merging = threading.Thread(target=self._merge, args=(ids, tokens), name="bm25-merge", daemon=True)
        self._merging.start()

    def _merge(self, ids: list[str], tokens: list[list[str]]) -> None:
        try:
            main = self._index(tokens)  # the O(corpus) part, outside the lock: searches go on
            with self._lock:
                self._install(main, ids, tokens, self._pending or set())
        except Exception:  # the delta keeps serving; the next change tries again
            log.exception("bm25 background merge failed")
        finally:
            with self._lock:
                self._merging, self._pending = None, None

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
        return [ids[r] for r in rows], self.tokenize_many([texts[r] for r in rows])

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
        if k <= 0 or not query_tokens:
            return []
        with self._lock:
            hits = self._search_main(query_tokens, k, allow) + self._search_delta(query_tokens, k, allow)
        hits.sort(key=lambda h: -h[1])  # stable: main before delta on a tie
        return hits[:k]

    def _search_main(self, query_tokens: list[str], k: int, allow: Allow) -> list[tuple[str, float]]:
        if self._main is None:
            return []
        token_ids = self._main.get_tokens_ids(query_tokens)
        if not token_ids:
            return []
        scores: npt.NDArray[np.floating[Any]] = np.asarray(self._main.get_scores_from_ids(token_ids))
        if self._dead.any():
            scores = np.where(self._dead, 0.0, scores)
        ids = self._main_ids
        if allow is None:
            order = _top(np.flatnonzero(scores > 0), scores, k)
        elif callable(allow):
            positive = np.flatnonzero(scores > 0)
            ranked = positive[np.argsort(-scores[positive], kind="stable")]
            chosen: list[int] = []
            for pos in ranked.tolist():
                if allow(ids[pos]):
                    chosen.append(pos)
                    if len(chosen) == k:
                        break
            order = np.asarray(chosen, dtype=np.int64)
        else:
            subset = np.fromiter((self._main_pos[i] for i in set(allow) if i in self._main_pos), dtype=np.int64)
            order = _top(subset[scores[subset] > 0], scores, k)
        return [(ids[pos], float(scores[pos])) for pos in np.asarray(order, dtype=np.int64).tolist()]

    def _search_delta(self, query_tokens: list[str], k: int, allow: Allow) -> list[tuple[str, float]]:
        """The documents changed since the snapshot, by the lucene BM25 formula over live statistics."""
        if not self._delta:
            return []
        n = len(self._ids)
        avg_length = self._length / n if n else 1.0
        idf = {
            t: math.log(1 + (n - df + 0.5) / (df + 0.5))
            for t in set(query_tokens)
            if (df := self._main_df(t) + self._df_change[t]) > 0
        }
        if not idf:
            return []
        terms = [t for t in query_tokens if t in idf]  # a repeated query term counts again, as in bm25s
        hits = []
        for doc_id, counts in self._delta.items():
            if allow is not None and not (allow(doc_id) if callable(allow) else doc_id in allow):
                continue
            norm = self.k1 * (1 - self.b + self.b * counts.total() / avg_length)
            score = sum(idf[t] * counts[t] / (counts[t] + norm) for t in terms if t in counts)
            if score > 0:
                hits.append((doc_id, score))
        hits.sort(key=lambda h: -h[1])
        return hits[:k]

    def _main_df(self, token: str) -> int:
        """Documents of the main segment containing `token` (a column of bm25s' sparse score matrix)."""
        if self._main is None or token not in self._main.vocab_dict:
            return 0
        indptr = self._main.scores["indptr"]
        tid = self._main.vocab_dict[token]
        return int(indptr[tid + 1] - indptr[tid])

    # ---------- persistence ----------

    def save(self, directory: Path | str) -> dict[str, Any]:
        """Write atomically to `directory` (replacing any previous save); returns the manifest."""
        self.merge()  # what is saved is one exact segment
        with self._lock, atomic_directory(directory) as tmp:
            if self._main is not None:
                self._main.save(str(tmp / BM25S_DIR), show_progress=False)
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
        obj._length = sum(map(len, obj._tokens))
        if len(obj._ids) != len(obj._tokens) or len(obj._pos) != len(obj._ids) or len(obj._ids) != manifest["count"]:
            raise IndexCorruptError(f"{directory}: {DOCS_FILE} is inconsistent with the manifest")
        if (directory / BM25S_DIR).is_dir():
            main = bm25s.BM25.load(str(directory / BM25S_DIR), show_progress=False)
            if main.scores["num_docs"] != len(obj._ids):
                raise IndexCorruptError(f"{directory}: bm25s index and {DOCS_FILE} disagree on the number of documents")
        else:
            main = obj._index(obj._tokens)
        obj._install(main, list(obj._ids), list(obj._tokens), set())
        log.info("loaded bm25 index (%d documents) from %s", len(obj), directory)
        return obj

    def __repr__(self) -> str:
        return f"BM25Index(count={len(self)}, domain_terms={len(self.tokenizer.domain_terms)})"


def _top(candidates: npt.NDArray[np.int64], scores: npt.NDArray[np.floating[Any]], k: int) -> npt.NDArray[np.int64]:
    """Positions of the k best-scoring candidates, best first."""
    if len(candidates) > k:
        candidates = candidates[np.argpartition(-scores[candidates], k - 1)[:k]]
    return candidates[np.argsort(-scores[candidates], kind="stable")]
