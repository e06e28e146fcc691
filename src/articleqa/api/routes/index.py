"""The served index: its status, and rebuilds that swap in without a restart."""

from __future__ import annotations

from fastapi import APIRouter, status

from articleqa.api.deps import HolderDep, ReadAccess, RebuilderDep, WriteAccess
from articleqa.api.errors import APIError, error_responses
from articleqa.api.schemas import IndexStatus, RebuildAccepted, RebuildJobPublic
from articleqa.api.state import RebuildJob

router = APIRouter(prefix="/index", tags=["index"])


@router.get(
    "", response_model=IndexStatus, dependencies=[ReadAccess], responses=error_responses(401)
)
async def index_status(holder: HolderDep, rebuilder: RebuilderDep) -> IndexStatus:
    """The snapshot being served, its size, whether a rebuild runs, and the last error."""
    served = holder.served
    manifest = served.searcher.snapshot.manifest if served else None
    return IndexStatus(
        version=served.version if served else None,
        built_at=manifest.built_at if manifest else None,
        articles=len(served.searcher.snapshot.articles) if served else 0,
        passages=served.searcher.snapshot.passage_count if served else 0,
        index_type=manifest.index_type if manifest else None,
        model=manifest.model if manifest else None,
        rebuilding=rebuilder.running is not None,
        last_error=holder.last_error,
        fallback_reason=holder.fallback_reason,
        loaded_at=served.loaded_at if served else None,
    )


@router.post(
    "/rebuild",
    response_model=RebuildAccepted,
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=[WriteAccess],
    responses=error_responses(401, 403, 409),
)
async def start_rebuild(rebuilder: RebuilderDep) -> RebuildAccepted:
    """Build a new snapshot from the stored articles in the background (only new or changed
    passages are embedded) and serve it as soon as it is published. 409 while one runs."""
    job = await rebuilder.start()
    return RebuildAccepted(job_id=job.job_id)


@router.get(
    "/rebuild/{job_id}",
    response_model=RebuildJobPublic,
    dependencies=[ReadAccess],
    responses=error_responses(401, 404),
)
async def rebuild_status(job_id: str, rebuilder: RebuilderDep) -> RebuildJobPublic:
    """A rebuild job's state: running, succeeded (with the version) or failed (with the error)."""
    job = rebuilder.jobs.get(job_id)
    if job is None:
        raise APIError("job_not_found", 404, f"no rebuild job {job_id!r} (jobs are kept in memory)")
    return _public(job)


def _public(job: RebuildJob) -> RebuildJobPublic:
    report = job.report
    return RebuildJobPublic(
        job_id=job.job_id,
        status=job.status,
        version=job.version,
        error=job.error,
        started_at=job.started_at,
        finished_at=job.finished_at,
        articles=report.articles if report else None,
        passages=report.passages if report else None,
        embedded=report.embedded if report else None,
    )
