"""The bot's own copy of the API's JSON contract (it never imports the engine).

Unknown fields are ignored so the API can grow without breaking the bot.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Contract(BaseModel):
    model_config = ConfigDict(extra="ignore")


class ArticleRef(_Contract):
    id: str
    title: str
    url: str | None = None
    author: str | None = None
    published: dt.date | None = None


class ArticleMeta(ArticleRef):
    source: str | None = None
    chars: int | None = None
    added_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


class Highlight(_Contract):
    text: str
    start: int
    end: int


class Quote(_Contract):
    text: str
    highlight: Highlight | None = None
    start: int
    end: int
    score: float
    passage_id: str
    heading: str | None = None
    article: ArticleRef
    also_in: list[ArticleRef] = Field(default_factory=list)


class Answer(_Contract):
    question: str
    answered: bool
    quotes: list[Quote]
    index_version: str | None = None
    took_ms: float | None = None
    message: str | None = None
    following_up_on: str | None = None


class ArticlePage(_Contract):
    items: list[ArticleMeta]
    total: int
    offset: int
    limit: int


class ArticleWrite(_Contract):
    status: Literal["created", "updated", "unchanged"]
    article: ArticleMeta


class ArticleUpload(_Contract):
    articles: list[ArticleWrite]


class RebuildJob(_Contract):
    job_id: str
    status: Literal["running", "succeeded", "failed"]
    version: str | None = None
    error: str | None = None


class IndexInfo(_Contract):
    version: str | None = None
    articles: int | None = None
    passages: int | None = None
    rebuilding: bool = False
    last_error: str | None = None


class IndexChanges(_Contract):
    """``GET /index/changes``: the articles the served version added since another."""

    version: str | None = None
    since: str
    since_known: bool = True
    added: list[ArticleRef] = Field(default_factory=list)
