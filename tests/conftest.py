"""Shared fixtures: isolated data homes, the fake embedder, and the real model (loaded once)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

from articleqa.config import Settings
from articleqa.embedding import Embedder, FakeEmbedder

REPO = Path(__file__).resolve().parent.parent
SAMPLE_ARTICLES = REPO / "articles"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture
def settings(home: Path) -> Settings:
    return Settings(home=home, embedding_backend="fake", _env_file=None)  # type: ignore[call-arg]


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture(scope="session")
def real_embedder() -> Embedder:
    from articleqa.embedding import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder()
