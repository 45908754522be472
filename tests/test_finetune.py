"""The training command end to end (a few steps): model card, ONNX export faithful to torch, content-hashed
encoder ids, and the service choosing the trained model by default when it is present.

Slow: converts e5-small, trains 4 steps, exports ONNX fp32 + int8 (~2 min). Needs the training extra.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.conftest import run_cli

pytestmark = pytest.mark.slow

TEXTS = [
    "数控车工",
    "育婴员",
    "消防设施操作员（四级）",
    "叉车司机 持证上岗",
    "焊工：熟悉氩弧焊、二保焊，能看懂图纸",
    "招聘电工，要求持有低压电工证，负责厂区设备日常维护",
    "月薪8000-12000元，包吃住",
    "PLC编程　C1驾照",
    "养老护理员",
    "中式烹调师（高级工）",
]


@pytest.fixture(scope="module")
def model_dir(trained_home):
    from matcher.config import TRAINED_ENCODER_DIR

    return trained_home / TRAINED_ENCODER_DIR


def test_training_writes_model_card_and_metrics(model_dir):
    card = json.loads((model_dir / "training.json").read_text(encoding="utf-8"))
    assert card["hyperparameters"]["steps"] == 4 and card["best_step"] in (2, 4)
    assert card["data"]["test_terms_excluded"] > 300 and card["data"]["rows"] > 5000
    for split in ("dev_before", "dev_after"):
        assert 0 < card[split]["dev_cosine_mrr@10"] <= 1
    text = (model_dir / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "MultipleNegativesRankingLoss" in text and "step" in text and "TalentCLEF" in text
    assert {p.name for p in (model_dir / "onnx").iterdir()} >= {
        "model.onnx",
        "model_int8.onnx",
        "tokenizer.json",
        "encoder.json",
    }


def test_training_moved_the_weights(model_dir, e5_subset_model):
    from models import get_encoder

    before = get_encoder(f"st:{e5_subset_model}").encode(TEXTS, kind="query")
    after = get_encoder(f"st:{model_dir / 'st'}").encode(TEXTS, kind="query")
    assert (before * after).sum(axis=1).min() < 0.9999


@pytest.mark.parametrize("graph, floor", [("model.onnx", 0.999), ("model_int8.onnx", 0.9)])
@pytest.mark.parametrize("kind", ["query", "passage"])
def test_onnx_matches_torch(model_dir, graph, floor, kind):
    from models import get_encoder

    onnx = get_encoder(f"onnx:{model_dir / 'onnx' / graph}").encode(TEXTS, kind=kind)
    torch_ = get_encoder(f"st:{model_dir / 'st'}").encode(TEXTS, kind=kind)
    cos = (onnx * torch_).sum(axis=1)
    assert cos.min() >= floor, f"{graph} {kind}: {cos.round(4)}"
    np.testing.assert_allclose(np.linalg.norm(onnx, axis=1), 1.0, atol=1e-5)


def test_onnx_batches_keep_input_order(model_dir):
    from models import OnnxEncoder

    enc = OnnxEncoder(model_dir / "onnx")
    batch = enc.encode(TEXTS, kind="passage", batch_size=3)  # sorted by length inside, returned in input order
    single = np.vstack([enc.encode([t], kind="passage") for t in TEXTS])
    assert (batch * single).sum(axis=1).min() > 0.9999
    assert enc.encode([], kind="query").shape == (0, enc.dim)
    with pytest.raises(TypeError):
        enc.encode("数控车工")


def _served_id(model_dir) -> str:
    meta = json.loads((model_dir / "onnx" / "encoder.json").read_text())
    graph = meta["serve"]
    return f"onnx:e5-small-zh-csco/{graph.removesuffix('.onnx')}@{meta['graphs'][graph][:12]}"


def test_encoder_id_names_the_graph_content(model_dir):
    from models import OnnxEncoder

    fp32, int8 = OnnxEncoder(model_dir / "onnx" / "model.onnx"), OnnxEncoder(model_dir / "onnx" / "model_int8.onnx")
    assert fp32.id != int8.id and fp32.id.startswith("onnx:e5-small-zh-csco/model@")
    digest = json.loads((model_dir / "onnx" / "encoder.json").read_text())["graphs"]["model.onnx"]
    assert fp32.id.endswith(digest[:12])
    assert OnnxEncoder(model_dir / "onnx").id == _served_id(model_dir)  # a folder loads its `serve` graph


def test_served_graph_was_chosen_on_the_dev_split(model_dir):
    meta = json.loads((model_dir / "onnx" / "encoder.json").read_text())
    mrr = meta["dev_mrr_at_10"]
    assert set(mrr) == {"model.onnx", "model_int8.onnx"} and all(0 < v <= 1 for v in mrr.values())
    expected = "model_int8.onnx" if mrr["model_int8.onnx"] >= mrr["model.onnx"] - 0.005 else "model.onnx"
    assert meta["serve"] == expected


def test_missing_model_is_a_clear_error(tmp_path):
    from models import get_encoder

    with pytest.raises(FileNotFoundError, match="make model"):
        get_encoder(f"onnx:{tmp_path}")


def test_service_defaults_to_the_trained_model_when_present(trained_home, tmp_path, monkeypatch):
    from matcher.config import Settings

    monkeypatch.delenv("MATCHER_ENCODER", raising=False)
    assert Settings(home=trained_home).encoder.startswith("onnx:")
    assert Settings(home=tmp_path).encoder == "usem"  # no model: the zero-shot fallback
    assert Settings(home=trained_home, encoder="usem").encoder == "usem"  # an explicit choice wins
    status = json.loads(run_cli(trained_home, "status", "--json").stdout)
    assert status["encoder"].startswith("onnx:")
    dense = {v["encoder_id"] for k, v in status["indexes"].items() if k.endswith("/dense")}
    assert dense == {_served_id(trained_home / "models" / "e5-small-zh-csco")}
    out = json.loads(run_cli(trained_home, "match", "jobs", "--trainee", "HW-T01", "--json").stdout)
    assert out["results"] and out["results"][0]["reasons"]
