"""Settings for the articleqa engine and HTTP service (one class, env prefix ``ARTICLEQA_``)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRETS = {"changeme", "change-me", "changethis", "secret", "token"}


class Settings(BaseSettings):
    """Every knob of the engine and the API; each field is settable as ``ARTICLEQA_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="ARTICLEQA_", env_file=".env", extra="ignore")

    environment: Literal["development", "production"] = "development"
    home: Path = Field(default=Path("index"), description="Data directory (store, snapshots).")

    # Embedding
    embedding_backend: Literal["torch", "onnx", "fake"] = "torch"
    model_path: Path | None = Field(
        default=None, description="Sentence-transformers model folder; default: the bundled one."
    )
    embed_batch_size: int = Field(default=32, ge=1, le=1024)
    onnx_dir: Path | None = Field(
        default=None, description="Cache of the exported ONNX model; default: <home>/models."
    )
    threads: int = Field(default=0, ge=0, description="Compute threads; 0 = number of cores.")

    # Ingestion
    max_article_bytes: int = Field(default=5_000_000, ge=1_000)
    url_timeout_s: float = Field(default=15.0, gt=0)
    url_max_bytes: int = Field(default=5_000_000, ge=1_000)
    url_max_redirects: int = Field(default=5, ge=0, le=20)
    allow_private_urls: bool = Field(
        default=False, description="Allow fetching loopback/private/link-local addresses."
    )

    # Passages
    passage_min_words: int = Field(default=60, ge=5)
    passage_max_words: int = Field(default=120, ge=10)

    # Index
    index_type: Literal["auto", "flat", "hnsw", "ivf"] = "auto"
    ann_threshold: int = Field(
        default=200_000, ge=1, description="With index_type=auto: passages above which ANN is used."
    )
    keep_snapshots: int = Field(default=3, ge=1)
    lock_timeout_s: float = Field(default=0.0, ge=0, description="Wait this long for a rebuild lock.")

    # Watcher and feeds (`articleqa watch`, `articleqa feeds`)
    watch_debounce_ms: int = Field(
        default=1600, ge=50, description="Group folder changes over this long into one rebuild."
    )
    watch_retry_s: float = Field(
        default=5.0, gt=0, description="Retry a rebuild this long after it was refused or failed."
    )
    feed_interval_s: float = Field(default=900.0, ge=1, description="Seconds between feed polls.")

    # Search
    default_k: int = Field(default=3, ge=1, le=10)
    max_quotes_per_article: int = Field(default=2, ge=1, le=10)
    candidates: int = Field(default=50, ge=5, le=1000)
    # Fused score = dense_weight * cosine + bm25_weight * (BM25 / best BM25); tuned on the dev set.
    dense_weight: float = Field(default=1.0, ge=0)
    bm25_weight: float = Field(default=0.35, ge=0)
    abstain_threshold: float = Field(
        default=0.0, description="Answer only when the best evidence scores at least this."
    )

    # HTTP service
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    api_token: SecretStr | None = None
    read_token: SecretStr | None = None
    max_body_bytes: int = Field(default=6_000_000, ge=1_000)
    reload_interval_s: float = Field(default=1.0, gt=0)
    batch_window_ms: float = Field(default=2.0, ge=0)

    @field_validator("home")
    @classmethod
    def _expand_home(cls, value: Path) -> Path:
        return value.expanduser()

    @field_validator("api_token", "read_token")
    @classmethod
    def _empty_is_none(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().strip():
            return None
        return value

    def check_secrets(self) -> None:
        """Refuse placeholder tokens outside development."""
        if self.environment == "development":
            return
        for name in ("api_token", "read_token"):
            secret: SecretStr | None = getattr(self, name)
            if secret is not None and secret.get_secret_value().lower() in PLACEHOLDER_SECRETS:
                raise ValueError(f"ARTICLEQA_{name.upper()} is a placeholder; set a real secret")

    @property
    def compute_threads(self) -> int:
        return self.threads or os.cpu_count() or 1


@lru_cache
def get_settings() -> Settings:
    return Settings()
