"""Training pairs for the domain-adapted encoder, mined from the 职业分类大典 (CSCO) and posting titles.

Every row is (anchor, positive, negative): two texts that name or describe the same leaf occupation, and a
hard negative of the same kind from a *sibling* occupation (same 小类, else same 中类) — the confusions that
matter (电工 vs 电梯安装维修工), not random ones. Kinds of pairs, per leaf:

- title ↔ title: name ↔ alias, alias ↔ alias, name ↔ 工种 (the job-title matching task itself);
- title ↔ definition and title ↔ task sentence (what the job is, for titles the catalogue does not list);
- posting title ↔ the occupation its certificate names (noisy titles like "永川·行车工（持证上岗）"): the caller
  passes the postings (`demo_title_pairs`); the training command passes a synthetic demo world's, so this
  module depends on the catalogue alone and never on how postings are made.

Test data is kept out by construction: the caller passes the evaluation's held-out terms (`exclude_terms`,
the normalisation benchmark's aliases and 工种); any pair whose text contains one is dropped, demo titles
included. TalentCLEF and the real postings are never read here. A further seeded share of aliases is held
out as the *dev* split for model selection (alias → leaf name retrieval over all leaves).
"""

from __future__ import annotations

import csv
import random
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from matcher.catalogues.occupations import Occupation, load_occupations
from matcher.domain.texts import text_key

DEV_SHARE = 0.1
MAX_TASKS_PER_LEAF = 3
MAX_ALIAS_PAIRS_PER_LEAF = 3
MAX_DEMO_PAIRS = 1500


@dataclass
class TrainingData:
    rows: list[tuple[str, str, str]]  # (anchor, positive, negative)
    meta: list[tuple[str, str, str]]  # per row: (pair kind, leaf of anchor and positive, leaf of the negative)
    kinds: dict[str, int]  # rows per pair kind
    dev_queries: dict[str, str]  # dev id -> held-out alias
    dev_corpus: dict[str, str]  # leaf code -> leaf name
    dev_relevant: dict[str, set[str]]  # dev id -> {leaf code}
    excluded: int  # test terms kept out
    stats: dict[str, int] = field(default_factory=dict)


def _siblings(leaves: list[Occupation]) -> dict[str, list[Occupation]]:
    by_minor: defaultdict[str, list[Occupation]] = defaultdict(list)
    by_middle: defaultdict[str, list[Occupation]] = defaultdict(list)
    for o in leaves:
        by_minor[o.minor].append(o)
        by_middle[o.middle].append(o)
    out = {}
    for o in leaves:
        pool = [s for s in by_minor[o.minor] if s.code != o.code]
        out[o.code] = pool or [s for s in by_middle[o.middle] if s.code != o.code]
    return out


