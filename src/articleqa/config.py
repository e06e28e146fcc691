"""Settings for the articleqa engine and HTTP service (one class, env prefix ``ARTICLEQA_``)."""

from __future__ import annotations

import json
import math
import os
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from articleqa.collection import check_name
from articleqa.errors import InvalidCollection

PLACEHOLDER_SECRETS = {"changeme", "change-me", "changethis", "secret", "token"}
# Production tokens (issue 15, item 7): see token_weakness.
MIN_TOKEN_CHARS = 32
MIN_TOKEN_BITS = 96


class Settings(BaseSettings):
    """Every knob of the engine and the API; each field is settable as ``ARTICLEQA_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="ARTICLEQA_", env_file=".env", extra="ignore")

    environment: Literal["development", "production"] = Field(
        default="development", description="production refuses placeholder tokens."
    )
    home: Path = Field(default=Path("index"), description="Data directory (store, snapshots).")
    database_url: SecretStr | None = Field(
        default=None,
        description="postgresql://user:password@host:port/db: keep articles and the index in "
        "PostgreSQL with pgvector (shared by every replica) instead of the data directory. "
        "Unset = the embedded SQLite + FAISS + BM25 files under home.",
    )
    database_pool_size: int = Field(
        default=10, ge=1, le=200, description="Connections each process keeps to PostgreSQL."
    )
    database_timeout_s: float = Field(
        default=10.0,
        gt=0,
        description="Statement timeout, and how long to wait for a connection, in PostgreSQL.",
    )
    hnsw_ef_search: int = Field(
        default=200,
        ge=1,
        le=1000,
        description="pgvector hnsw.ef_search: candidates the HNSW graph search keeps "
        "(higher: better recall, slower).",
    )

    # Embedding
    embedding_backend: Literal["torch", "onnx", "fake"] = Field(
        default="onnx",
        description="onnx (int8, exported from the bundled model on first use; the default: "
        "6.8x faster indexing at equal quality), torch (sentence-transformers) or fake (tests).",
    )
    model_path: Path | None = Field(
        default=None, description="Sentence-transformers model folder; default: the bundled one."
    )
    embed_batch_size: int = Field(
        default=32,
        ge=1,
        le=1024,
        description="Texts per model call (torch; ONNX runs one text a call).",
    )
    onnx_dir: Path | None = Field(
        default=None, description="Cache of the exported ONNX model; default: <home>/models."
    )
    threads: int = Field(default=0, ge=0, description="Compute threads; 0 = number of cores.")

    # Ingestion
    max_article_bytes: int = Field(
        default=5_000_000, ge=1_000, description="Largest article file accepted."
    )
    url_timeout_s: float = Field(default=15.0, gt=0, description="Time limit for fetching a URL.")
    url_max_bytes: int = Field(
        default=5_000_000, ge=1_000, description="Largest page fetched from a URL."
    )
    url_max_redirects: int = Field(
        default=5, ge=0, le=20, description="Redirects followed (each hop checked)."
    )
    allow_private_urls: bool = Field(
        default=False, description="Allow fetching loopback/private/link-local addresses."
    )

    # Passages
    passage_min_words: int = Field(
        default=60, ge=5, description="A passage ends at a paragraph end once this long."
    )
    passage_max_words: int = Field(
        default=120, ge=10, description="Passages stay below this unless one sentence is longer."
    )

    # Index
    index_type: Literal["auto", "flat", "hnsw", "ivf"] = Field(
        default="auto",
        description="FAISS index: auto = exact up to ann_threshold, above it IVF (4-bit fast-scan "
        "codes, the shortlist re-ranked by 4-bit residual codes and its best by the embedding "
        "cache's vectors) or HNSW, tuned at build time to recall@10 >= 0.98 on the corpus's own "
        "vectors (0.95 at least).",
    )
    # Where scanning every vector starts to cost more than the ANN search and its build
    # (BENCHMARKS.md, "Scale"): exact search stays for small corpora, whose answers it fixes.
    ann_threshold: int = Field(
        default=20_000, ge=1, description="With index_type=auto: passages above which ANN is used."
    )
    keep_snapshots: int = Field(
        default=3, ge=1, description="Published snapshots kept for rollback."
    )
    lock_timeout_s: float = Field(
        default=0.0, ge=0, description="Wait this long for a rebuild lock."
    )

    # Watcher and feeds (`articleqa watch`, `articleqa feeds`)
    watch_debounce_ms: int = Field(
        default=1600, ge=50, description="Group folder changes over this long into one rebuild."
    )
    watch_retry_s: float = Field(
        default=5.0, gt=0, description="Retry a rebuild this long after it was refused or failed."
    )
    feed_interval_s: float = Field(default=900.0, ge=1, description="Seconds between feed polls.")

    # Search
    default_k: int = Field(default=3, ge=1, le=10, description="Quotes per answer by default.")
    max_quotes_per_article: int = Field(
        default=3, ge=1, le=10, description="Most quotes one article contributes to an answer."
    )
    candidates: int = Field(
        default=50, ge=5, le=1000, description="Passages taken from each retriever before fusion."
    )
    # Fused score = dense_weight * cosine + bm25_weight * (BM25 / best BM25); tuned on the dev set.
    dense_weight: float = Field(default=1.0, ge=0, description="Weight of the cosine similarity.")
    bm25_weight: float = Field(
        default=0.35, ge=0, description="Weight of BM25 relative to the best BM25 score."
    )
    sentence_weight: float = Field(
        default=1.0, ge=0, description="Bonus for one sentence carrying the question's words."
    )
    sentence_meaning_weight: float = Field(
        default=0.0,
        ge=0,
        description="Bonus for one sentence close to the question in meaning (its cosine).",
    )
    answer_kind_weight: float = Field(
        default=0.3,
        ge=0,
        description="Bonus for one sentence holding the kind of answer asked for (a name for "
        "who, a number for how many): twice what it weighs in the highlight, where a passage's "
        "sentences share one context (BENCHMARKS.md, twentieth pass).",
    )
    follow_up_article_weight: float = Field(
        default=0.3,
        ge=0,
        description="Bonus, for a follow-up, of passages from the articles that answered the "
        "question it follows.",
    )
    quote_context_sentences: int | None = Field(
        default=None,
        ge=0,
        description="Quote only the highlighted sentence and this many on each side; "
        "unset = the whole passage.",
    )
    quote_chars: int = Field(
        default=500,
        ge=0,
        description="Quotes are the answering sentence and its neighbours up to about this many "
        "characters (twice that when two sentences answer about equally well; a longer "
        "answering sentence is quoted whole); 0 = the whole passage.",
    )
    rerank_depth: int = Field(
        default=20, ge=1, le=200, description="Top fused passages re-scored by sentence."
    )
    subject_check: bool = Field(
        default=True,
        description="Quote only passages that name what the question is about (its names, "
        "version numbers and words rare in English); false = similarity alone decides.",
    )
    abstain_threshold: float | None = Field(
        default=None,
        description="Quote a passage only when its evidence (cosine similarity with the "
        "question + 0.2 x the share of the question's words in its best sentence) reaches "
        "this; no passage does = no answer. Unset = the value calibrated for the embedding "
        "model on the dev set (`articleqa eval --calibrate`).",
    )

    # HTTP service
    host: str = Field(default="127.0.0.1", description="Interface `articleqa serve` listens on.")
    port: int = Field(default=8000, ge=0, le=65535, description="Port of `articleqa serve`.")
    api_token: SecretStr | None = Field(
        default=None, description="Bearer token for write endpoints; unset = writes refused."
    )
    read_token: SecretStr | None = Field(
        default=None, description="If set, reads need this token (or the API token)."
    )
    # Kept as one secret string and parsed by ``scoped_tokens``: a validation error on a
    # parsed list would print the entry, token included.
    tokens: SecretStr | None = Field(
        default=None,
        description='Tokens scoped to collections, as JSON: [{"token": "...", "collections": '
        '["a"], "access": "read" | "write"}]. A collection one of them names needs a token '
        "to be read.",
    )
    max_body_bytes: int = Field(
        default=6_000_000, ge=1_000, description="Larger request bodies get 413."
    )
    body_timeout_s: float = Field(
        default=60.0,
        gt=0,
        description="A request body that has not all arrived this long after the request "
        "began gets 408 and the connection is closed.",
    )
    reload_interval_s: float = Field(
        default=1.0, gt=0, description="How often the API checks for a newly published snapshot."
    )
    batch_window_ms: float = Field(
        default=2.0,
        ge=0,
        description="Questions arriving within this window are embedded together.",
    )
    feedback_max_bytes: int = Field(
        default=10_000_000,
        ge=10_000,
        description="feedback.jsonl is moved to feedback.jsonl.1 (replacing it) when it would "
        "grow past this, so feedback takes at most twice this on disk.",
    )
    conversation_idle_s: float = Field(
        default=1800.0,
        gt=0,
        description="A conversation kept by the service (`conversation` on POST /ask) is "
        "forgotten after this long without a question.",
    )
    max_conversations: int = Field(
        default=10_000,
        ge=1,
        description="Conversations the service keeps at most; the longest idle go first.",
    )

    @field_validator("home")
    @classmethod
    def _expand_home(cls, value: Path) -> Path:
        return value.expanduser()

    @field_validator("database_url")
    @classmethod
    def _postgres_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        if not value.get_secret_value().startswith(("postgresql://", "postgres://")):
            raise ValueError("ARTICLEQA_DATABASE_URL must start with postgresql://")
        return value

    @field_validator("api_token", "read_token", "tokens")
    @classmethod
    def _empty_is_none(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().strip():
            return None
        return value

    def check_secrets(self) -> None:
        """Refuse placeholder, short or guessable tokens outside development."""
        scoped = self.scoped_tokens()  # malformed ARTICLEQA_TOKENS fails in every environment
        if self.environment == "development":
            return
        named: list[tuple[str, SecretStr | None]] = [
            ("ARTICLEQA_API_TOKEN", self.api_token),
            ("ARTICLEQA_READ_TOKEN", self.read_token),
        ]
        named += [(f"ARTICLEQA_TOKENS entry {i}", t.token) for i, t in enumerate(scoped, 1)]
        for name, secret in named:
            if secret is None:
                continue
            weakness = token_weakness(secret.get_secret_value())
            if weakness:
                raise ValueError(
                    f"{name} {weakness}; generate one with "
                    "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`"
                )

    def scoped_tokens(self) -> tuple[ScopedToken, ...]:
        """``ARTICLEQA_TOKENS`` parsed; ValueError naming the entry (never its token) when it
        is malformed, repeats a token, or reuses the API or read token."""
        if self.tokens is None:
            return ()
        return parse_scoped_tokens(
            self.tokens.get_secret_value(),
            {t.get_secret_value() for t in (self.api_token, self.read_token) if t},
        )

    @property
    def compute_threads(self) -> int:
        return self.threads or os.cpu_count() or 1


@dataclass(frozen=True, slots=True)
class ScopedToken:
    """A bearer token that reads, or reads and writes, only ``collections``."""

    token: SecretStr
    collections: frozenset[str]
    access: Literal["read", "write"]

    @property
    def writes(self) -> bool:
        return self.access == "write"


def parse_scoped_tokens(raw: str, global_tokens: set[str]) -> tuple[ScopedToken, ...]:
    """The entries of ``ARTICLEQA_TOKENS``; messages name an entry by number, never its token."""
    try:
        entries = json.loads(raw)
    except ValueError:
        raise ValueError("ARTICLEQA_TOKENS is not valid JSON") from None
    if not isinstance(entries, list):
        raise ValueError("ARTICLEQA_TOKENS must be a JSON list of {token, collections, access}")
    parsed: list[ScopedToken] = []
    seen = set(global_tokens)
    for number, entry in enumerate(entries, 1):
        where = f"ARTICLEQA_TOKENS entry {number}"
        if not isinstance(entry, dict) or set(entry) - {"token", "collections", "access"}:
            raise ValueError(f"{where}: expected an object with token, collections and access")
        token, names, access = entry.get("token"), entry.get("collections"), entry.get("access")
        if not isinstance(token, str) or not token.strip():
            raise ValueError(f"{where}: token must be a non-empty string")
        if token in seen:
            raise ValueError(f"{where}: token is also used by another token setting")
        seen.add(token)
        if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
            raise ValueError(f"{where}: collections must be a non-empty list of names")
        try:
            checked = frozenset(check_name(name) for name in names)
        except InvalidCollection as exc:
            raise ValueError(f"{where}: {exc.message}") from None
        if access not in ("read", "write"):
            raise ValueError(f'{where}: access must be "read" or "write"')
        parsed.append(ScopedToken(SecretStr(token), checked, access))
    return tuple(parsed)


def token_weakness(token: str) -> str | None:
    """Why ``token`` is too weak for production, or None.

    A token must have ``MIN_TOKEN_CHARS`` characters and ``MIN_TOKEN_BITS`` bits of entropy as
    measured on its own characters (length x Shannon entropy per character): ``"a" * 43`` or a
    word repeated to length have the length but not the entropy; ``secrets.token_urlsafe(32)``
    (about 250 bits measured) and ``secrets.token_hex(16)`` (about 115) pass.
    """
    if token.lower() in PLACEHOLDER_SECRETS:
        return "is a placeholder"
    if len(token) < MIN_TOKEN_CHARS:
        return f"is {len(token)} characters long; use at least {MIN_TOKEN_CHARS}"
    counts = Counter(token)
    per_char = -sum(n / len(token) * math.log2(n / len(token)) for n in counts.values())
    if per_char * len(token) < MIN_TOKEN_BITS:
        return "is too easy to guess (too few distinct characters, or a repeated pattern)"
    return None


@lru_cache
def get_settings() -> Settings:
    return Settings()
