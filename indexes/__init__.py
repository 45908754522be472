"""Search indexes: dense vectors (FAISS) and lexical BM25 (bm25s + jieba), both with safe save/load."""

from __future__ import annotations

from .errors import IndexCorruptError, IndexLoadError, IndexMismatchError
from .faiss_store import VectorIndex
from .lexical import BM25Index
from .tokenizer import ChineseTokenizer

__all__ = [
    "BM25Index",
    "ChineseTokenizer",
    "IndexCorruptError",
    "IndexLoadError",
    "IndexMismatchError",
    "VectorIndex",
]
