"""The in-memory world's posting columns: a write patches them (copy-on-write) instead of making the
next search rebuild them for every posting; the patched columns must answer exactly as a fresh build."""

from __future__ import annotations

import datetime as dt
import json
import random

from matcher.domain.schema import Posting
from matcher.service.world import COLUMN_TYPES, World
from tests.conftest import SMALL_WORLD

BASE = [json.loads(line) for line in (SMALL_WORLD / "postings.jsonl").read_text(encoding="utf-8").splitlines()]
BASE = [Posting.model_validate(p).model_dump(mode="json") for p in BASE]  # as the engine hands them over
DISTRICTS = ["沙坪坝区", "渝北区", "江津区", "九龙坡区", "万州区"]


def variant(rng: random.Random, pid: str) -> dict:
    p = dict(rng.choice(BASE), id=pid, district=rng.choice(DISTRICTS))
    for key in ("lon", "lat", "address"):
        p.pop(key, None)
    p["status"] = rng.choice(["open", "open", "open", "closed"])
    p["salary_min"], p["salary_max"] = rng.choice([(3000, 4500), (5000, 7000), (None, None)])
    p["shift"] = rng.choice([None, "白班", "两班倒"])
    p["posted_at"] = (dt.date(2025, 6, 1) + dt.timedelta(days=rng.randint(0, 150))).isoformat()
    return Posting.model_validate(p).model_dump(mode="json")


def answers(world: World) -> tuple:
    centre = (106.45, 29.56)
    return (
        sorted(world.filter_postings()),
        sorted(world.filter_postings(center=centre, radius_km=40)),
        sorted(world.filter_postings(pay_floor=5000, shift="白班")),
        sorted(world.filter_postings(districts=["渝北区", "江津区"])),
        sorted(world.filter_postings(open_only=False)),
        world.today,
        columns_by_id(world),
    )


def columns_by_id(world: World) -> dict:
    """Every live posting's row of the scoring columns (signatures as what they stand for)."""
    a = world.posting_columns()
    meaning = {n: key for key, n in world._signatures.items()}
    return {
        pid: (
            tuple(repr(a[c][r]) for c in COLUMN_TYPES if c != "requirements"),
            meaning[int(a["requirements"][r])],
            a["view"][r],
        )
        for pid, r in a["row"].items()
    }


def test_patched_columns_answer_like_a_fresh_build() -> None:
    rng = random.Random(7)
    world = World()
    live = {p["id"]: p for p in (variant(rng, f"W-{i:03d}") for i in range(200))}
    world.set_postings(list(live.values()))
    built = world._posting_arrays()
    for step in range(150):
        op = rng.random()
        if op < 0.45:  # replace an existing posting (status, pay, place, shift may all change)
            pid = rng.choice(sorted(live))
            live[pid] = variant(rng, pid)
            world.set_postings([live[pid]])
        elif op < 0.75:  # a new one, sometimes a re-used id of a removed one
            pid = f"W-{rng.randint(0, 260):03d}"
            live[pid] = variant(rng, pid)
            world.set_postings([live[pid]])
        elif live:
            pid = rng.choice(sorted(live))
            del live[pid]
            world.remove_posting(pid)
        fresh = World()
        fresh.set_postings(list(live.values()))
        assert answers(world) == answers(fresh), step
    assert world._posting_arrays() is not built  # patched (and rebuilt past the dead-row share), never stale


def test_a_write_does_not_throw_the_columns_away() -> None:
    rng = random.Random(3)
    world = World()
    world.set_postings([variant(rng, f"X-{i:03d}") for i in range(100)])
    before = world._posting_arrays()
    world.set_postings([variant(rng, "X-005")])
    after = world._arrays
    assert after is not None and after is not before  # a patched copy, ready for the next read
    assert before["ids"].tolist() == after["ids"].tolist()  # readers of the old columns saw no change