def demo_title_pairs(postings: Iterable[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """(posting title, occupation of its first certificate requirement) for postings that state one; postings
    are records as imported (JSON Lines rows: `title`, `requirements.certificates[].occupation`)."""
    pairs = []
    for posting in postings:
        certs = (posting.get("requirements") or {}).get("certificates") or []
        if certs:
            pairs.append((posting["title"], certs[0]["occupation"]))
    return pairs


def mine(exclude_terms: Iterable[str], seed: int = 0, demo_pairs: Iterable[tuple[str, str]] = ()) -> TrainingData:
    """Build the training rows and the dev split (deterministic for a seed and the same `demo_pairs`).

    `demo_pairs`: (posting title, occupation code) pairs, e.g. `demo_title_pairs` of a demo world's postings;
    up to MAX_DEMO_PAIRS of them become "demo title→name" rows (none: catalogue pairs only)."""
    rng = random.Random(seed)
    cat = load_occupations()
    leaves = sorted(cat.leaves, key=lambda o: o.code)
    excluded = {text_key(t) for t in exclude_terms if t.strip()}

    def clean(texts: Iterable[str], name_key: str) -> list[str]:
        seen, out = {name_key}, []
        for t in texts:
            k = text_key(t)
            if len(k) >= 2 and k not in seen and k not in excluded:
                seen.add(k)
                out.append(t)
        return out

    gongzhong: defaultdict[str, list[str]] = defaultdict(list)
    with (resources.files("matcher.catalogues") / "data" / "gongzhong.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            gongzhong[row["code"]].append(row["gongzhong"])

    # Dev split: a seeded share of the remaining unambiguous aliases, never trained on.
    alias_owner: dict[str, set[str]] = defaultdict(set)
    for o in leaves:
        for a in o.aliases:
            alias_owner[text_key(a)].add(o.code)
    titles: dict[str, list[str]] = {}
    for o in leaves:
        titles[o.code] = clean([*o.aliases, *gongzhong.get(o.code, [])], text_key(o.name))
    dev_pool = sorted((t, code) for code, ts in titles.items() for t in ts if alias_owner.get(text_key(t)) == {code})
    dev = rng.sample(dev_pool, round(DEV_SHARE * len(dev_pool)))
    dev_keys = {text_key(t) for t, _ in dev}
    for code in titles:
        titles[code] = [t for t in titles[code] if text_key(t) not in dev_keys]

    sib = _siblings(leaves)
    by_code = {o.code: o for o in leaves}
    rows: list[tuple[str, str, str]] = []
    meta: list[tuple[str, str, str]] = []
    kinds: dict[str, int] = defaultdict(int)

    def add(kind: str, code: str, anchor: str, positive: str, sentence: bool = False) -> None:
        other = rng.choice(sib[code]) if sib[code] else rng.choice([o for o in leaves if o.code != code])
        pool = [other.definition, *other.tasks] if sentence else [other.name, *titles[other.code]]
        # siblings share some task sentences word for word: such a "negative" would be a positive
        pool = [t for t in pool if t and text_key(t) not in (text_key(anchor), text_key(positive))] or [other.name]
        negative = rng.choice(pool)
        rows.append((anchor, positive, negative))
        meta.append((kind, code, other.code))
        kinds[kind] += 1

    for o in leaves:
        forms = titles[o.code]
        for t in forms:  # name <-> each alias / 工种, both directions
            add("alias→name", o.code, t, o.name)
            add("name→alias", o.code, o.name, t)
        if len(forms) >= 2:
            for _ in range(min(MAX_ALIAS_PAIRS_PER_LEAF, len(forms) - 1)):
                a, b = rng.sample(forms, 2)
                add("alias→alias", o.code, a, b)
        if o.definition:
            add("title→definition", o.code, rng.choice([o.name, *forms]), o.definition, sentence=True)
        for task in rng.sample(list(o.tasks), min(MAX_TASKS_PER_LEAF, len(o.tasks))):
            add("title→task", o.code, o.name, task, sentence=True)

    pairs = list(demo_pairs)
    if pairs:
        seen_titles: set[str] = set()
        banned = excluded | dev_keys  # a demo title containing a test or dev term is dropped
        demo = []
        for title, code in pairs:
            k = text_key(title)
            if (
                code not in by_code
                or k in seen_titles
                or k == text_key(by_code[code].name)
                or any(term in k for term in banned)
            ):
                continue
            seen_titles.add(k)
            demo.append((title, code))
        for title, code in rng.sample(demo, min(MAX_DEMO_PAIRS, len(demo))):
            add("demo title→name", code, title, by_code[code].name)

    keep = [i for i, r in enumerate(rows) if not any(text_key(x) in excluded for x in r)]
    rng.shuffle(keep)
    rows, meta = [rows[i] for i in keep], [meta[i] for i in keep]
    dev_queries = {f"dev{i}": t for i, (t, _) in enumerate(dev)}
    return TrainingData(
        rows=rows,
        meta=meta,
        kinds=dict(kinds),
        dev_queries=dev_queries,
        dev_corpus={o.code: o.name for o in leaves},
        dev_relevant={f"dev{i}": {code} for i, (_, code) in enumerate(dev)},
        excluded=len(excluded),
        stats={"leaves": len(leaves), "dev_pool": len(dev_pool), "dev": len(dev)},
    )
