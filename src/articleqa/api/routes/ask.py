"""Questions in, verbatim quotes out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Query, Response
from starlette.concurrency import run_in_threadpool

from articleqa.api.deps import CollectionQuery, Reader, ReaderDep
from articleqa.api.errors import error_responses
from articleqa.api.schemas import AskRequest, AskResponse
from articleqa.api.state import IndexHolder, Services
from articleqa.collection import check_name
from articleqa.conversation import MAX_CONTEXT_QUESTIONS
from articleqa.errors import InvalidInput
from articleqa.models import Answer
from articleqa.search import MAX_QUESTION_CHARS, Searcher, SearchFilters

router = APIRouter(prefix="/ask", tags=["ask"])

_RESPONSES = error_responses(401, 403, 404, 422, 503)


async def _holder(caller: Reader, collection: str | None) -> IndexHolder:
    """The served index of ``collection``, once the caller may read it: 403 before 404, so a
    token scoped elsewhere learns nothing of which collections exist."""
    caller.access.check_read(check_name(collection))
    return await caller.services.holder_for(collection)


@router.post("", response_model=AskResponse, responses=_RESPONSES, summary="Ask a question")
async def ask(body: AskRequest, caller: ReaderDep) -> Response:
    """Quote the passages of the collection (default: ``default``) that best answer the
    question, or say that none does."""
    services = caller.services
    # Taken here rather than as a dependency so that invalid input is a 422 even before an
    # index exists; the request keeps this searcher even if a new snapshot is swapped in.
    holder = await _holder(caller, body.collection)
    searcher = holder.require()
    filters = None
    if body.filters is not None:
        ids = body.filters.article_ids
        filters = SearchFilters(
            article_ids=frozenset(ids) if ids is not None else None,
            published_since=body.filters.since,
            published_until=body.filters.until,
        )
    context = body.context
    if body.conversation is not None:
        context = services.conversations.earlier(holder.collection, body.conversation)
    answer = await _answer(services, searcher, body.question, body.k, filters, context)
    if body.conversation is not None:
        services.conversations.add(holder.collection, body.conversation, body.question)
    return _json(answer)


async def _answer(
    services: Services,
    searcher: Searcher,
    question: str,
    k: int | None,
    filters: SearchFilters | None,
    context: Sequence[str],
) -> Answer:
    if context:
        # A follow-up embeds its own search text (and the earlier question's), so it does not
        # join the micro-batches of plain questions; it runs on the search pool like them.
        return await run_in_threadpool(searcher.ask, question, k, filters, None, context)
    return await services.batcher.ask(searcher, question, k, filters)


@router.get("", response_model=AskResponse, responses=_RESPONSES, summary="Ask (query string)")
async def ask_get(
    caller: ReaderDep,
    q: Annotated[
        str,
        Query(min_length=1, max_length=MAX_QUESTION_CHARS, examples=["Who won the science fair?"]),
    ],
    k: Annotated[
        int | None, Query(ge=1, le=10, description="Number of quotes (default 3).")
    ] = None,
    collection: CollectionQuery = None,
    context: Annotated[
        list[Annotated[str, Query(max_length=MAX_QUESTION_CHARS)]] | None,
        Query(
            max_length=MAX_CONTEXT_QUESTIONS,
            description="The conversation's earlier questions, oldest first (repeat the "
            "parameter), as `context` of POST /ask.",
        ),
    ] = None,
) -> Response:
    """``GET /ask?q=...&k=3&collection=...&context=...``: the same answer as ``POST /ask``,
    handy for curl and browsers."""
    if not q.strip():
        raise InvalidInput("q: the question is empty")
    searcher = (await _holder(caller, collection)).require()
    return _json(await _answer(caller.services, searcher, q, k, None, context or []))


def _json(answer: Answer) -> Response:
    # Serialized once, in Rust, from the model the searcher built; FastAPI's response_model
    # path would dump, re-validate and dump it again on the hot path. The schema stays
    # documented through ``response_model``.
    return Response(answer.model_dump_json(), media_type="application/json")
