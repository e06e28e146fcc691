"""Embedders: the protocol the indexer and searcher use, the sentence-transformers model,
and a deterministic fake for fast unit tests."""

from __future__ import annotations

import hashlib
import itertools
import logging
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from articleqa.config import Settings
from articleqa.embedding_base import (
    MAX_SEQ_LENGTH,
    MODEL_NAME,
    Embedder,
    bundled_model_path,
    normalize_rows,
)

logger = logging.getLogger(__name__)


class SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 through sentence-transformers and torch, from site-packages only."""

    def __init__(
        self, model_path: Path | None = None, threads: int = 0, batch_size: int = 32
    ) -> None:
        # Weights come from the installed package; nothing may reach a hub at run time.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        # A progress bar per model load is noise in a CLI and in service logs.
        transformers_logging.disable_progress_bar()

        if threads:
            torch.set_num_threads(threads)
        path = model_path or bundled_model_path()
        self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        self._model.max_seq_length = MAX_SEQ_LENGTH
        self._batch_size = batch_size
        self._dimension = int(self._model.get_embedding_dimension() or 384)
        logger.info("loaded embedding model from %s (dimension %d)", path, self._dimension)

    @property
    def name(self) -> str:
        return f"{MODEL_NAME}/torch"

    @property
    def dimension(self) -> int:
        return self._dimension

    def token_counts(self, texts: Sequence[str]) -> list[int]:
        encoded = self._model.tokenizer(
            list(texts), truncation=True, max_length=MAX_SEQ_LENGTH, add_special_tokens=True
        )
        return [len(ids) for ids in encoded["input_ids"]]

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._dimension), dtype=np.float32)
        # sentence-transformers sorts by characters; batches of equal token counts carry far
        # less padding (about 30 % more throughput), so batches are formed here and encode()
        # sees one batch at a time.
        counts = self.token_counts(texts)
        order = sorted(range(len(texts)), key=counts.__getitem__)
        result = np.empty((len(texts), self._dimension), dtype=np.float32)
        bar: Any = None
        if progress:
            from tqdm import tqdm

            bar = tqdm(total=len(texts), unit="text", desc="embedding")
        try:
            for start in range(0, len(order), self._batch_size):
                rows = order[start : start + self._batch_size]
                result[rows] = self._model.encode(
                    [texts[i] for i in rows],
                    batch_size=len(rows),
                    convert_to_numpy=True,
                    normalize_embeddings=True,
                    show_progress_bar=False,
                )
                if bar is not None:
                    bar.update(len(rows))
        finally:
            if bar is not None:
                bar.close()
        return normalize_rows(result)


_TOKEN = re.compile(r"\w+", re.UNICODE)


class FakeEmbedder:
    """Deterministic hashed bag of words and word pairs: similar words, similar vectors.

    For unit tests only: no model to load, so tests of the plumbing run in milliseconds.
    """

    def __init__(self, dimension: int = 384) -> None:
        self._dimension = dimension
        self.calls = 0
        self.texts_embedded = 0

    @property
    def name(self) -> str:
        return f"fake-hash-{self._dimension}"

    @property
    def dimension(self) -> int:
        return self._dimension

    def _bucket(self, feature: str) -> tuple[int, float]:
        digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
        value = int.from_bytes(digest, "little")
        return value % self._dimension, 1.0 if value >> 63 else -1.0

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        self.calls += 1
        self.texts_embedded += len(texts)
        vectors = np.zeros((len(texts), self._dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            words = _TOKEN.findall(text.lower())
            features = words + [f"{a} {b}" for a, b in itertools.pairwise(words)]
            for feature in features or ["<empty>"]:
                column, sign = self._bucket(feature)
                vectors[row, column] += sign
        return normalize_rows(vectors)


def load_embedder(settings: Settings) -> Embedder:
    """The embedder the settings ask for; heavy, so callers load it once."""
    if settings.embedding_backend == "fake":
        return FakeEmbedder()
    if settings.embedding_backend == "onnx":
        from articleqa.onnx_embedding import OnnxEmbedder

        return OnnxEmbedder.from_settings(settings)
    return SentenceTransformerEmbedder(
        settings.model_path, threads=settings.compute_threads, batch_size=settings.embed_batch_size
    )


__all__ = [
    "MAX_SEQ_LENGTH",
    "MODEL_NAME",
    "Embedder",
    "FakeEmbedder",
    "SentenceTransformerEmbedder",
    "bundled_model_path",
    "load_embedder",
    "normalize_rows",
]
