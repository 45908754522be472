"""Chinese tokenisation for lexical search: jieba in search mode plus occupation names as words.

Why search mode (`cut_for_search`): a domain term such as "叉车司机" must stay one
token (so the exact title matches strongly) while also yielding its dictionary
sub-words "叉车", "司机" (so a query for just "叉车" still finds it).
"""

from __future__ import annotations

import logging
import threading
import unicodedata
from collections.abc import Iterable

import jieba

jieba.setLogLevel(logging.WARNING)  # jieba logs its dictionary loading at DEBUG to stderr otherwise
_shared: dict[tuple[str, ...], ChineseTokenizer] = {}
_shared_lock = threading.Lock()


def _is_content(token: str) -> bool:
    """False for tokens made only of punctuation, symbols, whitespace or control characters."""
    return any(unicodedata.category(ch)[0] not in "PSZC" for ch in token)


class ChineseTokenizer:
    """Owns a private `jieba.Tokenizer`, so domain words never leak into the process-wide jieba."""

    def __init__(self, domain_terms: Iterable[str] = ()) -> None:
        self.domain_terms: list[str] = sorted({t.strip() for t in domain_terms if t and t.strip()})
        self._jieba = jieba.Tokenizer()
        self._jieba.initialize()  # load the dictionary now, not inside the first query
        for term in self.domain_terms:
            self._jieba.add_word(self.normalize(term))

    @staticmethod
    def normalize(text: str) -> str:
        """NFKC folds full-width letters/digits/punctuation ("ＣＡＤ６０" -> "CAD60"); lower-case Latin."""
        return unicodedata.normalize("NFKC", text).lower()

    def tokenize(self, text: str) -> list[str]:
        return [tok for tok in self._jieba.cut_for_search(self.normalize(text)) if _is_content(tok)]


def shared_tokenizer(domain_terms: Iterable[str] = ()) -> ChineseTokenizer:
    """One tokenizer per distinct term list: loading jieba's dictionary costs ~0.5 s each time."""
    key = tuple(sorted({t.strip() for t in domain_terms if t and t.strip()}))
    with _shared_lock:
        if key not in _shared:
            _shared[key] = ChineseTokenizer(key)
        return _shared[key]
