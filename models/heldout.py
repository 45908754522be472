"""The catalogue terms held out of training: the normalisation benchmark's test aliases and 工种.

One definition that training (`models.finetune`, `models.calibrate` exclude these terms) and the benchmark
(`eval.normalisation` scores on them) both import, so they cannot disagree about what is held out. It is a
seeded split of the catalogue, computed here in the product package: a product module never imports `eval`.

- held-out CSCO aliases: a seeded 20% of the unambiguous aliases that differ from their leaf's name;
- held-out 工种: a seeded 20% of `matcher/catalogues/data/gongzhong.csv` (terms that are not a leaf name).
"""

from __future__ import annotations

import csv
import io
import random
from collections import Counter
from importlib import resources
from typing import Any

from matcher.domain.texts import text_key

HOLDOUT_SHARE = 0.2
HOLDOUT_SEED = 20251123  # fixed before any result was seen; never changed to move a number


def gongzhong_rows() -> list[dict[str, str]]:
    text = (resources.files("matcher.catalogues") / "data" / "gongzhong.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))  # newline="": csv does its own line ends


def holdout_items(
    share: float = HOLDOUT_SHARE, seed: int = HOLDOUT_SEED
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Held-out alias and 工种 items and the pool sizes they were drawn from (deterministic for a seed).

    Each item: `id` ("alias:<key>" / "gongzhong:<key>"), `subset` ("heldout_alias" / "heldout_gongzhong"),
    `text` (the term as the catalogue spells it) and `gold` ([its CSCO leaf code]); plain dicts, as the
    benchmark's other items are."""
    from matcher.catalogues.occupations import load_occupations

    cat = load_occupations()
    leaf_name_keys = {text_key(o.name) for o in cat.leaves}
    # Aliases: differ from the leaf name, map to exactly one leaf, are not another leaf's name.
    alias_pool: dict[str, str] = {}
    dropped: Counter[str] = Counter()
    for occ in cat.leaves:
        for alias in occ.aliases:
            k = text_key(alias)
            if alias == occ.name or k == text_key(occ.name):
                continue
            if len(k) < 2:
                dropped["too short"] += 1
                continue
            if k in leaf_name_keys:
                dropped["is another leaf's name"] += 1
                continue
            leaves = {o.code for o in cat.candidates(alias) if o.is_leaf}
            if leaves != {occ.code}:
                dropped["ambiguous (several leaves)"] += 1
                continue
            alias_pool[k] = occ.code
    gz_pool: dict[str, str] = {}
    for row in gongzhong_rows():
        k = text_key(row["gongzhong"])
        if k in leaf_name_keys:
            dropped["工种 is a leaf name"] += 1
            continue
        leaves = {o.code for o in cat.candidates(row["gongzhong"]) if o.is_leaf}
        if leaves != {row["code"]}:
            dropped["工种 ambiguous"] += 1
            continue
        gz_pool[k] = row["code"]
    gz_pool = {k: c for k, c in gz_pool.items() if k not in alias_pool}  # a 工种 that is also an alias counts once
    rng = random.Random(seed)
    alias_keys = sorted(rng.sample(sorted(alias_pool), round(share * len(alias_pool))))
    gz_keys = sorted(rng.sample(sorted(gz_pool), round(share * len(gz_pool))))
    # Keep the original spelling of each held-out term for the query text.
    spelling: dict[str, str] = {}
    for occ in cat.leaves:
        for alias in occ.aliases:
            spelling.setdefault(text_key(alias), alias)
    for row in gongzhong_rows():
        spelling.setdefault(text_key(row["gongzhong"]), row["gongzhong"])
    items: list[dict[str, Any]] = [
        {"id": f"alias:{k}", "subset": "heldout_alias", "text": spelling[k], "gold": [alias_pool[k]]}
        for k in alias_keys
    ]
    items += [
        {"id": f"gongzhong:{k}", "subset": "heldout_gongzhong", "text": spelling[k], "gold": [gz_pool[k]]}
        for k in gz_keys
    ]
    pools = {
        "alias_pool": len(alias_pool),
        "gongzhong_pool": len(gz_pool),
        "dropped": dict(dropped),
        "share": share,
        "seed": seed,
    }
    return items, pools


def heldout_test_terms() -> list[str]:
    """The held-out aliases and 工种 as text: what training must never see."""
    return [it["text"] for it in holdout_items()[0]]
