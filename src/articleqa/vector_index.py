"""FAISS index construction and search: exact inner product for small corpora, ANN above.

``auto`` keeps exact search up to ``ann_threshold`` passages, where scanning every vector costs
about as much as the rest of a question (BENCHMARKS.md, "Scale"). Above it, it builds IVF whose
lists hold 4-bit fast-scan PQ codes (two dimensions a code, scanned with SIMD table look-ups),
re-ranks their shortlist by 4-bit codes of each vector's residual to its list's centroid
(``residual_codes``), and the best few dozen of that by the vectors themselves, read from the
embedding cache (``exact_vectors``; a build reads its own vector file); it raises the probe count
and the shortlist until recall@10 against exact search reaches ``RECALL_AIM`` on a sample of the
corpus's own vectors used as queries. That sample is easier than questions (a passage finds its
near copies more surely than a question finds its passages), so the aim is above the
``RECALL_TARGET`` meant for questions; an index that reaches only the target is kept.
Embeddings without topic structure need most lists probed to get there; then IVF saves nothing
over exact search, and an HNSW graph over 8-bit codes is built and its ``efSearch`` raised the
same way. The kind, the settings and the recall measured are recorded in the snapshot manifest,
so a question's cost and its recall are known per build, not assumed from a fixed size.
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal, cast

import faiss
import numpy as np

from articleqa.exact_vectors import ArrayRows, ExactRows
from articleqa.residual_codes import ResidualCodes, dot_rows
from articleqa.vector_file import VectorFile

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
# Probing more than this share of the lists costs as much as an HNSW search and more; an IVF
# that needs it for its recall gives way to HNSW (module docstring). Fast-scan codes are read
# faster than 8-bit ones (at 1 M a quarter of the lists took less time than SQ8 took for an
# eighth), so more of the lists may be probed.
IVF_MAX_PROBE_FRACTION = 1 / 4
# Dimensions a 4-bit PQ code of the IVF lists stands for (the dimension must divide by it, else
# one dimension a code); and the shortlist sizes tried, as multiples of k, re-ranked by the
# residual codes and their best by the vectors (``EXACT_SHARE``). 8-bit codes of the vectors
# themselves re-ranking the shortlist reorder near ties: 0.961 at best
# on the scale bench's questions. The shortest shortlist is 32x: the corpus's own vectors rank
# their neighbours higher in the codes' order than questions do (at 1 M, 16x reached 0.98 on
# them and 0.925 on the questions; BENCHMARKS.md, "Scale, twelfth pass").
IVF_PQ_DIMENSIONS_PER_CODE = 2
IVF_REFINE_FACTORS = (32, 64)
# FAISS's fast-scan IVF search picks its loop by the batch; for one query it picks 13 (the
# query's lists gathered and sorted first, results kept in a reservoir): 2.1 ms at 1 M, where 11
# (the lists scanned in turn, the same reservoir) took 1.6, with the same distances and recall;
# only equal distances come in another order (BENCHMARKS.md, "Scale, twentieth pass").
FAST_SCAN_IMPLEM = 11
# Of the shortlist re-ranked by the residual codes, the best k x this share, and at least k
# plus the extra, are scored by the vectors themselves: at 1 M, the best 60 of 1,600 held as
# many of the questions' exact neighbours as the best 150 (BENCHMARKS.md, "Scale, fourteenth
# pass"); for a short k the extra keeps a margin (the tests' noisy clusters at k = 11 lost
# 5 % with 3 more, none with 16).
EXACT_SHARE = 1.25
EXACT_EXTRA = 16

# Recall@10 an ANN index must reach on the corpus's own vectors, and how many of them are asked.
# They are searched for as many results as the searcher asks (its ``candidates``): a shortlist
# re-ranked is a multiple of that, and HNSW searches at least that deep.
RECALL_TARGET = 0.95
# What tuning aims for on them: on the scale bench at 1 M, settings at 0.98 on the corpus's own
# vectors found 0.96 of the questions' exact neighbours, settings at 0.95 only 0.88-0.89
# (BENCHMARKS.md, "Scale, twelfth pass"). Queries outside the corpus (a passage's sentence,
# words of it) were tried instead and read 0.05-0.09 below the questions there.
RECALL_AIM = 0.98
RECALL_QUERIES = 256
RECALL_K = 10

# Below this many allowed ids an ANN index is bypassed: scoring the subset exactly is
# cheap and never misses an allowed passage that sits in an unprobed list.
EXACT_SUBSET_LIMIT = 20_000

# Rows of a ``VectorFile`` read at a time (96 MiB of float32 at 384 dimensions), and the rows
# of each block of exact search (``_knn_of_file``): FAISS's own block of database rows
# (``distance_compute_blas_database_bs``), so the inner products are those over the whole.
FILE_CHUNK = 64 * 1024
KNN_BLOCK = 1024

# The passages' vectors: in memory, or (a full build) in a file read a chunk at a time.
Vectors = np.ndarray | VectorFile


@dataclass(eq=False, slots=True, weakref_slot=True)
class ShortlistIndex:
    """An IVF of 4-bit fast-scan codes (``index``: an ``IndexIDMap2`` whose ids are passage
    ordinals) whose shortlist of ``k_factor`` x k is re-ranked by ``codes`` and the best
    ``EXACT_SHARE`` x k of that by the vectors themselves (``exact``; None: by the codes alone).
    Saved as the FAISS file, the codes beside it and the keys ``exact`` reads by."""

    index: faiss.Index
    codes: ResidualCodes
    exact: ExactRows | None
    k_factor: int = IVF_REFINE_FACTORS[0]
    # The ID map's ordinals as an array (a copy of 8 bytes a vector: 0.5 ms at 1 M, too much
    # to make per search) and each passage's vector's number in the IVF (-1: none), made when
    # first needed; None again whenever the ID map changes (``extend``).
    ordinals: np.ndarray | None = None
    numbers: np.ndarray | None = None

    def __post_init__(self) -> None:
        ivf = faiss.downcast_index(self.ivf)
        if isinstance(ivf, faiss.IndexIVFFastScan):
            # Saved with the index; set here too for those saved before (0: FAISS chooses).
            ivf.implem = FAST_SCAN_IMPLEM

    @property
    def ntotal(self) -> int:
        return int(self.index.ntotal)

    @property
    def d(self) -> int:
        return int(self.index.d)

    @property
    def ivf(self) -> Any:
        return faiss.extract_index_ivf(cast(Any, self.index).index)

    def id_map(self) -> np.ndarray:
        """The passage ordinal of each vector the IVF numbers (-1: a passage gone)."""
        if self.ordinals is None:
            self.ordinals = faiss.vector_to_array(cast(Any, self.index).id_map)
        return self.ordinals


# What a snapshot's vectors are searched with: a FAISS index, or an IVF re-ranked as above.
VectorIndex = faiss.Index | ShortlistIndex


@dataclass(frozen=True, slots=True)
class IndexChoice:
    """What was built and why: recorded in the manifest as ``vector_index``."""

    kind: IndexKind
    factory: str
    # nprobe (IVF) or efSearch (HNSW) as saved with the index; None for exact search.
    search_setting: int | None = None
    # Of an IVF with a re-ranked shortlist: its size as a multiple of k, as saved with the index.
    refine_factor: int | None = None
    # Recall@10 against exact search measured at build time; None for exact search.
    recall_at_10: float | None = None
    recall_queries: int = 0
    # Vectors the index was trained and tuned on; vectors added by later builds since, and
    # entries of passages gone since (their id is -1: a search never returns them).
    tuned_on: int = 0
    added: int = 0
    tombstones: int = 0

    def as_manifest(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_manifest(cls, data: Any) -> IndexChoice | None:
        """The choice a manifest records, or None when it records none (or an unknown one)."""
        if not isinstance(data, dict):
            return None
        try:
            return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})
        except TypeError:
            return None


def choose_kind(requested: str, count: int, ann_threshold: int) -> IndexKind:
    if requested in ("flat", "hnsw", "ivf"):
        return requested  # type: ignore[return-value]
    return "ivf" if count > ann_threshold else "flat"


def ivf_lists(count: int) -> int:
    """About 2·sqrt(n) lists, and never fewer training points per list than k-means needs."""
    return max(1, min(int(2 * math.sqrt(count)), count // IVF_TRAINING_POINTS_PER_LIST, 65_536))


def ivf_probes(lists: int) -> int:
    return min(lists, max(IVF_MIN_PROBES, round(lists * IVF_PROBE_FRACTION)))


def _training_sample(vectors: Vectors, size: int, seed: int = 0) -> np.ndarray:
    if len(vectors) <= size:
        return vectors.load() if isinstance(vectors, VectorFile) else vectors
    # A seeded random sample: the first rows come from the first articles, not the corpus.
    rows = np.sort(np.random.default_rng(seed).choice(len(vectors), size, replace=False))
    if isinstance(vectors, VectorFile):
        return vectors.take(rows)
    return np.ascontiguousarray(vectors[rows])


def _chunks(vectors: Vectors) -> Iterator[tuple[int, np.ndarray]]:
    """(first row, rows) of ``vectors``: all at once in memory, ``FILE_CHUNK`` from a file."""
    if isinstance(vectors, VectorFile):
        yield from vectors.chunks(FILE_CHUNK)
    else:
        yield 0, vectors


def pq_codes(dimension: int) -> int:
    """The 4-bit codes a vector of ``dimension`` gets in the IVF lists."""
    per = IVF_PQ_DIMENSIONS_PER_CODE
    return dimension // per if dimension % per == 0 else dimension


def factory_string(kind: IndexKind, count: int, dimension: int = 0) -> str:
    """The ``faiss.index_factory`` description of ``kind`` for ``count`` vectors."""
    if kind == "hnsw":
        # Graph over 8-bit codes: a quarter of the float memory, same graph quality.
        return f"IDMap2,HNSW{HNSW_NEIGHBORS}_SQ8"
    if kind == "ivf":
        # The shortlist is re-ranked outside FAISS (``ShortlistIndex``).
        return f"IDMap2,IVF{ivf_lists(count)},PQ{pq_codes(dimension)}x4fs"
    # Inner product equals cosine similarity on normalised vectors.
    return "IDMap2,Flat"


def build_vector_index(vectors: Vectors, kind: IndexKind) -> VectorIndex:
    """An ``IndexIDMap2`` whose ids are passage ordinals (IVF: within a ``ShortlistIndex``,
    re-ranking by ``vectors`` themselves); vectors must be L2-normalised.

    From a ``VectorFile`` an IVF index is trained on a sample read from it and given the rows
    a chunk at a time (each vector's list and code depend on it alone, and the lists keep the
    order rows are added in: the same index); the other kinds read every row, as they hold
    them (flat) or as their graph depends on the order of insertion (HNSW)."""
    if isinstance(vectors, VectorFile) and kind != "ivf":
        vectors = vectors.load()
    if not isinstance(vectors, VectorFile):
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    dimension = vectors.shape[1]
    index = faiss.index_factory(
        dimension, factory_string(kind, len(vectors), dimension), faiss.METRIC_INNER_PRODUCT
    )
    inner: Any = faiss.downcast_index(cast(Any, index).index)
    if kind == "hnsw":
        inner.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        inner.hnsw.efSearch = HNSW_EF_SEARCH
        if len(vectors):
            inner.train(_training_sample(vectors, 100_000))
    elif kind == "ivf":
        if len(vectors):
            sample_size = max(inner.nlist * IVF_TRAINING_POINTS_PER_LIST, IVF_MIN_TRAINING_POINTS)
            inner.train(_training_sample(vectors, sample_size))
        inner.nprobe = ivf_probes(inner.nlist)
    for start, rows in _chunks(vectors) if len(vectors) else ():
        rows = np.ascontiguousarray(rows, dtype=np.float32)
        index.add_with_ids(rows, np.arange(start, start + len(rows), dtype=np.int64))
    if kind == "ivf":
        # A second pass over the rows: each vector's list is known once it is added.
        codes = ResidualCodes.of(inner, _chunks(vectors) if len(vectors) else iter(()))
        return ShortlistIndex(index, codes, ArrayRows(vectors), IVF_REFINE_FACTORS[0])
    return index


def build_chosen(
    vectors: Vectors, requested: str, ann_threshold: int, search_k: int = RECALL_K + 1
) -> tuple[VectorIndex, IndexChoice]:
    """The index for ``vectors`` (``requested``: auto, flat, ivf or hnsw), its ANN setting
    raised until recall@10 reaches ``RECALL_AIM`` (or ``RECALL_TARGET`` at least) where it can
    be (module docstring). ``vectors`` in a file are read a chunk at a time where the index
    allows it. ``search_k``: the results a search will ask for (the recall is that of their
    first ``RECALL_K``)."""
    kind = choose_kind(requested, len(vectors), ann_threshold)
    if kind == "flat" or len(vectors) <= RECALL_K + 1:
        return build_vector_index(vectors, kind), IndexChoice(kind, factory_string(kind, 0))
    if not isinstance(vectors, VectorFile):
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    sample = _exact_neighbours(vectors, search_k)
    index: VectorIndex = build_vector_index(vectors, kind)
    choice = _tune(index, kind, len(vectors), sample)
    if requested == "auto" and (choice.recall_at_10 or 0.0) < RECALL_TARGET and kind == "ivf":
        logger.info(
            "IVF reaches recall@10 %.3f at %d probes only; building HNSW instead",
            choice.recall_at_10,
            choice.search_setting,
        )
        # Let go of the IVF index before the graph is built: both at once were a quarter of
        # the vectors' memory more at the build's peak (BENCHMARKS.md, "Scale, sixth pass").
        del index
        index = build_vector_index(vectors, "hnsw")
        choice = _tune(index, "hnsw", len(vectors), sample)
    if requested == "auto" and (choice.recall_at_10 or 0.0) < RECALL_TARGET:
        logger.warning(
            "no ANN index reaches recall@10 %.2f on these vectors; searching exactly", RECALL_TARGET
        )
        del index
        return build_vector_index(vectors, "flat"), IndexChoice("flat", factory_string("flat", 0))
    logger.info(
        "vector index %s, setting %s (shortlist %sx k): recall@10 %.3f on %d of the corpus's "
        "vectors",
        choice.factory,
        choice.search_setting,
        choice.refine_factor,
        choice.recall_at_10,
        choice.recall_queries,
    )
    return index, choice


@dataclass(frozen=True, slots=True)
class _Sample:
    """A seeded sample of the corpus's vectors as queries and each one's exact ``RECALL_K``
    nearest other vectors (itself left out on both sides: it would be a free hit)."""

    rows: np.ndarray
    queries: np.ndarray
    truth: list[list[int]]
    # Results a search asks for (one more than RECALL_K at least: the query finds itself).
    search_k: int = RECALL_K + 1


def _exact_neighbours(vectors: Vectors, search_k: int = RECALL_K + 1) -> _Sample:
    count = min(RECALL_QUERIES, len(vectors))
    rows = np.sort(np.random.default_rng(0).choice(len(vectors), count, replace=False))
    if isinstance(vectors, VectorFile):
        queries = vectors.take(rows)
        found = _knn_of_file(queries, vectors)
    else:
        queries = np.ascontiguousarray(vectors[rows])
        # faiss.knn reads the corpus in place: no second copy of it, as an IndexFlat would make.
        _, found = faiss.knn(queries, vectors, RECALL_K + 1, metric=faiss.METRIC_INNER_PRODUCT)
    return _Sample(rows, queries, _others(rows, found), max(search_k, RECALL_K + 1))


def _knn_of_file(queries: np.ndarray, vectors: VectorFile) -> np.ndarray:
    """The ids faiss.knn finds for ``queries`` over every row of ``vectors``, one chunk held
    at a time. Equal vectors tie, and which of them faiss.knn keeps depends on the order the
    rows reach its heap; so every score of a block of rows (computed as over the whole) is fed
    in row order to a heap of the same kind, not each chunk's best alone."""
    heap = faiss.ResultHeap(len(queries), RECALL_K + 1, keep_max=True)
    for start, chunk in vectors.chunks(FILE_CHUNK):
        for at in range(0, len(chunk), KNN_BLOCK):
            block = chunk[at : at + KNN_BLOCK]
            scores, ids = faiss.knn(queries, block, len(block), metric=faiss.METRIC_INNER_PRODUCT)
            order = np.argsort(ids, axis=1)
            heap.add_result(
                np.take_along_axis(scores, order, axis=1),
                np.take_along_axis(ids, order, axis=1) + (start + at),
            )
    heap.finalize()
    return np.asarray(heap.I)


