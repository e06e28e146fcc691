"""``articleqa serve``: run the HTTP API with uvicorn."""

from __future__ import annotations

import logging

import click

from articleqa.cli.common import handle_errors, settings_from

logger = logging.getLogger(__name__)


@click.command()
@click.option(
    "--host", default=None, help="Interface to listen on (default: ARTICLEQA_HOST, 127.0.0.1)."
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=None,
    help="Port (default: ARTICLEQA_PORT, 8000).",
)
@click.option(
    "--access-log/--no-access-log", default=True, show_default=True, help="Log each request."
)
@click.pass_context
@handle_errors
def serve(ctx: click.Context, host: str | None, port: int | None, access_log: bool) -> None:
    """Serve the web pages (/) and the HTTP API (/ask, /articles, /index, /health, /metrics;
    docs at /docs).

    Starts even before the first index is built (then /health and /ask answer 503 until one is);
    new snapshots are picked up without a restart.
    """
    import uvicorn

    from articleqa.api import create_app

    settings = settings_from(ctx)
    updates = {k: v for k, v in (("host", host), ("port", port)) if v is not None}
    if updates:
        settings = settings.model_copy(update=updates)
    try:
        app = create_app(settings)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    if logging.getLogger().level > logging.INFO:
        logging.getLogger("articleqa").setLevel(logging.INFO)
        # bm25s sets its own logger to DEBUG when imported (by create_app, above).
        logging.getLogger("bm25s").setLevel(logging.WARNING)
    base = f"http://{settings.host}:{settings.port}"
    click.echo(
        f"articleqa on {base}/ : open it in a browser to ask questions.\n"
        f"API docs: {base}/docs. Or try:\n"
        f"  curl -s '{base}/ask?q=What+happened+at+the+harbour%3F'",
        err=True,
    )
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        access_log=access_log,
        log_level="info",
        timeout_graceful_shutdown=10,
    )
