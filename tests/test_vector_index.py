"""FAISS indexes on seeded synthetic vectors, checked against exact search (numpy)."""

from __future__ import annotations

import dataclasses
import weakref
from pathlib import Path

import faiss
import numpy as np
import pytest

from articleqa import vector_index
from articleqa.vector_file import VectorFile
from articleqa.vector_index import (
    build_vector_index,
    choose_kind,
    index_kind,
    ivf_lists,
    ivf_probes,
    search,
)

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
        path = tmp_path / f"{kind}.faiss"
        faiss.write_index(indexes[kind], str(path))
        loaded = faiss.read_index(str(path))
        assert index_kind(loaded) == kind
        for query in queries[:5]:
            assert (
                search(loaded, query, 10)[1].tolist()
                == search(indexes[kind], query, 10)[1].tolist()
            )
        # The exact path over a few ids needs the IVF's direct map, which must survive saving.
        allowed = np.arange(0, 100, dtype=np.int64)
        scores, ids = search(loaded, queries[0], 5, allowed)
        assert set(ids.tolist()) <= set(allowed.tolist())
        np.testing.assert_allclose(scores, base[ids] @ queries[0], atol=0.01)
    ivf = faiss.extract_index_ivf(faiss.read_index(str(tmp_path / "ivf.faiss")))
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
    path = tmp_path / "tuned.faiss"
    faiss.write_index(index, str(path))
    assert faiss.extract_index_ivf(faiss.read_index(str(path))).nprobe == choice.search_setting
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
    expected = np.vstack([index.reconstruct(i) for i in ids])
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


def _index_bytes(index: faiss.Index) -> bytes:
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
