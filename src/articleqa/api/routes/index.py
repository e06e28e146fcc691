"""The served index: its status, and rebuilds that swap in without a restart."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import anyio
from fastapi import APIRouter, Query, status

from articleqa.api.deps import AccessDep, CollectionQuery, RebuilderDep, ServicesDep
from articleqa.api.errors import APIError, error_responses
from articleqa.api.schemas import IndexChanges, IndexStatus, RebuildAccepted, RebuildJobPublic
from articleqa.api.state import RebuildJob
from articleqa.collection import check_name
from articleqa.engine import ArticleQA
from articleqa.errors import ArticleQAError
from articleqa.models import ArticleRef

router = APIRouter(prefix="/index", tags=["index"])


@router.get("", response_model=IndexStatus, responses=error_responses(401, 403, 404))
async def index_status(
    services: ServicesDep,
    rebuilder: RebuilderDep,
    access: AccessDep,
    collection: CollectionQuery = None,
) -> IndexStatus:
    """A collection's served snapshot (default: ``default``'s), its size, whether a rebuild
    runs, and the last error."""
    access.check_read(check_name(collection))
    holder = await services.holder_for(collection)
    served = holder.served
    manifest = served.searcher.snapshot.manifest if served else None
    return IndexStatus(
        collection=holder.collection,
        version=served.version if served else None,
        built_at=manifest.built_at if manifest else None,
        articles=len(served.searcher.snapshot.articles) if served else 0,
        passages=served.searcher.snapshot.passage_count if served else 0,
        index_type=manifest.index_type if manifest else None,
        model=manifest.model if manifest else None,
        rebuilding=rebuilder.running_for(holder.collection) is not None,
        last_error=holder.last_error,
        fallback_reason=holder.fallback_reason,
        loaded_at=served.loaded_at if served else None,
    )


# Index versions as new_version names them: also what keeps `since` from naming a path.
VERSION_PATTERN = r"^[0-9]{8}T[0-9]{9}Z-[0-9a-f]{6}$"


@router.get(
    "/changes", response_model=IndexChanges, responses=error_responses(401, 403, 404, 422, 503)
)
async def index_changes(
    services: ServicesDep,
    access: AccessDep,
    since: Annotated[
        str,
        Query(
            pattern=VERSION_PATTERN,
            description="An earlier version of the collection's index.",
            examples=["20261126T120000000Z-1a2b3c"],
        ),
    ],
    collection: CollectionQuery = None,
) -> IndexChanges:
    """The articles the served version of a collection (default: ``default``) holds that
    version ``since`` did not: what a client announcing new articles lists (the Discord bot
    does). ``since_known`` is false when ``since`` is no longer kept."""
    access.check_read(check_name(collection))
    holder = await services.holder_for(collection)
    snapshot = holder.require().snapshot
    before = (
        set(snapshot.articles)
        if since == snapshot.version
        else await anyio.to_thread.run_sync(_article_ids, holder.engine, since)
    )
    added = [
        ArticleRef(
            id=record.id,
            title=record.title,
            url=record.url,
            author=record.author,
            published=dt.date.fromisoformat(record.published) if record.published else None,
        )
        for record in snapshot.articles.values()
        if before is not None and record.id not in before
    ]
    return IndexChanges(
        collection=holder.collection,
        version=snapshot.version,
        since=since,
        since_known=before is not None,
        added=added,
    )


def _article_ids(engine: ArticleQA, version: str) -> set[str] | None:
    """The ids of the articles ``version`` indexed; None when it is not kept (or its manifest
    predates the article hashes)."""
    try:
        manifest = engine.manifest(version)
    except ArticleQAError:
        return None
    hashes = manifest.article_hashes if manifest is not None else None
    return set(hashes) if hashes is not None else None


@router.post(
    "/rebuild",
    response_model=RebuildAccepted,
    status_code=status.HTTP_202_ACCEPTED,
    responses=error_responses(401, 403, 404, 409),
)
async def start_rebuild(
    services: ServicesDep,
    rebuilder: RebuilderDep,
    access: AccessDep,
    collection: CollectionQuery = None,
) -> RebuildAccepted:
    """Build a new snapshot of one collection's stored articles (default: ``default``'s) in the
    background (only new or changed passages are embedded; other collections are left as they
    are) and serve it as soon as it is published. 409 while one of that collection runs."""
    access.check_write(check_name(collection))
    job = await rebuilder.start(await services.holder_for(collection))
    return RebuildAccepted(job_id=job.job_id)


@router.get(
    "/rebuild/{job_id}",
    response_model=RebuildJobPublic,
    responses=error_responses(401, 403, 404),
)
async def rebuild_status(
    job_id: str, rebuilder: RebuilderDep, access: AccessDep
) -> RebuildJobPublic:
    """A rebuild job's state: running, succeeded (with the version) or failed (with the error)."""
    job = rebuilder.jobs.get(job_id)
    if job is None:
        raise APIError("job_not_found", 404, f"no rebuild job {job_id!r} (jobs are kept in memory)")
    access.check_read(job.collection)
    return _public(job)


def _public(job: RebuildJob) -> RebuildJobPublic:
    report = job.report
    return RebuildJobPublic(
        job_id=job.job_id,
        collection=job.collection,
        status=job.status,
        version=job.version,
        error=job.error,
        started_at=job.started_at,
        finished_at=job.finished_at,
        articles=report.articles if report else None,
        passages=report.passages if report else None,
        embedded=report.embedded if report else None,
    )
