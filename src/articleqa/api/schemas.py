"""Request and response models of the HTTP API (the JSON contract, with OpenAPI examples)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from articleqa.collection import NAME_PATTERN
from articleqa.conversation import MAX_CONTEXT_QUESTIONS
from articleqa.models import Answer, Article, ArticleMeta, ArticleRef
from articleqa.search import MAX_QUESTION_CHARS

MAX_FILTER_IDS = 1000
MAX_TITLE_CHARS = 500
MAX_URL_CHARS = 2048
MAX_PASSAGE_ID_CHARS = 200
URL_PATTERN = r"^https?://\S+$"
CONVERSATION_PATTERN = r"^[A-Za-z0-9_-]{8,64}$"


def collection_field(what: str) -> Any:
    """The optional ``collection`` of a request (null or absent: ``default``)."""
    return Field(
        default=None,
        max_length=64,
        pattern=NAME_PATTERN,
        description=f"The collection {what} (default: default).",
        examples=["default"],
    )


class RequestModel(BaseModel):
    """Base of request bodies: unknown fields and text that is not valid Unicode are refused."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _valid_unicode(cls, value: object) -> object:
        # JSON's \u escapes can carry lone surrogates, which no store or log file can encode.
        texts = value if isinstance(value, list) else [value]
        for text in texts:
            if isinstance(text, str):
                try:
                    text.encode("utf-8")
                except UnicodeEncodeError:
                    raise ValueError("text contains invalid Unicode (a lone surrogate)") from None
        return value


def _checked_url(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as exc:
        raise ValueError(f"not a valid URL: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http(s) URL with a host")
    return value


def _not_blank(value: str, what: str) -> str:
    if not value.strip():
        raise ValueError(f"{what} is empty")
    return value


class AskFilters(RequestModel):
    article_ids: list[str] | None = Field(
        default=None,
        max_length=MAX_FILTER_IDS,
        description="Only quote these articles.",
        examples=[["3f2a9c0d1e4b5a67"]],
    )
    since: dt.date | None = Field(default=None, description="Only articles published on or after.")
    until: dt.date | None = Field(default=None, description="Only articles published on or before.")

    @model_validator(mode="after")
    def _ordered(self) -> AskFilters:
        if self.since and self.until and self.since > self.until:
            raise ValueError("filters.since is after filters.until")
        return self


class AskRequest(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"question": "Who won the regional science fair?", "k": 3},
                {
                    "question": "When will the tram extension open?",
                    "k": 2,
                    "filters": {"since": "2024-01-01", "until": None, "article_ids": None},
                },
            ]
        },
    )

    question: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS)
    k: int | None = Field(
        default=None, ge=1, le=10, description="Number of quotes; default ARTICLEQA_DEFAULT_K (3)."
    )
    filters: AskFilters | None = None
    collection: str | None = collection_field("to answer from")
    conversation: str | None = Field(
        default=None,
        pattern=CONVERSATION_PATTERN,
        description="An id the client chooses (8-64 letters, digits, '-' or '_'; a random one, "
        "e.g. a UUID): the service keeps this conversation's questions and sends them as the "
        "context of the next one with the same id (bounded and forgotten when idle). Instead "
        "of `context`, not with it.",
        examples=["3f1c9a7e-5b2d-4e8f-9a61-0c7d2e4b8f13"],
    )
    context: list[Annotated[str, Field(max_length=MAX_QUESTION_CHARS)]] = Field(
        default_factory=list,
        max_length=MAX_CONTEXT_QUESTIONS,
        description="The conversation's earlier questions, oldest first: a follow-up that "
        "names no subject of its own is searched with the earlier question's words "
        "(the answer's `following_up_on` says which).",
    )

    @field_validator("question")
    @classmethod
    def _question_not_blank(cls, value: str) -> str:
        return _not_blank(value, "the question")

    @field_validator("context")
    @classmethod
    def _context_or_conversation(cls, value: list[str], info: ValidationInfo) -> list[str]:
        # ``conversation`` is declared first, so it is validated (and in ``data``) by now.
        if value and info.data.get("conversation") is not None:
            raise ValueError(
                "give either context (the earlier questions) or conversation (an id the "
                "service keeps them by), not both"
            )
        return value


