"""``articleqa watch`` and ``articleqa feeds ...``, registered on the group by cli/main.py.
Heavy modules are imported inside the commands so that ``--help`` stays fast.
"""

from __future__ import annotations

import json
import logging
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

import click

from articleqa.cli.common import (
    EXIT_FAILED,
    collection_option,
    engine_from,
    handle_errors,
    settings_from,
)

logger = logging.getLogger(__name__)


def _log_progress() -> None:
    # A long-running watcher is only useful if it says what it did; -v still means debug.
    package = logging.getLogger("articleqa")
    if package.getEffectiveLevel() > logging.INFO:
        package.setLevel(logging.INFO)


@click.command()
@click.argument(
    "folder", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@click.option("--feeds", "with_feeds", is_flag=True, help="Also poll the registered feeds.")
@click.option(
    "--interval",
    type=click.FloatRange(min=1),
    default=None,
    help="Seconds between feed polls (default: ARTICLEQA_FEED_INTERVAL_S).",
)
@click.option("--allow-private", is_flag=True, help="Allow feeds and pages on private networks.")
@collection_option
@click.pass_context
@handle_errors
def watch(
    ctx: click.Context,
    folder: Path | None,
    with_feeds: bool,
    interval: float | None,
    allow_private: bool,
) -> None:
    """Keep the index in step with FOLDER (and with feeds, given --feeds).

    Files added or changed in FOLDER are ingested, deleted files take their articles out, and
    the index is rebuilt incrementally and published after each burst of changes; a running
    `articleqa serve` switches to it by itself. Changes made while the watcher was not running
    are picked up at start. Stops cleanly on SIGTERM or Ctrl-C.

    With --collection NAME, FOLDER's articles (and the feeds' entries) go to collection NAME
    and only its index is rebuilt: run one watcher per collection, each on its own folder.
    """
    from articleqa.feeds import FeedPoller
    from articleqa.watch import Watcher

    if folder is None and not with_feeds:
        raise click.UsageError("give a FOLDER to watch, --feeds, or both")
    if interval is not None and not with_feeds:
        raise click.UsageError("--interval is the feed polling interval; add --feeds")
    _log_progress()
    settings = settings_from(ctx)
    stop = threading.Event()

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        logger.info("received %s; stopping after the current step", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    engine = engine_from(ctx)
    poller = FeedPoller(engine, allow_private=allow_private) if with_feeds else None
    Watcher(
        settings, folder, feeds=poller, feed_interval_s=interval, stop_event=stop, engine=engine
    ).run()


@click.group()
def feeds() -> None:
    """Register RSS/Atom feeds whose new entries are ingested (by `feeds refresh` or
    `watch --feeds`)."""


@feeds.command("add")
@click.argument("url")
@click.pass_context
@handle_errors
def feeds_add(ctx: click.Context, url: str) -> None:
    """Register the feed at URL (polled by `feeds refresh` and `watch --feeds`)."""
    from articleqa.feeds import FeedRegistry

    added = FeedRegistry(settings_from(ctx).home).add(url)
    click.echo(f"added {url.strip()}" if added else f"already registered: {url.strip()}")


@feeds.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
@handle_errors
def feeds_list(ctx: click.Context, as_json: bool) -> None:
    """List registered feeds with their last poll and stored entry count."""
    from dataclasses import asdict

    from articleqa.feeds import FeedRegistry

    items = FeedRegistry(settings_from(ctx).home).list()
    if as_json:
        click.echo(json.dumps([asdict(i) for i in items], indent=2))
        return
    for item in items:
        polled = (
            f"{item.last_status} at {item.last_polled_at}"
            if item.last_polled_at
            else "never polled"
        )
        click.echo(
            f"{item.url}  {item.entries_stored} entries  {polled}  {item.title or ''}".rstrip()
        )
        if item.last_error:
            click.echo(f"    last error: {item.last_error}")
    click.echo(f"{len(items)} feeds", err=True)


@feeds.command("remove")
@click.argument("url")
@click.pass_context
@handle_errors
def feeds_remove(ctx: click.Context, url: str) -> None:
    """Stop polling URL (articles already ingested from it stay)."""
    from articleqa.feeds import FeedRegistry

    FeedRegistry(settings_from(ctx).home).remove(url)
    click.echo(f"removed {url.strip()}")


@feeds.command("refresh")
@click.option("--no-index", is_flag=True, help="Only ingest; do not rebuild the index.")
@click.option(
    "--wait",
    type=float,
    default=60.0,
    show_default=True,
    help="Seconds to wait for a running rebuild.",
)
@click.option("--allow-private", is_flag=True, help="Allow feeds and pages on private networks.")
@click.pass_context
@handle_errors
def feeds_refresh(ctx: click.Context, no_index: bool, wait: float, allow_private: bool) -> None:
    """Poll every registered feed once, ingest new entries and rebuild the index if any changed."""
    from articleqa.feeds import FeedPoller, PollStatus

    engine = engine_from(ctx)
    results = FeedPoller(engine, allow_private=allow_private).poll_all()
    for result in results:
        if result.status == PollStatus.FAILED:
            click.echo(f"failed       {result.url}: {result.error}", err=True)
        else:
            click.echo(
                f"{result.status:<12} {result.url}: {result.changed} new or updated, "
                f"{result.failed_entries} failed"
            )
    changed = sum(r.changed for r in results)
    if changed and not no_index:
        report = engine.build(lock_timeout_s=wait)
        click.echo(
            f"published {report.version}: {report.articles} articles "
            f"({report.embedded} passages embedded)"
        )
    if any(r.status == PollStatus.FAILED or r.failed_entries for r in results):
        sys.exit(EXIT_FAILED)
