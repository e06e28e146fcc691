"""FAISS index construction and search: exact inner product by default, ANN for big corpora.

Measured on 1,000,000 clustered synthetic 384-d unit vectors (bench/ann_scale.py,
BENCHMARKS.md): a flat index is 1.5 GB and tens of milliseconds per query; IVF over 8-bit
scalar-quantised residuals is a quarter of the memory, sub-millisecond, and keeps recall@10
above 0.99 at the probe count below; HNSW over the same codes is as fast but takes several
times longer to build, and every rebuild builds the whole index again. So ``auto`` picks
exact search up to ``ann_threshold`` passages and IVF-SQ8 above.
"""

from __future__ import annotations

import logging
import math
from typing import Any, Literal, cast

import faiss
import numpy as np

logger = logging.getLogger(__name__)

IndexKind = Literal["flat", "hnsw", "ivf"]

HNSW_NEIGHBORS = 32
HNSW_EF_CONSTRUCTION = 40
HNSW_EF_SEARCH = 128
HNSW_MAX_EF_SEARCH = 1024

# k-means needs about 40 points per list; more training data buys little recall.
IVF_TRAINING_POINTS_PER_LIST = 40
IVF_MIN_TRAINING_POINTS = 20_000
IVF_MIN_PROBES = 16
# Share of the lists probed per query; at 1M vectors (2,000 lists) that is 16 lists.
IVF_PROBE_FRACTION = 1 / 128

# Below this many allowed ids an ANN index is bypassed: scoring the subset exactly is
# cheap and never misses an allowed passage that sits in an unprobed list.
EXACT_SUBSET_LIMIT = 20_000


def choose_kind(requested: str, count: int, ann_threshold: int) -> IndexKind:
    if requested in ("flat", "hnsw", "ivf"):
        return requested  # type: ignore[return-value]
    return "ivf" if count > ann_threshold else "flat"


def ivf_lists(count: int) -> int:
    """About 2·sqrt(n) lists, and never fewer training points per list than k-means needs."""
    return max(1, min(int(2 * math.sqrt(count)), count // IVF_TRAINING_POINTS_PER_LIST, 65_536))


def ivf_probes(lists: int) -> int:
    return min(lists, max(IVF_MIN_PROBES, round(lists * IVF_PROBE_FRACTION)))


def _training_sample(vectors: np.ndarray, size: int, seed: int = 0) -> np.ndarray:
    if len(vectors) <= size:
        return vectors
    # A seeded random sample: the first rows come from the first articles, not the corpus.
    rows = np.sort(np.random.default_rng(seed).choice(len(vectors), size, replace=False))
    return np.ascontiguousarray(vectors[rows])


def build_vector_index(vectors: np.ndarray, kind: IndexKind) -> faiss.Index:
    """An ``IndexIDMap2`` whose ids are passage ordinals; vectors must be L2-normalised."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    dimension = vectors.shape[1]
    inner: faiss.Index
    if kind == "hnsw":
        # Graph over 8-bit codes: a quarter of the float memory, same graph quality.
        graph: Any = cast(Any, faiss).IndexHNSWSQ(
            dimension, faiss.ScalarQuantizer.QT_8bit, HNSW_NEIGHBORS, faiss.METRIC_INNER_PRODUCT
        )
        graph.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        graph.hnsw.efSearch = HNSW_EF_SEARCH
        if len(vectors):
            graph.train(_training_sample(vectors, 100_000))
        inner = graph
    elif kind == "ivf":
        lists = ivf_lists(len(vectors))
        quantizer = faiss.IndexFlatIP(dimension)
        ivf = faiss.IndexIVFScalarQuantizer(
            quantizer, dimension, lists, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
        )
        if len(vectors):
            sample_size = max(lists * IVF_TRAINING_POINTS_PER_LIST, IVF_MIN_TRAINING_POINTS)
            ivf.train(_training_sample(vectors, sample_size))
        ivf.nprobe = ivf_probes(lists)
        inner = ivf
    else:
        # Inner product equals cosine similarity on normalised vectors.
        inner = faiss.IndexFlatIP(dimension)
    index = faiss.IndexIDMap2(inner)
    if len(vectors):
        index.add_with_ids(vectors, np.arange(len(vectors), dtype=np.int64))
    if kind == "ivf":
        # Lets filtered searches over a few passages read their codes back (see search()).
        ivf.make_direct_map()
    return index


def index_kind(index: faiss.Index) -> IndexKind:
    inner = faiss.downcast_index(index.index) if isinstance(index, faiss.IndexIDMap2) else index
    if isinstance(inner, faiss.IndexHNSW):
        return "hnsw"
    if isinstance(inner, faiss.IndexIVF):
        return "ivf"
    return "flat"


def search(
    index: faiss.Index, query: np.ndarray, k: int, allowed: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Top ``k`` (scores, ids) for one query vector; ``allowed`` restricts to those ids."""
    empty = np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
    if index.ntotal == 0 or k <= 0:
        return empty
    query = np.ascontiguousarray(query, dtype=np.float32).reshape(1, -1)
    if allowed is None:
        k = min(k, index.ntotal)
        scores, ids = index.search(query, k)
        keep = ids[0] >= 0
        return scores[0][keep], ids[0][keep]
    if len(allowed) == 0:
        return empty
    allowed = np.ascontiguousarray(allowed, dtype=np.int64)
    kind = index_kind(index)
    if kind != "flat" and len(allowed) <= EXACT_SUBSET_LIMIT:
        return _search_subset(index, query, k, allowed)
    k = min(k, len(allowed))
    selector = faiss.IDSelectorBatch(allowed)
    params = _filtered_params(index, kind, len(allowed))
    params.sel = selector  # ``selector`` stays referenced here until the search is done
    scores, ids = index.search(query, k, params=params)
    keep = ids[0] >= 0
    return scores[0][keep], ids[0][keep]


def _search_subset(
    index: faiss.Index, query: np.ndarray, k: int, allowed: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    vectors = index.reconstruct_batch(allowed)
    scores = vectors @ query[0]
    k = min(k, len(allowed))
    top = np.argpartition(-scores, k - 1)[:k] if k < len(allowed) else np.arange(len(allowed))
    top = top[np.argsort(-scores[top], kind="stable")]
    return scores[top].astype(np.float32), allowed[top]


def _filtered_params(index: faiss.Index, kind: IndexKind, allowed: int) -> faiss.SearchParameters:
    """Search parameters that keep recall when only ``allowed`` of the ids may be returned.

    An ANN search visits a fixed share of the index; with a filter only a fraction of what
    it visits counts, so it visits proportionally more.
    """
    widen = max(1, math.ceil(index.ntotal / allowed))
    # faiss' SWIG classes are untyped for mypy beyond the base ones.
    params: Any
    if kind == "ivf":
        ivf: Any = faiss.extract_index_ivf(index)
        params = faiss.SearchParametersIVF()
        params.nprobe = min(ivf.nlist, ivf.nprobe * widen)
    elif kind == "hnsw":
        hnsw: Any = cast(Any, faiss.downcast_index(cast(Any, index).index)).hnsw
        params = cast(Any, faiss).SearchParametersHNSW()
        params.efSearch = min(HNSW_MAX_EF_SEARCH, hnsw.efSearch * widen)
    else:
        params = faiss.SearchParameters()
    return cast(faiss.SearchParameters, params)
