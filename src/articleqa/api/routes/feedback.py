"""Whether an answer helped: logged and appended to ARTICLEQA_HOME/feedback.jsonl."""

from __future__ import annotations

import datetime as dt
import logging

import anyio
from fastapi import APIRouter, status

from articleqa.api.deps import FeedbackDep, ReadAccess
from articleqa.api.errors import error_responses
from articleqa.api.schemas import FeedbackCreate, FeedbackRecorded

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/feedback", tags=["feedback"], dependencies=[ReadAccess])


@router.post(
    "",
    response_model=FeedbackRecorded,
    status_code=status.HTTP_202_ACCEPTED,
    responses=error_responses(401, 422),
)
async def record_feedback(body: FeedbackCreate, log: FeedbackDep) -> FeedbackRecorded:
    """Record whether the quotes given for a question helped."""
    record = {"at": dt.datetime.now(dt.UTC).isoformat(), **body.model_dump()}
    await anyio.to_thread.run_sync(log.append, record)
    logger.info(
        "feedback: helpful=%s passages=%s source=%s", body.helpful, body.passage_ids, body.source
    )
    return FeedbackRecorded()
