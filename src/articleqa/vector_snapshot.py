"""A snapshot's vector index on disk: the FAISS file, and for an IVF re-ranked outside FAISS
(``vector_index.ShortlistIndex``) the residual codes and each passage's cache key beside it.

The manifest's ``EXACT_KEY`` names the embedding cache the keys are read in, relative to the
folder holding ``snapshots/`` (a collection's snapshots sit below the home, its cache in it).
"""

from __future__ import annotations

import errno
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

import faiss
import numpy as np

from articleqa import residual_codes
from articleqa.exact_vectors import CachedRows, save_keys, save_rowids
from articleqa.residual_codes import ResidualCodes
from articleqa.vector_index import IVF_REFINE_FACTORS, ShortlistIndex, VectorIndex

logger = logging.getLogger(__name__)

VECTORS = "vectors.faiss"
EXACT_KEY = "exact_vectors"


def write_vectors(
    folder: Path, index: VectorIndex, keys: np.ndarray | None, rowids: np.ndarray | None = None
) -> None:
    """Write ``index`` into ``folder``; ``keys``: each passage's cache key (a
    ``ShortlistIndex`` needs them); ``rowids``: each key's rowid in the cache, where known."""
    base = index.index if isinstance(index, ShortlistIndex) else index
    try:
        faiss.write_index(base, str(folder / VECTORS))
    except RuntimeError as exc:
        # faiss reports write failures, a full disk included, as RuntimeError.
        no_space = "No space left" in str(exc)
        raise OSError(errno.ENOSPC if no_space else errno.EIO, str(exc)) from exc
    if isinstance(index, ShortlistIndex):
        if keys is None:
            raise ValueError("a re-ranked IVF index is saved with its passages' cache keys")
        index.codes.save(folder)
        save_keys(folder, keys)
        if rowids is not None:
            save_rowids(folder, rowids)


def exact_reference(root: Path, cache: Path) -> str:
    """How a manifest names ``cache`` for snapshots under ``root``."""
    return os.path.relpath(cache, root)


def read_vectors(
    folder: Path, root: Path, extra: Mapping[str, Any], *, mapped: bool = True
) -> VectorIndex:
    """The vector index saved in ``folder`` (a snapshot under ``root`` whose manifest's extra
    fields are ``extra``). ``mapped``: the FAISS file and codes mapped, to search (else read
    whole, to be extended and written again; nothing is then read by key)."""
    flags = faiss.IO_FLAG_MMAP_IFC if mapped else 0
    index = faiss.read_index(str(folder / VECTORS), flags)
    if not residual_codes.saved_in(folder):
        return index
    ivf: Any = faiss.extract_index_ivf(faiss.downcast_index(cast(Any, index).index))
    codes = ResidualCodes.load(folder, ivf)
    recorded = extra.get("vector_index")
    factor = recorded.get("refine_factor") if isinstance(recorded, dict) else None
    exact = None
    reference = extra.get(EXACT_KEY)
    if mapped and isinstance(reference, str):
        exact = CachedRows.of_snapshot(folder, root / reference, index.d)
    elif mapped:
        logger.warning("snapshot %s names no embedding cache: ranked by codes alone", folder.name)
    return ShortlistIndex(index, codes, exact, int(factor or IVF_REFINE_FACTORS[0]))
