"""The one JSON contract shared by the CLI, the HTTP API and the bot, plus internal records."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class ArticleRef(BaseModel):
    """What a quote says about the article it was cut from."""

    id: str
    title: str
    url: str | None = None
    author: str | None = None
    published: dt.date | None = None


class ArticleMeta(ArticleRef):
    collection: str = Field(default="default", description="The collection it belongs to.")
    source: str | None = Field(default=None, description="Where it was read from (path or URL).")
    content_hash: str
    chars: int
    added_at: dt.datetime
    updated_at: dt.datetime


class BlockKind(StrEnum):
    """What a block of a document is, as its markup says."""

    HEADING = "heading"
    TEXT = "text"  # a paragraph, or the lines of a list, table or definition list
    CODE = "code"  # preformatted text: stored and shown, not quoted as prose


class LayoutSpan(BaseModel):
    """Where a heading or a code block sits in the stored text: ``text[start:end]``."""

    kind: BlockKind
    start: int
    end: int
    level: int = 0


class Article(ArticleMeta):
    """A stored article. ``text`` is the cleaned text that every quote is cut from."""

    text: str
    layout: list[LayoutSpan] | None = Field(
        default=None,
        description="Headings and code blocks found in the document's markup; null for text "
        "read without markup (headings are then inferred).",
    )

    def ref(self) -> ArticleRef:
        return ArticleRef(
            id=self.id, title=self.title, url=self.url, author=self.author, published=self.published
        )

    def meta(self) -> ArticleMeta:
        return ArticleMeta.model_validate(self.model_dump(exclude={"text"}))


class Highlight(BaseModel):
    """The sentence(s) of a quote that best answer the question; offsets into the article."""

    text: str
    start: int
    end: int


class Quote(BaseModel):
    text: str = Field(description="Verbatim: always article_text[start:end].")
    highlight: Highlight | None = Field(
        description="The sentence that answers; null when no sentence shares a word with the "
        "question (the passage matched by meaning)."
    )
    start: int
    end: int
    score: float
    passage_id: str
    heading: str | None = None
    article: ArticleRef
    also_in: list[ArticleRef] = Field(
        default_factory=list, description="Other articles carrying the same passage."
    )


class Answer(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "question": "Who won the regional science fair?",
                "answered": True,
                "quotes": [],
                "index_version": "20261126T120000Z-1a2b3c",
                "took_ms": 12.5,
            }
        }
    )

    question: str
    answered: bool
    quotes: list[Quote]
    index_version: str | None
    took_ms: float = Field(
        description="Milliseconds spent on the question in the service: embedding it (the model "
        "call that embedded it with its batch) and searching; not the network or queueing."
    )
    message: str | None = Field(
        default=None, description="Why no answer was given, in plain words, when answered is false."
    )
    following_up_on: str | None = Field(
        default=None,
        description="For a follow-up asked with `context`: the earlier question's own words "
        'it was searched with (its names and rare words, e.g. "Putin, Musk, Taiwan"); null '
        "when the question was taken on its own (a new subject, or no context).",
    )


@dataclass(frozen=True, slots=True)
class Block:
    """One block of a document as a structured reader found it."""

    kind: BlockKind
    text: str
    level: int = 0  # 1-6 for headings


@dataclass(frozen=True, slots=True)
class RawArticle:
    """An article as read from a source, before it is cleaned and stored."""

    title: str
    text: str
    url: str | None = None
    author: str | None = None
    published: dt.date | None = None
    source: str | None = None
    # Set by structured readers; ``text`` is then only a preview of the same content.
    blocks: tuple[Block, ...] | None = None


@dataclass(slots=True)
class SourceSpan:
    article_id: str
    start: int
    end: int


@dataclass(slots=True)
class Passage:
    """A span of an article's text (and of any article holding the same words)."""

    id: str
    text: str
    context: str
    heading: str | None
    spans: list[SourceSpan] = field(default_factory=list)

    def embedding_text(self) -> str:
        return f"{self.context}\n{self.text}" if self.context else self.text
