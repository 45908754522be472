"""Occupation normalisation: any free-text title, certificate name or 工种 → ranked CSCO leaf codes.

Three signals, strongest first:
1. exact — the text *is* a CSCO name, alias, 工种 or code ("叉车司机", "6-31-01-03") → score 1.0;
2. contains — the text contains one (“维修电工（持证上岗）” ⊃ “维修电工”), scored by how much of the
   text the surface form covers (Aho-Corasick over all surface forms);
3. hybrid — dense cosine against every leaf's name + aliases (the configured encoder) blended with
   BM25 over name, aliases, definition and tasks, so unseen wordings still land near the right leaf.
The blend weights are fixed by design (dense carries the meaning, BM25 the rare exact words), not tuned
on any test set. `exclude_terms` removes surface forms from every signal so evaluation can hold out
aliases honestly.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import ahocorasick
import numpy as np

from indexes import BM25Index
from matcher.catalogues.occupations import OccupationCatalogue, load_occupations, normalise_code
from matcher.domain.texts import text_key

log = logging.getLogger(__name__)

DENSE_WEIGHT, LEXICAL_WEIGHT = 0.7, 0.3


@dataclass(frozen=True)
class OccupationMatch:
    code: str
    name: str
    score: float  # 0..1, comparable across texts
    via: str  # exact | contains | hybrid

    def as_dict(self) -> dict:
        return {"code": self.code, "name": self.name, "score": round(self.score, 4), "via": self.via}


class OccupationNormaliser:
    def __init__(
        self,
        encoder,
        catalogue: OccupationCatalogue | None = None,
        exclude_terms: Collection[str] = (),
    ) -> None:
        self.catalogue = catalogue or load_occupations()
        self.encoder = encoder
        excluded = {text_key(t) for t in exclude_terms}
        self.leaves = self.catalogue.leaves
        self._codes = [o.code for o in self.leaves]
        # Surface forms → leaf codes (names, aliases, 工种), minus held-out terms.
        self._forms: dict[str, list[str]] = {}
        for form in self.catalogue.names_and_aliases():
            key = text_key(form)
            if key in excluded or len(key) < 2:
                continue
            leaf_codes = [o.code for o in self.catalogue.candidates(form) if o.is_leaf]
            if leaf_codes:
                self._forms.setdefault(key, leaf_codes)
        self._automaton = ahocorasick.Automaton()
        for key in self._forms:
            self._automaton.add_word(key, key)
        self._automaton.make_automaton()
        views = [self._leaf_view(o, excluded) for o in self.leaves]
        self._vectors = encoder.encode(views, kind="passage")
        self._lexical = BM25Index(list(self._forms))
        self._lexical.build(self._codes, [self._leaf_text(o, excluded) for o in self.leaves])

    @staticmethod
    def _leaf_view(occ, excluded: set[str]) -> str:
        aliases = [a for a in occ.aliases if a != occ.name and text_key(a) not in excluded]
        return f"{occ.name}：{'、'.join(aliases[:12])}" if aliases else occ.name

    @staticmethod
    def _leaf_text(occ, excluded: set[str]) -> str:
        aliases = [a for a in occ.aliases if text_key(a) not in excluded]
        return "。".join([occ.name, "、".join(aliases), occ.definition, " ".join(occ.tasks)])

    def _name(self, code: str) -> str:
        return self.catalogue.get(code).name

    def normalise(self, text: str, k: int = 5) -> list[OccupationMatch]:
        return self.normalise_many([text], k=k)[0]

    def normalise_many(self, texts: Sequence[str], k: int = 5) -> list[list[OccupationMatch]]:
        """Top-k leaves per text, best first; dense encoding is batched over all texts."""
        texts = [t if isinstance(t, str) else str(t) for t in texts]
        queries = [t.strip() or "-" for t in texts]
        dense = self.encoder.encode(queries, kind="query") @ self._vectors.T  # (n, leaves)
        out = []
        for row, text in zip(dense, texts, strict=False):
            out.append(self._rank(text, row, k))
        return out

    def _rank(self, text: str, dense_row: np.ndarray, k: int) -> list[OccupationMatch]:
        scores: dict[str, tuple[float, str]] = {}

        def offer(code: str, score: float, via: str) -> None:
            if code not in scores or score > scores[code][0]:
                scores[code] = (score, via)

        key = text_key(text)
        code = normalise_code(key)
        if code is not None and code in self.catalogue.by_code and self.catalogue.by_code[code].is_leaf:
            offer(code, 1.0, "exact")
        for leaf in self._forms.get(key, []):
            offer(leaf, 1.0, "exact")
        if key:
            for _end, form in self._automaton.iter(key):
                coverage = len(form) / len(key)
                for leaf in self._forms[form]:
                    offer(leaf, 0.55 + 0.4 * coverage, "contains")
        lexical = dict(self._lexical.search(text, 50)) if text.strip() else {}
        top_lex = max(lexical.values(), default=0.0)
        blended = DENSE_WEIGHT * np.clip(dense_row, 0, 1)
        if top_lex > 0:
            positions = {c: i for i, c in enumerate(self._codes)}
            for c, s in lexical.items():
                blended[positions[c]] += LEXICAL_WEIGHT * s / top_lex
        for i in np.argsort(-blended)[: max(k, 10)]:
            offer(self._codes[i], float(blended[i]), "hybrid")
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1][0], kv[0]))[:k]
        return [OccupationMatch(c, self._name(c), s, via) for c, (s, via) in ranked]
