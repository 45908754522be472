"""The text-ranking systems compared in every benchmark (the ablations), over one query set and one corpus.

Each system returns a score matrix (queries × documents) and a mask of *retrieved* documents: dense
systems rank the whole corpus; lexical systems retrieve only documents sharing a token / n-gram with the
query (the rest count as not retrieved, as in any lexical engine).

- `bm25`        — `indexes.BM25Index` over jieba (search mode, CSCO names/aliases kept whole), as in production
- `tfidf_char`  — scikit-learn TF-IDF over character 1–3-grams, cosine (IDF fitted on the corpus, no labels)
- `usem`, `e5`  — each encoder alone, cosine (e5 with its "query: " / "passage: " prefixes)
- `fusion`      — `get_encoder("fusion")`: concatenated unit vectors = mean of the two cosines
- `z_usem_e5`   — score fusion: per query, each encoder's scores z-normalised over the corpus, then averaged
- `rrf_usem_bm25`, `rrf_e5_bm25` — dense + BM25 by reciprocal rank (production's `matcher.service.retrieval.rrf`)
- `e5_st`       — e5-small converted by `models.convert_e5` (vocabulary subset, torch): the converter's fidelity
- `ft`, `ft_fp32` — the domain-adapted e5 (`python -m models.finetune`) as served (the graph its encoder.json
  names: int8 unless int8 lost dev accuracy) and its ONNX fp32 graph
- `rrf_ft_bm25`, `z_usem_ft` — the production hybrid and the z-score fusion with the adapted model

Systems whose model is not on this machine (no trained model, no torch) are skipped with a note.

No parameter here was chosen on any evaluation set: BM25 k1/b and RRF k are the library defaults; the TF-IDF
settings are the brief's (char 1–3-grams) with scikit-learn defaults otherwise.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

log = logging.getLogger("eval")

TEXT_SYSTEMS = (
    "bm25",
    "tfidf_char",
    "usem",
    "e5",
    "fusion",
    "z_usem_e5",
    "rrf_usem_bm25",
    "rrf_e5_bm25",
    "e5_st",
    "ft",
    "ft_fp32",
    "rrf_ft_bm25",
    "z_usem_ft",
)
QUICK_TEXT_SYSTEMS = ("bm25", "tfidf_char", "usem", "rrf_usem_bm25")
SYSTEM_LABELS = {
    "bm25": "BM25 (jieba)",
    "tfidf_char": "TF-IDF char 1–3",
    "usem": "usem (dense)",
    "e5": "e5-small (dense)",
    "fusion": "usem⊕e5 concat",
    "z_usem_e5": "usem+e5 z-score",
    "rrf_usem_bm25": "RRF usem+BM25 (prod. hybrid)",
    "rrf_e5_bm25": "RRF e5+BM25",
    "e5_st": "e5-small converted (torch, zh vocab)",
    "ft": "e5-zh-csco fine-tuned (as served)",
    "ft_fp32": "e5-zh-csco fine-tuned (ONNX fp32)",
    "rrf_ft_bm25": "RRF fine-tuned+BM25",
    "z_usem_ft": "usem+fine-tuned z-score",
}
# An encoder's name inside the label of a pipeline built on it: (short, for the pipeline's main variant)
PIPELINE_ENCODERS = {
    "usem": ("usem", "usem, prod. default"),
    "e5": ("e5", "e5"),
    "fusion": ("usem⊕e5", "usem⊕e5"),
    "ft": ("fine-tuned", "fine-tuned, as served"),
    "ft_fp32": ("fine-tuned, fp32", "fine-tuned, fp32"),
}


def label(system: str) -> str:
    """The report's name of a system. Text systems: SYSTEM_LABELS; `leafview[x]`, `normaliser[x]` and
    `ranker[x]` (`-struct`: without certificate/distance, `-exhaustive`: no candidate pool) are named from
    x, so every benchmark names one encoder the same way."""
    if system in SYSTEM_LABELS:
        return SYSTEM_LABELS[system]
    kind, _, rest = system.partition("[")
    inner, _, variant = rest.partition("]")
    if kind == "leafview" and not variant and inner in SYSTEM_LABELS:
        return f"leaf views · {SYSTEM_LABELS[inner]}"
    if inner not in PIPELINE_ENCODERS:
        return system
    short, main = PIPELINE_ENCODERS[inner]
    names = {
        ("normaliser", ""): f"normaliser ({main})",
        ("ranker", ""): f"full ranker ({main})",
        ("ranker", "-struct"): f"ranker ({short}) − certificate/distance",
        ("ranker", "-exhaustive"): f"ranker ({short}), every posting scored (no candidate pool)",
    }
    return names.get((kind, variant), system)


def encoder_specs() -> dict[str, str]:
    """Short names of the locally built encoders → real `get_encoder` specs (under the data home)."""
    from matcher.config import TRAINED_ENCODER_DIR, get_settings

    home = get_settings().home
    trained = home / TRAINED_ENCODER_DIR / "onnx"
    return {
        "ft": f"onnx:{trained}",
        "ft_fp32": f"onnx:{trained / 'model.onnx'}",
        "ft_int8": f"onnx:{trained / 'model_int8.onnx'}",
        "e5_st": f"st:{home / 'models' / 'e5-small-zh-base'}",
    }


def resolve_spec(name: str) -> str:
    return encoder_specs().get(name, name)


LOCAL_ENCODERS = {
    "e5_st": "e5_st",
    "ft": "ft",
    "ft_fp32": "ft_fp32",
    "ft_int8": "ft_int8",
    "rrf_ft_bm25": "ft",
    "z_usem_ft": "ft",
}


def unavailable(system: str) -> str | None:
    """Why `system` cannot run here (its locally built model is missing), or None.

    Text systems are looked up in LOCAL_ENCODERS; "normaliser[x]" / "ranker[x]…" / "leafview[x]" need encoder x."""
    import importlib.util

    inner = system[system.index("[") + 1 : system.index("]")] if "[" in system else system
    name = LOCAL_ENCODERS.get(inner)
    if name is None:
        return None
    spec = encoder_specs()[name]
    path = Path(spec.split(":", 1)[1])
    if not path.exists():
        return f"{name}: {path} not found (build it with `make model`)"
    if spec.startswith("st:") and importlib.util.find_spec("sentence_transformers") is None:
        return f"{name}: sentence-transformers not installed"
    return None


@dataclass
class Scored:
    scores: np.ndarray  # (n_queries, n_docs)
    keep: np.ndarray | None = None  # (n_queries, n_docs) bool; None = every document retrieved


@dataclass
class TextTask:
    """One query set against one corpus; caches embeddings and component scores across systems."""

    query_texts: list[str]
    doc_texts: list[str]
    cache_dir: Path | None = None
    bm25_terms: Sequence[str] | None = None  # words jieba keeps whole (default: every CSCO name/alias)
    _cache: dict = field(default_factory=dict)
    encode_seconds: dict[str, float] = field(default_factory=dict)

    # --- components ---
    def encoder(self, spec: str):
        from models import get_encoder

        return get_encoder(resolve_spec(spec), cache_dir=self.cache_dir)

    def embeddings(self, spec: str) -> tuple[np.ndarray, np.ndarray]:
        key = ("emb", spec)
        if key not in self._cache:
            import time

            enc = self.encoder(spec)
            t0 = time.perf_counter()
            d = enc.encode(self.doc_texts, kind="passage")
            q = enc.encode(self.query_texts, kind="query")
            self.encode_seconds[spec] = round(time.perf_counter() - t0, 2)
            self._cache[key] = (q, d)
        return self._cache[key]

    def dense(self, spec: str) -> Scored:
        key = ("dense", spec)
        if key not in self._cache:
            q, d = self.embeddings(spec)
            self._cache[key] = Scored(q @ d.T)
        return self._cache[key]

    def bm25(self) -> Scored:
        if "bm25" not in self._cache:
            from indexes import BM25Index

            terms = self.bm25_terms
            if terms is None:
                from matcher.service.indexing import domain_terms

                terms = domain_terms()
            index = BM25Index(terms)
            ids = [str(i) for i in range(len(self.doc_texts))]
            index.build(ids, self.doc_texts)
            scores = np.zeros((len(self.query_texts), len(self.doc_texts)), dtype=np.float32)
            for qi, text in enumerate(self.query_texts):
                for did, s in index.search(text, len(ids)):
                    scores[qi, int(did)] = s
            self._cache["bm25"] = Scored(scores, scores > 0)
        return self._cache["bm25"]

    def tfidf_char(self) -> Scored:
        if "tfidf" not in self._cache:
            from sklearn.feature_extraction.text import TfidfVectorizer

            vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3))
            d = vec.fit_transform(self.doc_texts)
            q = vec.transform(self.query_texts)
            scores = (q @ d.T).toarray().astype(np.float32)
            self._cache["tfidf"] = Scored(scores, scores > 0)
        return self._cache["tfidf"]

    # --- systems ---
    def run(self, system: str) -> Scored:
        fn = _SYSTEMS.get(system)
        if fn is None:
            raise ValueError(f"unknown system {system!r}; known: {', '.join(_SYSTEMS)}")
        return fn(self)


def zscore_rows(scores: np.ndarray) -> np.ndarray:
    """Each query's scores over the whole corpus → z-scores: ranx's `zmuv` normalisation (population std,
    floor 1e-9), so the mean of two is `ranx.fuse(norm="zmuv", method="wsum")` with weights 0.5 / 0.5 —
    in numpy, because ranx would carry the full score matrices through numba dicts (seconds per fusion)."""
    mu = scores.mean(axis=1, keepdims=True)
    sd = scores.std(axis=1, keepdims=True)
    return (scores - mu) / np.maximum(sd, 1e-9)


def rrf(parts: Sequence[Scored], depth: int | None = None) -> Scored:
    """Reciprocal-rank fusion of several systems' rankings (each cut at `depth` if given), fused per query
    by production's own `matcher.service.retrieval.rrf`."""
    from matcher.service.retrieval import rrf as fuse

    n_q, n_d = parts[0].scores.shape
    fused = np.zeros((n_q, n_d), dtype=np.float32)
    keep = np.zeros((n_q, n_d), dtype=bool)
    for qi in range(n_q):
        rankings = []
        for part in parts:
            row = part.scores[qi]
            idx = np.flatnonzero(part.keep[qi]) if part.keep is not None else np.arange(n_d)
            rankings.append(idx[np.argsort(-row[idx], kind="stable")][:depth].tolist())
        for doc, score in fuse(rankings):
            fused[qi, doc] = score
            keep[qi, doc] = True
    return Scored(fused, keep)


