"""Training pairs for the domain encoder: test data stays out, negatives are real siblings, runs repeat."""

from __future__ import annotations

import pytest

from matcher.catalogues.occupations import load_occupations
from matcher.domain.texts import text_key
from models.finetune import demo_postings
from models.heldout import heldout_test_terms
from models.training_data import demo_title_pairs, mine


@pytest.fixture(scope="module")
def test_terms() -> list[str]:
    return heldout_test_terms()


@pytest.fixture(scope="module")
def demo_pairs() -> list[tuple[str, str]]:
    """(title, occupation) pairs of the demo world the training command uses."""
    return demo_title_pairs(demo_postings())


@pytest.fixture(scope="module")
def data(test_terms, demo_pairs):
    return mine(test_terms, seed=7, demo_pairs=demo_pairs)


def test_no_test_term_reaches_training(data, test_terms):
    held = {text_key(t) for t in test_terms}
    assert len(held) > 300  # the normalisation benchmark's aliases and 工种
    leaked = [x for row in data.rows for x in row if text_key(x) in held]
    assert not leaked, leaked[:5]
    # demo titles embed 工种/aliases ("永川·行车工（持证上岗）"): none may contain a held-out term
    demo = [row[0] for row, (kind, _, _) in zip(data.rows, data.meta, strict=False) if kind == "demo title→name"]
    assert len(demo) > 500
    assert not [t for t in demo for h in held if h in text_key(t)]


def test_dev_split_is_disjoint_from_training(data):
    dev = {text_key(t) for t in data.dev_queries.values()}
    assert len(dev) >= 100
    assert not [x for row in data.rows for x in row if text_key(x) in dev]
    cat = load_occupations()
    for qid, alias in data.dev_queries.items():  # each dev alias names exactly its gold leaf
        (code,) = data.dev_relevant[qid]
        assert code in {o.code for o in cat.candidates(alias)}


def test_rows_pair_one_occupation_against_a_sibling(data):
    cat = load_occupations()
    assert len(data.rows) == len(data.meta) > 5000
    assert set(data.kinds) >= {
        "alias→name",
        "name→alias",
        "alias→alias",
        "title→definition",
        "title→task",
        "demo title→name",
    }
    same_minor = 0
    for (anchor, positive, negative), (_, code, neg_code) in zip(data.rows, data.meta, strict=False):
        assert code != neg_code and len({anchor, positive, negative}) == 3
        same_minor += cat.get(code).minor == cat.get(neg_code).minor
        names = {o.code for o in cat.candidates(positive)}
        if names:  # a title positive names the anchor's occupation, not the negative's
            assert code in names
    assert same_minor / len(data.rows) > 0.9


def test_mining_is_deterministic(data, test_terms, demo_pairs):
    again = mine(test_terms, seed=7, demo_pairs=demo_pairs)
    assert again.rows == data.rows and again.dev_queries == data.dev_queries
    assert mine(test_terms, seed=8).rows != data.rows


def test_demo_pairs_come_from_certificate_requirements():
    postings = [
        {"title": "永川·叉车司机（持证上岗）", "requirements": {"certificates": [{"occupation": "6-30-05-01"}]}},
        {"title": "普工", "requirements": {"certificates": []}},
        {"title": "文员"},
    ]
    assert demo_title_pairs(postings) == [("永川·叉车司机（持证上岗）", "6-30-05-01")]
    catalogue_only = mine([], seed=3)
    assert "demo title→name" not in catalogue_only.kinds  # no postings passed: catalogue pairs only


def test_training_and_the_benchmark_hold_out_the_same_terms(test_terms):
    """The benchmark scores on exactly the terms training keeps out (one definition, models.heldout)."""
    from eval import normalisation
    from models import heldout

    assert normalisation.holdout_items is heldout.holdout_items
    assert [it["text"] for it in normalisation.holdout_items()[0]] == test_terms
