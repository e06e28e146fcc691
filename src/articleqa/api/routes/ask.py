"""Questions in, verbatim quotes out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from starlette.concurrency import run_in_threadpool

from articleqa.api.deps import ReadServicesDep
from articleqa.api.errors import error_responses
from articleqa.api.schemas import AskRequest, AskResponse
from articleqa.errors import InvalidInput
from articleqa.models import Answer
from articleqa.search import MAX_QUESTION_CHARS, SearchFilters

router = APIRouter(prefix="/ask", tags=["ask"])

_RESPONSES = error_responses(401, 422, 503)


@router.post("", response_model=AskResponse, responses=_RESPONSES, summary="Ask a question")
async def ask(body: AskRequest, services: ReadServicesDep) -> Response:
    """Quote the passages that best answer the question, or say that none does."""
    # Taken here rather than as a dependency so that invalid input is a 422 even before an
    # index exists; the request keeps this searcher even if a new snapshot is swapped in.
    searcher = services.holder.require()
    filters = None
    if body.filters is not None:
        ids = body.filters.article_ids
        filters = SearchFilters(
            article_ids=frozenset(ids) if ids is not None else None,
            published_since=body.filters.since,
            published_until=body.filters.until,
        )
    if body.context:
        # A follow-up embeds its own search text (and the earlier question's), so it does not
        # join the micro-batches of plain questions; it runs on the search pool like them.
        return _json(
            await run_in_threadpool(
                searcher.ask, body.question, body.k, filters, None, body.context
            )
        )
    return _json(await services.batcher.ask(searcher, body.question, body.k, filters))


@router.get("", response_model=AskResponse, responses=_RESPONSES, summary="Ask (query string)")
async def ask_get(
    services: ReadServicesDep,
    q: Annotated[
        str,
        Query(min_length=1, max_length=MAX_QUESTION_CHARS, examples=["Who won the science fair?"]),
    ],
    k: Annotated[
        int | None, Query(ge=1, le=10, description="Number of quotes (default 3).")
    ] = None,
) -> Response:
    """``GET /ask?q=...&k=3``: the same answer as ``POST /ask``, handy for curl and browsers."""
    if not q.strip():
        raise InvalidInput("q: the question is empty")
    return _json(await services.batcher.ask(services.holder.require(), q, k))


def _json(answer: Answer) -> Response:
    # Serialized once, in Rust, from the model the searcher built; FastAPI's response_model
    # path would dump, re-validate and dump it again on the hot path. The schema stays
    # documented through ``response_model``.
    return Response(answer.model_dump_json(), media_type="application/json")