_SYSTEMS: dict[str, Callable[[TextTask], Scored]] = {
    "bm25": lambda t: t.bm25(),
    "tfidf_char": lambda t: t.tfidf_char(),
    "usem": lambda t: t.dense("usem"),
    "e5": lambda t: t.dense("e5"),
    "fusion": lambda t: t.dense("fusion"),
    "z_usem_e5": lambda t: Scored(
        ((zscore_rows(t.dense("usem").scores) + zscore_rows(t.dense("e5").scores)) / 2).astype(np.float32)
    ),
    "rrf_usem_bm25": lambda t: rrf([t.dense("usem"), t.bm25()]),
    "rrf_e5_bm25": lambda t: rrf([t.dense("e5"), t.bm25()]),
    "e5_st": lambda t: t.dense("e5_st"),
    "ft": lambda t: t.dense("ft"),
    "ft_fp32": lambda t: t.dense("ft_fp32"),
    "rrf_ft_bm25": lambda t: rrf([t.dense("ft"), t.bm25()]),
    "z_usem_ft": lambda t: Scored(
        ((zscore_rows(t.dense("usem").scores) + zscore_rows(t.dense("ft").scores)) / 2).astype(np.float32)
    ),
}


def to_run(scored: Scored, query_ids: Sequence[str], doc_ids: Sequence[str], depth: int | None) -> dict:
    """Score matrix → ranx-style run {query: {doc: score}} with each query's top `depth` retrieved docs."""
    from eval.metrics import top_k

    run = {}
    for qi, q in enumerate(query_ids):
        keep = scored.keep[qi] if scored.keep is not None else None
        run[q] = top_k(scored.scores[qi], doc_ids, depth, keep)
    return run
