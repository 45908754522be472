"""Training pairs for the domain encoder: test data stays out, negatives are real siblings, runs repeat."""

from __future__ import annotations

import pytest

from eval.normalisation import holdout_items
from matcher.catalogues.occupations import load_occupations
from models.training_data import mine, text_key


@pytest.fixture(scope="module")
def test_terms() -> list[str]:
    return [it["text"] for it in holdout_items()[0]]


@pytest.fixture(scope="module")
def data(test_terms):
    return mine(test_terms, seed=7)


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


def test_mining_is_deterministic(data, test_terms):
    again = mine(test_terms, seed=7)
    assert again.rows == data.rows and again.dev_queries == data.dev_queries
    assert mine(test_terms, seed=8, demo_seed=None).rows != data.rows