def _others(rows: np.ndarray, found: np.ndarray) -> list[list[int]]:
    return [
        [i for i in ids if i != row and i >= 0][:RECALL_K]
        for row, ids in zip(rows.tolist(), found.tolist(), strict=True)
    ]


def _recall(index: VectorIndex, sample: _Sample) -> float:
    k = min(sample.search_k, index.ntotal)
    if isinstance(index, ShortlistIndex):
        found = _shortlist_search_many(index, sample.queries, k)
    else:
        _, found = index.search(sample.queries, k)
    got = _others(sample.rows, found)
    hits = sum(len(set(a) & set(b)) for a, b in zip(sample.truth, got, strict=True))
    return hits / max(1, sum(len(t) for t in sample.truth))


def _tune(index: VectorIndex, kind: IndexKind, count: int, sample: _Sample) -> IndexChoice:
    """Raise nprobe / efSearch from its default until recall reaches the aim (or a cap); an
    IVF with a re-ranked shortlist tries each shortlist size at a probe count before the next
    count (re-ranking a larger shortlist costs less than probing more lists). Where the aim is
    not reached, the setting of the best recall is kept."""
    shortlist = index if isinstance(index, ShortlistIndex) else None
    inner: Any = faiss.downcast_index(cast(Any, index).index)
    factors: tuple[int | None, ...] = (None,)
    if kind == "ivf":
        inner = faiss.extract_index_ivf(inner)
        cap = max(1, int(inner.nlist * IVF_MAX_PROBE_FRACTION))
        if shortlist is not None:
            factors = IVF_REFINE_FACTORS
            # The fast scan's cost follows the lists probed; steps finer than doubling.
            settings = _steps(ivf_probes(inner.nlist), cap, 1.5)
        else:
            settings = _doublings(ivf_probes(inner.nlist), cap)
    else:
        settings = _doublings(HNSW_EF_SEARCH // 4, HNSW_MAX_EF_SEARCH)

    def use(setting: int, factor: int | None) -> None:
        if kind == "ivf":
            inner.nprobe = setting
        else:
            inner.hnsw.efSearch = setting
        if shortlist is not None and factor is not None:
            shortlist.k_factor = factor

    best = (-1.0, settings[0], factors[0])
    for setting, factor in ((s, f) for s in settings for f in factors):
        use(setting, factor)
        recall = _recall(index, sample)
        if recall > best[0]:
            best = (recall, setting, factor)
        if recall >= RECALL_AIM:
            break
    recall, setting, factor = best
    use(setting, factor)
    return IndexChoice(
        kind,
        factory_string(kind, count, index.d),
        search_setting=setting,
        refine_factor=factor,
        recall_at_10=round(recall, 4),
        recall_queries=len(sample.rows),
        tuned_on=count,
    )


def _steps(first: int, cap: int, ratio: float) -> list[int]:
    values = [min(first, cap)]
    while values[-1] < cap:
        values.append(min(max(values[-1] + 1, round(values[-1] * ratio)), cap))
    return values


def _doublings(first: int, cap: int) -> list[int]:
    return _steps(first, cap, 2)


# An ANN index is extended by later builds (new passages added, gone ones tombstoned) until
# what changed since it was trained and tuned exceeds this share of it; then it is rebuilt.
EXTEND_FRACTION = 0.25


def extendable(choice: IndexChoice | None, requested: str, count: int, changed: int) -> bool:
    """Whether the previous build's ANN index may be extended for a corpus of ``count``
    passages of which ``changed`` are new or gone, rather than built again.

    Flat indexes are always built again: exact search over the same vectors in the same order
    is then exactly what a build from scratch gives, and a flat build is a copy of the vectors.
    """
    if choice is None or choice.kind == "flat" or choice.tuned_on <= 0:
        return False
    if requested not in ("auto", choice.kind):
        return False
    since = choice.added + choice.tombstones + changed
    return since <= EXTEND_FRACTION * choice.tuned_on and count > RECALL_K + 1


def extend(
    index: VectorIndex,
    choice: IndexChoice,
    earlier: np.ndarray,
    vectors: np.ndarray,
    ordinals: np.ndarray,
) -> tuple[VectorIndex, IndexChoice]:
    """The previous build's ANN ``index`` renumbered for this build and given the new passages.

    ``earlier``: each passage's ordinal in the previous build (-1: new); ``vectors``: the new
    passages' vectors, whose ordinals are ``ordinals``. A passage gone keeps its entry with id
    -1 (HNSW cannot remove, and IVF only without its direct map): searches skip it. The index
    keeps its training and its tuned setting; recall is not measured again (it would need
    every vector), so the manifest says how much was added since it was. A ``ShortlistIndex``
    gets the new vectors' residual codes after its own.
    """
    mapped: Any = index.index if isinstance(index, ShortlistIndex) else index
    previous = faiss.vector_to_array(mapped.id_map)
    size = max(int(previous.max(initial=-1)), int(earlier.max(initial=-1))) + 1
    renumber = np.full(max(size, 1), -1, dtype=np.int64)
    moved = np.flatnonzero(earlier >= 0)
    renumber[earlier[moved]] = moved
    ids = np.where(previous >= 0, renumber[np.maximum(previous, 0)], -1)
    faiss.copy_array_to_vector(ids.astype(np.int64), mapped.id_map)
    if len(ordinals):
        rows = np.ascontiguousarray(vectors, dtype=np.float32)
        mapped.add_with_ids(rows, np.asarray(ordinals, dtype=np.int64))
        if isinstance(index, ShortlistIndex):
            index = replace(index, codes=index.codes.extended(index.ivf, rows))
    mapped.construct_rev_map()
    if isinstance(index, ShortlistIndex):
        index = replace(index, ordinals=None, numbers=None)  # the passages are numbered anew
    tombstones = int(np.count_nonzero(faiss.vector_to_array(mapped.id_map) < 0))
    return index, replace(
        choice,
        added=choice.added + len(ordinals),
        tombstones=tombstones,
    )


def index_kind(index: VectorIndex) -> IndexKind:
    if isinstance(index, ShortlistIndex):
        return "ivf"
    inner = faiss.downcast_index(index.index) if isinstance(index, faiss.IndexIDMap2) else index
    if isinstance(inner, faiss.IndexRefine):
        inner = faiss.downcast_index(inner.base_index)
    if isinstance(inner, faiss.IndexHNSW):
        return "hnsw"
    if isinstance(inner, faiss.IndexIVF):
        return "ivf"
    return "flat"


@contextlib.contextmanager
def _one_thread() -> Iterator[None]:
    """FAISS on the calling thread alone for as long as the block runs (OpenMP's setting is
    the calling thread's own, so other threads keep theirs; the server's search threads are
    already set to one, ``api.batcher``).

    One query vector gains nothing from a team of threads: FAISS shares out queries, and for
    one it only pays to start the team and wait for it. On a shared machine the wait is for a
    busy core: at 198 k passages on 2 cores at load ~11, 200 HNSW searches took 1.8-3.6 s with
    two threads against 0.47-0.58 s with one, the same results (BENCHMARKS.md, "Scale, sixth
    pass")."""
    threads = faiss.omp_get_max_threads()
    if threads == 1:
        yield
        return
    faiss.omp_set_num_threads(1)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(threads)


def search(
    index: VectorIndex, query: np.ndarray, k: int, allowed: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Top ``k`` (scores, ids) for one query vector; ``allowed`` restricts to those ids."""
    with _one_thread():
        if isinstance(index, ShortlistIndex):
            return _shortlist_search(index, query, k, allowed)
        return _search(index, query, k, allowed)


def vectors_of(index: VectorIndex, ids: Sequence[int]) -> np.ndarray:
    """The vectors stored for ``ids`` (decoded from the index's codes; of a ``ShortlistIndex``,
    the vectors themselves where it reads them), one row each: in one call, not one
    ``reconstruct`` (and one array) per id."""
    ordinals = np.asarray(ids, dtype=np.int64)
    if isinstance(index, ShortlistIndex):
        return _shortlist_vectors(index, ordinals)
    with _one_thread():
        return np.asarray(index.reconstruct_batch(ordinals))


def _shortlist_vectors(index: ShortlistIndex, ordinals: np.ndarray) -> np.ndarray:
    if index.exact is None:
        vectors = np.zeros((len(ordinals), index.d), dtype=np.float32)
        found = np.zeros(len(ordinals), dtype=bool)
    else:
        vectors, found = index.exact.rows(ordinals)
    if not found.all():
        missing = np.flatnonzero(~found)
        vectors[missing] = index.codes.decode(_numbers_of(index, ordinals[missing]))
    return vectors


def _numbers_of(index: ShortlistIndex, ordinals: np.ndarray) -> np.ndarray:
    """The IVF's own numbers of the vectors of passages ``ordinals``."""
    numbers = index.numbers
    if numbers is None:
        id_map = index.id_map()
        numbers = np.full(int(id_map.max(initial=-1)) + 1, -1, dtype=np.int64)
        live = np.flatnonzero(id_map >= 0)
        numbers[id_map[live]] = live
        index.numbers = numbers
    if len(ordinals) and int(ordinals.max()) >= len(numbers):
        raise KeyError(f"no vector for passage {int(ordinals.max())}")
    found = numbers[ordinals]
    if (found < 0).any():
        raise KeyError(f"no vector for passage {int(ordinals[np.argmin(found)])}")
    return found


def _shortlist_search(
    index: ShortlistIndex, query: np.ndarray, k: int, allowed: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    empty = np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
    if index.ntotal == 0 or k <= 0 or (allowed is not None and len(allowed) == 0):
        return empty
    query = np.ascontiguousarray(query, dtype=np.float32).reshape(-1)
    id_map = index.id_map()
    params: Any = None
    held: list[Any] = []
    if allowed is not None:
        allowed = np.ascontiguousarray(allowed, dtype=np.int64)
        if len(allowed) <= EXACT_SUBSET_LIMIT:
            # Every allowed passage scored by its codes: never misses one in an unprobed list.
            numbers = _numbers_of(index, allowed)
            return _reranked(index, query, k, numbers, allowed)
        k = min(k, len(allowed))
        selector = faiss.IDSelectorBatch(allowed)
        # The IVF gets the filter as ids of its own: the ID map translates only a selector
        # given to itself.
        translated = faiss.IDSelectorTranslated(cast(Any, index.index).id_map, selector)
        ivf = index.ivf
        params = faiss.SearchParametersIVF()
        params.nprobe = min(ivf.nlist, ivf.nprobe * max(1, math.ceil(index.ntotal / len(allowed))))
        params.sel = translated
        held = [selector, translated]
    numbers = _shortlist(index, query.reshape(1, -1), k, params)[0]
    del held
    numbers = numbers[numbers >= 0]
    ordinals = id_map[numbers]
    live = ordinals >= 0  # an entry of a passage gone since the index was built
    return _reranked(index, query, k, numbers[live], ordinals[live])


def _shortlist(
    index: ShortlistIndex, queries: np.ndarray, k: int, params: Any = None
) -> np.ndarray:
    """The IVF's own numbers of each query's shortlist (-1 past its end)."""
    depth = min(index.ntotal, k * index.k_factor)
    _, numbers = index.ivf.search(queries, depth, params=params)
    return np.asarray(numbers)


def _reranked(
    index: ShortlistIndex, query: np.ndarray, k: int, numbers: np.ndarray, ordinals: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Top ``k`` of a shortlist (the IVF's ``numbers`` of passages ``ordinals``): by the codes,
    then the best ``EXACT_SHARE`` x k of those by the vectors themselves."""
    approx = index.codes.scores(numbers, query)
    depth = min(len(approx), max(k + EXACT_EXTRA, math.ceil(k * EXACT_SHARE)))
    best = _top(approx, depth)
    scores = approx[best].astype(np.float32)
    if index.exact is not None and len(best):
        vectors, found = index.exact.rows(ordinals[best])
        scores = np.where(found, dot_rows(vectors, query), scores).astype(np.float32)
    top = _top(scores, min(k, len(scores)))
    return scores[top], ordinals[best][top]


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` highest ``scores``, highest first (ties: the earlier first)."""
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    if k < len(scores):
        part = np.argpartition(-scores, k - 1)[:k]
        part.sort()
        return part[np.argsort(-scores[part], kind="stable")]
    return np.argsort(-scores, kind="stable")


def _shortlist_search_many(index: ShortlistIndex, queries: np.ndarray, k: int) -> np.ndarray:
    """Each query's top ``k`` passage ordinals (-1 past the end): one IVF search for all."""
    id_map = index.id_map()
    found = np.full((len(queries), k), -1, dtype=np.int64)
    for row, numbers in enumerate(_shortlist(index, queries, k)):
        numbers = numbers[numbers >= 0]
        ordinals = id_map[numbers]
        live = ordinals >= 0
        _, top = _reranked(index, queries[row], k, numbers[live], ordinals[live])
        found[row, : len(top)] = top
    return found


def _search(
    index: faiss.Index, query: np.ndarray, k: int, allowed: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
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
    params, held = _filtered_params(index, kind, len(allowed), selector)
    # ``held``: the selectors the parameters point to, alive until the search is done.
    scores, ids = index.search(query, k, params=params)
    del held
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


def _filtered_params(
    index: faiss.Index, kind: IndexKind, allowed: int, selector: faiss.IDSelector
) -> tuple[faiss.SearchParameters, list[Any]]:
    """Search parameters that keep recall when only ``allowed`` of the ids may be returned,
    and the objects they point to.

    An ANN search visits a fixed share of the index; with a filter only a fraction of what
    it visits counts, so it visits proportionally more.
    """
    widen = max(1, math.ceil(index.ntotal / allowed))
    # faiss' SWIG classes are untyped for mypy beyond the base ones.
    params: Any
    inner: Any = (
        faiss.downcast_index(cast(Any, index).index)
        if isinstance(index, faiss.IndexIDMap2)
        else index
    )
    if isinstance(inner, faiss.IndexRefine):
        # The shortlist's index gets the filter, as ids of its own: the ID map translates only
        # a selector given to itself, and the re-ranking wrapper passes on only its base's.
        ivf: Any = faiss.extract_index_ivf(inner)
        translated = faiss.IDSelectorTranslated(cast(Any, index).id_map, selector)
        base = faiss.SearchParametersIVF()
        base.nprobe = min(ivf.nlist, ivf.nprobe * widen)
        base.sel = translated
        params = faiss.IndexRefineSearchParameters()
        params.k_factor = inner.k_factor
        params.base_index_params = base
        return cast(faiss.SearchParameters, params), [selector, translated, base]
    if kind == "ivf":
        ivf = faiss.extract_index_ivf(index)
        params = faiss.SearchParametersIVF()
        params.nprobe = min(ivf.nlist, ivf.nprobe * widen)
    elif kind == "hnsw":
        hnsw: Any = cast(Any, inner).hnsw
        params = cast(Any, faiss).SearchParametersHNSW()
        params.efSearch = min(HNSW_MAX_EF_SEARCH, hnsw.efSearch * widen)
    else:
        params = faiss.SearchParameters()
    params.sel = selector
    return cast(faiss.SearchParameters, params), [selector]