class AskResponse(Answer):
    """An answer: verbatim quotes (``text == article_text[start:end]``) or ``answered: false``."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "question": "Who won the regional science fair?",
                    "answered": True,
                    "quotes": [
                        {
                            "text": "A team from Riverside High won the regional science fair.",
                            "highlight": {
                                "text": "A team from Riverside High won the regional science fair.",
                                "start": 0,
                                "end": 58,
                            },
                            "start": 0,
                            "end": 58,
                            "score": 0.81,
                            "passage_id": "20261126T120000000Z-1a2b3c:4",
                            "heading": None,
                            "article": {
                                "id": "3f2a9c0d1e4b5a67",
                                "title": "River robot wins the science fair",
                                "url": None,
                                "author": "Staff",
                                "published": "2024-05-02",
                            },
                            "also_in": [],
                        }
                    ],
                    "index_version": "20261126T120000000Z-1a2b3c",
                    "took_ms": 9.4,
                    "message": None,
                }
            ]
        }
    )


class ArticlePublic(Article):
    """A stored article: metadata and the cleaned text every quote is cut from."""


class ArticleList(BaseModel):
    items: list[ArticleMeta]
    total: int
    offset: int
    limit: int


class ArticleCreate(RequestModel):
    """An article given in full."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "title": "Harbour tram line extended",
                    "text": "The city council approved the extension of the harbour tram line...",
                    "url": "https://news.example.org/harbour-tram",
                    "author": "J. Doe",
                    "published": "2024-03-14",
                }
            ]
        },
    )

    title: str = Field(min_length=1, max_length=MAX_TITLE_CHARS)
    text: str = Field(min_length=1)
    url: str | None = Field(default=None, max_length=MAX_URL_CHARS, pattern=URL_PATTERN)
    author: str | None = Field(default=None, max_length=MAX_TITLE_CHARS)
    published: dt.date | None = None
    collection: str | None = collection_field("to add the article to")
    format: Literal["text", "markdown", "html"] = Field(
        default="text",
        description="How to read `text`: as is, as Markdown (front matter read, markup dropped) "
        "or as an HTML page (main text extracted). Given fields win over what the reader finds.",
    )

    @field_validator("url")
    @classmethod
    def _url_parses(cls, value: str | None) -> str | None:
        return _checked_url(value)

    @field_validator("title")
    @classmethod
    def _title_not_blank(cls, value: str) -> str:
        return _not_blank(value, "title")

    @field_validator("text")
    @classmethod
    def _text_not_blank(cls, value: str) -> str:
        return _not_blank(value, "text")


class ArticleFetch(RequestModel):
    """An article to fetch from a public http(s) URL."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"url": "https://news.example.org/harbour-tram"}]},
    )

    url: str = Field(max_length=MAX_URL_CHARS, pattern=URL_PATTERN)
    collection: str | None = collection_field("to add the article to")

    @field_validator("url")
    @classmethod
    def _url_parses(cls, value: str) -> str:
        checked = _checked_url(value)
        assert checked is not None
        return checked


class ArticleWriteResult(BaseModel):
    status: Literal["created", "updated", "unchanged"]
    article: ArticleMeta


class ArticleUploadResult(BaseModel):
    """What a file held: one article for most files, several for JSON, JSONL and feeds."""

    articles: list[ArticleWriteResult]


class ArticleRemoved(BaseModel):
    status: Literal["removed"] = "removed"
    id: str


class RebuildAccepted(BaseModel):
    job_id: str
    status: Literal["running"] = "running"


class RebuildJobPublic(BaseModel):
    job_id: str
    collection: str = "default"
    status: Literal["running", "succeeded", "failed"]
    version: str | None
    error: str | None
    started_at: dt.datetime
    finished_at: dt.datetime | None
    articles: int | None = Field(default=None, description="Articles in the built snapshot.")
    passages: int | None = Field(default=None, description="Passages in the built snapshot.")
    embedded: int | None = Field(default=None, description="Passages embedded (not from cache).")


class IndexStatus(BaseModel):
    collection: str = "default"
    version: str | None = Field(description="The snapshot being served (null before the first).")
    built_at: dt.datetime | None
    articles: int
    passages: int
    index_type: str | None
    model: str | None
    rebuilding: bool
    last_error: str | None
    fallback_reason: str | None = Field(
        description="Set when the published snapshot is unusable and an older one is served."
    )
    loaded_at: dt.datetime | None = None


class IndexChanges(BaseModel):
    """What the served version of a collection holds that an earlier version did not."""

    collection: str
    version: str = Field(description="The version served now.")
    since: str = Field(description="The earlier version, as asked.")
    since_known: bool = Field(
        description="False when that version is no longer kept (rolled off, or never "
        "existed): then `added` is empty; start again from `version`."
    )
    added: list[ArticleRef] = Field(
        description="Articles in `version` that were not in `since` (new ids, not edits)."
    )


class HealthStatus(BaseModel):
    status: Literal["ok"] = "ok"
    version: str
    fallback_reason: str | None = None


class FeedbackCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "question": "Who won the regional science fair?",
                    "passage_ids": ["20261126T120000000Z-1a2b3c:4"],
                    "helpful": True,
                    "source": "discord",
                }
            ]
        },
    )

    question: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS)
    # Ids look like "<version>:<ordinal>"; bounded because each record is kept on disk.
    passage_ids: list[Annotated[str, Field(max_length=MAX_PASSAGE_ID_CHARS)]] = Field(
        default_factory=list, max_length=50
    )
    helpful: bool
    source: str | None = Field(default=None, max_length=100)


class FeedbackRecorded(BaseModel):
    status: Literal["recorded"] = "recorded"
