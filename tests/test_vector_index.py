"""FAISS indexes on seeded synthetic vectors, checked against exact search (numpy)."""

from __future__ import annotations

import dataclasses
import weakref
from pathlib import Path
from typing import Any

import faiss
import numpy as np
import pytest

from articleqa import vector_index
from articleqa.exact_vectors import ArrayRows
from articleqa.vector_file import VectorFile
from articleqa.vector_index import (
    ShortlistIndex,
    VectorIndex,
    build_vector_index,
    choose_kind,
    index_kind,
    ivf_lists,
    ivf_probes,
    search,
)
from articleqa.vector_snapshot import read_vectors, write_vectors

DIMENSION = 384
COUNT = 6000


def clustered(count: int, seed: int, centers: np.ndarray) -> np.ndarray:
    """Unit vectors around seeded topic centres: neighbours exist, as in real embeddings."""
    rng = np.random.default_rng(seed)
    picked = centers[rng.integers(0, len(centers), count)]
    noise = rng.standard_normal((count, DIMENSION)).astype(np.float32) / np.sqrt(DIMENSION)
    vectors = picked + 0.9 * noise
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    centers = rng.standard_normal((60, DIMENSION)).astype(np.float32)
    centers /= np.linalg.norm(centers, axis=1, keepdims=True)
    return clustered(COUNT, 1, centers), clustered(50, 2, centers)


def exact_top(
    base: np.ndarray, query: np.ndarray, k: int, allowed: np.ndarray | None = None
) -> np.ndarray:
    ids = np.arange(len(base)) if allowed is None else allowed
    scores = base[ids] @ query
    return ids[np.argsort(-scores, kind="stable")[:k]]


def recall_at(k: int, index: faiss.Index, base: np.ndarray, queries: np.ndarray) -> float:
    hits = 0
    for query in queries:
        _, found = search(index, query, k)
        hits += len(set(found.tolist()) & set(exact_top(base, query, k).tolist()))
    return hits / (k * len(queries))


def saved_and_read(index: VectorIndex, folder: Path, base: np.ndarray) -> VectorIndex:
    """``index`` written as a snapshot writes it and read back; a re-ranked IVF reads the
    vectors themselves from ``base`` (a snapshot's read them from the embedding cache)."""
    folder.mkdir(parents=True, exist_ok=True)
    keys = np.zeros((index.ntotal, 16), dtype=np.uint8)
    write_vectors(folder, index, keys)
    factor = index.k_factor if isinstance(index, ShortlistIndex) else None
    loaded = read_vectors(folder, folder, {"vector_index": {"refine_factor": factor}})
    if isinstance(loaded, ShortlistIndex):
        loaded = dataclasses.replace(loaded, exact=ArrayRows(base))
    return loaded


def ivf_of(index: VectorIndex) -> faiss.IndexIVF:
    inner = index.index if isinstance(index, ShortlistIndex) else index
    return faiss.extract_index_ivf(inner)


def shortlisted(indexes: dict[str, VectorIndex]) -> ShortlistIndex:
    index = indexes["ivf"]
    assert isinstance(index, ShortlistIndex)
    return index


@pytest.fixture(scope="module")
def indexes(data: tuple[np.ndarray, np.ndarray]) -> dict[str, faiss.Index]:
    base, _ = data
    return {kind: build_vector_index(base, kind) for kind in ("flat", "hnsw", "ivf")}


