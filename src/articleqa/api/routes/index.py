"""The served index: its status, and rebuilds that swap in without a restart."""

from __future__ import annotations

from fastapi import APIRouter, status

from articleqa.api.deps import AccessDep, CollectionQuery, RebuilderDep, ServicesDep
from articleqa.api.errors import APIError, error_responses
from articleqa.api.schemas import IndexStatus, RebuildAccepted, RebuildJobPublic
from articleqa.api.state import RebuildJob
from articleqa.collection import check_name

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