def test_flat_is_exact(
    data: tuple[np.ndarray, np.ndarray], indexes: dict[str, faiss.Index]
) -> None:
    base, queries = data
    for query in queries:
        scores, ids = search(indexes["flat"], query, 10)
        expected = exact_top(base, query, 10)
        assert ids.tolist() == expected.tolist()
        np.testing.assert_allclose(scores, base[expected] @ query, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(("kind", "bound"), [("hnsw", 0.9), ("ivf", 0.9)])
def test_ann_recall_against_exact(
    data: tuple[np.ndarray, np.ndarray], indexes: dict[str, faiss.Index], kind: str, bound: float
) -> None:
    base, queries = data
    index = indexes[kind]
    assert index_kind(index) == kind
    assert index.ntotal == COUNT
    assert recall_at(10, index, base, queries) >= bound


@pytest.mark.parametrize("kind", ["flat", "hnsw", "ivf"])
def test_filtered_search_returns_only_allowed_ids(
    data: tuple[np.ndarray, np.ndarray], indexes: dict[str, faiss.Index], kind: str
) -> None:
    base, queries = data
    allowed = np.arange(3, COUNT, 37, dtype=np.int64)  # 162 ids scattered over all lists
    hits = 0
    for query in queries:
        scores, ids = search(indexes[kind], query, 10, allowed)
        assert len(ids) == 10
        assert set(ids.tolist()) <= set(allowed.tolist())
        expected = exact_top(base, query, 10, allowed)
        if kind == "flat":
            assert ids.tolist() == expected.tolist()
        # A small allowed set is scored on every member (from 8-bit codes for ANN indexes),
        # so nothing allowed is missed for sitting outside the visited part of the index.
        np.testing.assert_allclose(scores, base[ids] @ query, atol=0.01)
        hits += len(set(ids.tolist()) & set(expected.tolist()))
    assert hits / (10 * len(queries)) >= 0.95


@pytest.mark.parametrize("kind", ["hnsw", "ivf"])
def test_filtered_search_over_many_ids_keeps_recall(
    data: tuple[np.ndarray, np.ndarray],
    indexes: dict[str, faiss.Index],
    kind: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Force the selector path that large allowed sets take on big corpora.
    monkeypatch.setattr(vector_index, "EXACT_SUBSET_LIMIT", 10)
    base, queries = data
    allowed = np.arange(0, COUNT, 4, dtype=np.int64)
    hits = 0
    for query in queries:
        _, ids = search(indexes[kind], query, 10, allowed)
        assert set(ids.tolist()) <= set(allowed.tolist())
        hits += len(set(ids.tolist()) & set(exact_top(base, query, 10, allowed).tolist()))
    assert hits / (10 * len(queries)) >= 0.9


def test_empty_allowed_and_empty_index(
    data: tuple[np.ndarray, np.ndarray], indexes: dict[str, faiss.Index]
) -> None:
    _, queries = data
    scores, ids = search(indexes["ivf"], queries[0], 10, np.zeros(0, dtype=np.int64))
    assert len(scores) == len(ids) == 0
    for kind in ("flat", "hnsw", "ivf"):
        empty = build_vector_index(np.zeros((0, DIMENSION), dtype=np.float32), kind)
        assert search(empty, queries[0], 5)[1].size == 0


def test_k_larger_than_the_index(data: tuple[np.ndarray, np.ndarray]) -> None:
    base, queries = data
    small = build_vector_index(base[:7], "flat")
    _, ids = search(small, queries[0], 50)
    assert sorted(ids.tolist()) == list(range(7))


def test_saved_index_keeps_its_search_settings(
    data: tuple[np.ndarray, np.ndarray], indexes: dict[str, faiss.Index], tmp_path: Path
) -> None:
    base, queries = data
    for kind in ("hnsw", "ivf"):
        loaded = saved_and_read(indexes[kind], tmp_path / kind, base)
        assert index_kind(loaded) == kind
        for query in queries[:5]:
            assert (
                search(loaded, query, 10)[1].tolist()
                == search(indexes[kind], query, 10)[1].tolist()
            )
        # The exact path over a few ids reads their codes back, which must survive saving.
        allowed = np.arange(0, 100, dtype=np.int64)
        scores, ids = search(loaded, queries[0], 5, allowed)
        assert set(ids.tolist()) <= set(allowed.tolist())
        np.testing.assert_allclose(scores, base[ids] @ queries[0], atol=0.01)
    ivf = ivf_of(saved_and_read(indexes["ivf"], tmp_path / "again", base))
    assert ivf.nprobe == ivf_probes(ivf.nlist)


def test_index_type_follows_corpus_size() -> None:
    assert choose_kind("auto", 1_000, 200_000) == "flat"
    assert choose_kind("auto", 200_000, 200_000) == "flat"
    assert choose_kind("auto", 200_001, 200_000) == "ivf"
    assert choose_kind("hnsw", 10, 200_000) == "hnsw"
    assert choose_kind("flat", 10**7, 200_000) == "flat"


def test_ivf_shape_scales_with_the_corpus() -> None:
    assert ivf_lists(1) == 1
    assert ivf_lists(1_000_000) == 2000
    assert ivf_lists(1_000) == 25  # k-means gets ~40 training points per list
    assert ivf_probes(2000) == 16
    assert ivf_probes(8) == 8


def test_auto_keeps_exact_search_up_to_the_threshold(data: tuple[np.ndarray, np.ndarray]) -> None:
    base, _ = data
    index, choice = vector_index.build_chosen(base, "auto", ann_threshold=COUNT)
    assert index_kind(index) == choice.kind == "flat"
    assert choice.recall_at_10 is None
    assert choice.factory == "IDMap2,Flat"


def test_auto_tunes_ivf_to_the_recall_target_on_clustered_vectors(
    data: tuple[np.ndarray, np.ndarray], tmp_path: Path
) -> None:
    base, queries = data
    index, choice = vector_index.build_chosen(base, "auto", ann_threshold=1000)
    assert index_kind(index) == choice.kind == "ivf"
    assert choice.recall_at_10 is not None
    assert choice.recall_at_10 >= vector_index.RECALL_TARGET
    assert choice.recall_queries == vector_index.RECALL_QUERIES
    # The setting that reached the target is the one saved with the index.
    assert ivf_of(saved_and_read(index, tmp_path, base)).nprobe == choice.search_setting
    assert recall_at(10, index, base, queries) >= 0.9
    assert choice.as_manifest()["factory"] == choice.factory


def test_auto_leaves_ivf_for_hnsw_when_vectors_have_no_clusters() -> None:
    # Unclustered vectors: IVF needs most of its lists probed, which saves nothing.
    rng = np.random.default_rng(5)
    base = rng.standard_normal((4000, 32)).astype(np.float32)
    base /= np.linalg.norm(base, axis=1, keepdims=True)
    index, choice = vector_index.build_chosen(base, "auto", ann_threshold=1000)
    assert choice.kind in ("hnsw", "flat")
    assert index_kind(index) == choice.kind
    if choice.kind == "hnsw":
        assert choice.recall_at_10 is not None
        assert choice.recall_at_10 >= vector_index.RECALL_TARGET


def test_the_ivf_index_is_let_go_before_the_hnsw_graph_is_built(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The IVF index that gave way and the graph were both held at the full build's peak.
    built: list[weakref.ref[faiss.Index]] = []
    alive_when_built: list[list[bool]] = []
    build = vector_index.build_vector_index

    def recorded(vectors: np.ndarray, kind: vector_index.IndexKind) -> faiss.Index:
        alive_when_built.append([ref() is not None for ref in built])
        index = build(vectors, kind)
        built.append(weakref.ref(index))
        return index

    monkeypatch.setattr(vector_index, "build_vector_index", recorded)
    rng = np.random.default_rng(5)
    base = rng.standard_normal((4000, 32)).astype(np.float32)
    base /= np.linalg.norm(base, axis=1, keepdims=True)
    _index, choice = vector_index.build_chosen(base, "auto", ann_threshold=1000)
    assert choice.kind in ("hnsw", "flat") and len(built) >= 2
    assert alive_when_built[1:] == [[False] * n for n in range(1, len(built))]


def test_an_ann_index_is_extended_until_a_quarter_of_it_changed() -> None:
    tuned = vector_index.IndexChoice("hnsw", "IDMap2,HNSW32_SQ8", 64, 0.96, 256, tuned_on=1000)
    extendable = vector_index.extendable
    assert extendable(tuned, "auto", 1010, 10)
    assert extendable(tuned, "hnsw", 1010, 250)
    assert not extendable(tuned, "auto", 1300, 251)
    assert not extendable(tuned, "ivf", 1010, 10)  # another kind was asked for
    grown = dataclasses.replace(tuned, added=200, tombstones=40)
    assert extendable(grown, "auto", 1010, 10)
    assert not extendable(grown, "auto", 1010, 11)
    assert not extendable(vector_index.IndexChoice("flat", "IDMap2,Flat"), "auto", 10, 1)
    # Manifests from before the counts were recorded: trained on an unknown number, rebuilt.
    older = vector_index.IndexChoice.from_manifest(
        {"kind": "ivf", "factory": "IDMap2,IVF40,SQ8", "search_setting": 16, "unknown": 1}
    )
    assert older is not None and older.tuned_on == 0
    assert not extendable(older, "auto", 1010, 10)
    assert vector_index.IndexChoice.from_manifest("ivf") is None


@pytest.mark.parametrize("kind", ["flat", "hnsw", "ivf"])
def test_vectors_read_at_once_are_those_reconstructed_one_by_one(
    indexes: dict[str, faiss.Index], kind: str
) -> None:
    index = indexes[kind]
    ids = [17, 3, 5999, 17, 0, 2048]
    if isinstance(index, ShortlistIndex):
        # A re-ranked IVF reads the vectors themselves (a build's; a snapshot's from the cache).
        expected = np.asarray(index.exact.rows(np.asarray(ids))[0]) if index.exact else None
    else:
        expected = np.vstack([index.reconstruct(i) for i in ids])
    assert expected is not None
    found = vector_index.vectors_of(index, ids)
    assert found.dtype == expected.dtype and found.tobytes() == expected.tobytes()


def test_one_query_is_searched_on_the_calling_thread_alone() -> None:
    # A team of OpenMP threads only adds waiting for one query vector; the caller's own
    # setting is left as it was for whatever it runs next (a build, a batch of queries).
    seen: list[int] = []

    class Recording:
        ntotal = 3

        def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
            seen.append(faiss.omp_get_max_threads())
            return np.ones((1, k), np.float32), np.zeros((1, k), np.int64)

    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(2)
    try:
        search(Recording(), np.zeros(4, np.float32), 2)  # type: ignore[arg-type]
        assert seen == [1]
        assert faiss.omp_get_max_threads() == 2
    finally:
        faiss.omp_set_num_threads(before)


def _index_bytes(index: VectorIndex) -> bytes:
    if isinstance(index, ShortlistIndex):
        codes = index.codes
        return _index_bytes(index.index) + codes.packed.tobytes() + codes.scales.tobytes()
    return faiss.serialize_index(index).tobytes()


@pytest.mark.parametrize("requested", ["auto", "ivf", "hnsw", "flat"])
def test_an_index_built_from_a_file_a_chunk_at_a_time_is_the_one_built_in_memory(
    data: tuple[np.ndarray, np.ndarray],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    requested: str,
) -> None:
    # A full build's vectors come from a file (vector_file.py), never all held: its IVF index
    # is trained on a sample read from it and given the rows a chunk at a time, and its recall
    # measured against exact neighbours merged across chunks; all as if held at once. Chunks of
    # 1,024 rows (FAISS's own block in exact search), the last one short.
    base, _ = data
    monkeypatch.setattr(vector_index, "FILE_CHUNK", 1024)
    monkeypatch.setattr(vector_index, "IVF_MIN_TRAINING_POINTS", 500)
    in_memory, chosen = vector_index.build_chosen(base, requested, ann_threshold=1000)
    written = VectorFile.write(tmp_path / "vectors.f32", DIMENSION, np.array_split(base, 7))
    assert written.shape == base.shape
    from_file, chosen_from_file = vector_index.build_chosen(written, requested, ann_threshold=1000)
    assert chosen_from_file == chosen
    assert _index_bytes(from_file) == _index_bytes(in_memory)


@pytest.mark.parametrize("chunk", [1024, 3072])
def test_exact_neighbours_merged_across_chunks_are_those_of_the_whole(
    data: tuple[np.ndarray, np.ndarray],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    chunk: int,
) -> None:
    base, _ = data
    # Every vector twice: ties broken by id, as faiss.knn over the whole breaks them.
    doubled = np.concatenate([base, base])
    whole = vector_index._exact_neighbours(doubled)
    monkeypatch.setattr(vector_index, "FILE_CHUNK", chunk)
    written = VectorFile.write(tmp_path / "vectors.f32", DIMENSION, [doubled])
    merged = vector_index._exact_neighbours(written)
    assert np.array_equal(merged.rows, whole.rows)
    assert np.array_equal(merged.queries, whole.queries)
    assert merged.truth == whole.truth
    _, found = faiss.knn(
        whole.queries, doubled, vector_index.RECALL_K + 1, faiss.METRIC_INNER_PRODUCT
    )
    assert whole.truth == vector_index._others(whole.rows, found)


def test_ivf_lists_hold_fast_scan_codes_and_rerank_a_shortlist_by_the_vectors(
    data: tuple[np.ndarray, np.ndarray], indexes: dict[str, faiss.Index]
) -> None:
    # 4-bit codes rank the probed lists' vectors; the shortlist is re-ranked by 4-bit residual
    # codes, and the best of it by the vectors themselves: the scores returned are the exact
    # inner products (half precision, as the shortlist was re-ranked before, is off by ~1e-3).
    base, queries = data
    index = shortlisted(indexes)
    assert isinstance(faiss.downcast_index(index.index.index), faiss.IndexIVFPQFastScan)
    assert vector_index.factory_string("ivf", COUNT, DIMENSION).endswith(f"PQ{DIMENSION // 2}x4fs")
    for query in queries[:10]:
        scores, ids = search(index, query, 10)
        np.testing.assert_allclose(scores, base[ids] @ query, atol=1e-6)
        assert np.all(np.diff(scores) <= 0)
    # Read back for a passage (re-ranking by BM25-only candidates): the vectors themselves.
    np.testing.assert_array_equal(vector_index.vectors_of(index, [5, 9]), base[[5, 9]])


def test_a_query_s_lists_are_scanned_in_turn_with_the_distances_faiss_would_give(
    data: tuple[np.ndarray, np.ndarray], indexes: dict[str, faiss.Index], tmp_path: Path
) -> None:
    # FAISS left to choose (implem 0, as indexes were saved before) gathers and sorts a lone
    # query's lists before scanning them; scanned in turn (``FAST_SCAN_IMPLEM``) they give the
    # same distances, near ties in another order, faster at 1 M. Set when built and when read.
    base, queries = data
    index = shortlisted(indexes)
    ivf: Any = faiss.downcast_index(index.ivf)
    assert ivf.implem == vector_index.FAST_SCAN_IMPLEM
    ivf.implem = 0
    try:
        loaded = saved_and_read(index, tmp_path, base)
    finally:
        ivf.implem = vector_index.FAST_SCAN_IMPLEM
    assert isinstance(loaded, ShortlistIndex)
    scanned: Any = faiss.downcast_index(loaded.ivf)
    assert scanned.implem == vector_index.FAST_SCAN_IMPLEM
    saved = faiss.read_index(str(tmp_path / "vectors.faiss"))  # held: the IVF is inside it
    chosen: Any = faiss.downcast_index(faiss.extract_index_ivf(saved))
    assert chosen.implem == 0
    for query in queries[:10]:
        depth = 10 * loaded.k_factor
        ours, _ = scanned.search(query.reshape(1, -1), depth)
        theirs, _ = chosen.search(query.reshape(1, -1), depth)
        np.testing.assert_array_equal(np.sort(ours[0]), np.sort(theirs[0]))


def test_the_residual_codes_alone_score_close_to_the_vectors(
    data: tuple[np.ndarray, np.ndarray], indexes: dict[str, faiss.Index]
) -> None:
    # Without the vectors themselves (a cache gone), the codes' scores and vectors are used:
    # 4 bits of the residual to the list's centroid, within a few hundredths.
    base, queries = data
    blind = dataclasses.replace(shortlisted(indexes), exact=None)
    numbers = np.arange(blind.ntotal)
    approx = blind.codes.scores(numbers, queries[0])
    ordinals = blind.id_map()[numbers]
    np.testing.assert_allclose(approx, base[ordinals] @ queries[0], atol=0.05)
    decoded = vector_index.vectors_of(blind, [5, 9])
    np.testing.assert_allclose(decoded, base[[5, 9]], atol=0.05)
    assert not np.array_equal(decoded, base[[5, 9]])
    _, ids = search(blind, queries[0], 10)
    assert len(set(ids.tolist()) & set(exact_top(base, queries[0], 10).tolist())) >= 7


def test_the_shortlist_and_probes_tuned_are_those_saved(
    data: tuple[np.ndarray, np.ndarray], tmp_path: Path
) -> None:
    base, _ = data
    index, choice = vector_index.build_chosen(base, "ivf", ann_threshold=1000)
    assert choice.refine_factor in vector_index.IVF_REFINE_FACTORS
    loaded = saved_and_read(index, tmp_path, base)
    assert isinstance(loaded, ShortlistIndex)
    assert loaded.k_factor == choice.refine_factor
    assert ivf_of(loaded).nprobe == choice.search_setting
    assert choice.as_manifest()["refine_factor"] == choice.refine_factor


def test_an_ivf_of_8_bit_codes_from_an_earlier_build_still_searches(
    data: tuple[np.ndarray, np.ndarray], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Snapshots written before the fast-scan lists hold IDMap2,IVF,SQ8 with a direct map.
    base, queries = data
    old = faiss.index_factory(DIMENSION, "IDMap2,IVF40,SQ8", faiss.METRIC_INNER_PRODUCT)
    ivf = faiss.extract_index_ivf(old)
    ivf.train(base)
    old.add_with_ids(base, np.arange(COUNT, dtype=np.int64))
    ivf.make_direct_map()
    ivf.nprobe = 20
    assert index_kind(old) == "ivf"
    allowed = np.arange(0, COUNT, 4, dtype=np.int64)
    for limit in (10, vector_index.EXACT_SUBSET_LIMIT):  # the selector, then the exact subset
        monkeypatch.setattr(vector_index, "EXACT_SUBSET_LIMIT", limit)
        _, ids = search(old, queries[0], 10, allowed)
        assert len(ids) == 10 and set(ids.tolist()) <= set(allowed.tolist())


def test_tuning_aims_above_the_target_and_keeps_the_best_short_of_it(
    data: tuple[np.ndarray, np.ndarray], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The corpus's own vectors are easier queries than questions: a setting just at the
    # target on them misses questions' neighbours, so tuning goes on to RECALL_AIM; where no
    # setting gets there, the best one found is kept (and judged against the target).
    base, _ = data
    index = build_vector_index(base, "ivf")
    assert isinstance(index, ShortlistIndex)
    ivf = ivf_of(index)
    refine = index
    sample = vector_index._exact_neighbours(base)
    tried: list[tuple[int, int]] = []

    def scripted(recalls: dict[tuple[int, int], float]) -> None:
        def recall(_index: faiss.Index, _sample: object) -> float:
            tried.append((ivf.nprobe, int(refine.k_factor)))
            return recalls.get(tried[-1], 0.9)

        tried.clear()
        monkeypatch.setattr(vector_index, "_recall", recall)

    low, high = vector_index.IVF_REFINE_FACTORS[0], vector_index.IVF_REFINE_FACTORS[-1]
    steps = vector_index._steps(ivf_probes(ivf.nlist), ivf.nlist // 4, 1.5)
    first, second = steps[:2]
    scripted({(first, low): 0.955, (first, high): 0.97, (second, high): 0.985})
    choice = vector_index._tune(index, "ivf", COUNT, sample)
    assert (choice.search_setting, choice.refine_factor) == (second, high)
    assert tried[-1] == (second, high) and choice.recall_at_10 == 0.985
    scripted({(first, high): 0.97})
    choice = vector_index._tune(index, "ivf", COUNT, sample)
    assert (choice.search_setting, choice.refine_factor, choice.recall_at_10) == (first, high, 0.97)
    assert (ivf.nprobe, refine.k_factor) == (first, high)  # the index is left at it
    assert len(tried) == len(steps) * len(vector_index.IVF_REFINE_FACTORS)


def test_the_recall_check_searches_as_deep_as_the_searcher(
    data: tuple[np.ndarray, np.ndarray], indexes: dict[str, faiss.Index]
) -> None:
    # A re-ranked shortlist is a multiple of the results asked for (HNSW searches at least
    # that deep): recall is measured on searches of the searcher's depth, not of 11.
    base, _ = data
    asked: list[int] = []
    index = indexes["hnsw"]

    class Recording:
        ntotal = index.ntotal

        def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
            asked.append(k)
            return index.search(queries, k)

    shortlisted = indexes["ivf"]
    assert isinstance(shortlisted, ShortlistIndex)
    shortlist = vector_index._shortlist

    def recorded(index: ShortlistIndex, queries: np.ndarray, k: int, params: object = None):  # type: ignore[no-untyped-def]
        asked.append(k)
        return shortlist(index, queries, k, params)

    for depth, expected in ((None, vector_index.RECALL_K + 1), (51, 51), (3, 11)):
        sample = (
            vector_index._exact_neighbours(base)
            if depth is None
            else vector_index._exact_neighbours(base, depth)
        )
        vector_index._recall(Recording(), sample)  # type: ignore[arg-type]
        assert asked[-1] == expected
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(vector_index, "_shortlist", recorded)
            vector_index._recall(shortlisted, sample)
        assert asked[-1] == expected
