"""The ``articleqa`` command: a thin layer over the library.

Domain errors become one readable line on stderr and a non-zero exit status, never a traceback.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from articleqa.cli import onnx, serve, watch
from articleqa.cli.common import (
    EXIT_FAILED,
    collection_option,
    configure_logging,
    engine_from,
    handle_errors,
    settings_from,
)
from articleqa.collection import DEFAULT
from articleqa.config import Settings

if TYPE_CHECKING:
    from articleqa.engine import ArticleQA
    from articleqa.indexer import BuildReport

logger = logging.getLogger(__name__)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    help="Data directory (default: $ARTICLEQA_HOME or ./index).",
)
@click.option("-v", "--verbose", is_flag=True, help="Log debug details to stderr.")
@click.version_option(package_name="articleqa")
@click.pass_context
def main(ctx: click.Context, home: Path | None, verbose: bool) -> None:
    """Answer questions about a collection of articles by quoting them verbatim."""
    configure_logging(verbose)
    overrides: dict[str, Any] = {"home": home} if home else {}
    try:
        settings = Settings(**overrides)
    except ValueError as exc:
        raise click.UsageError(f"invalid settings: {exc}") from exc
    ctx.ensure_object(dict)
    ctx.obj["settings"] = settings


@main.command()
@collection_option
@click.argument("sources", nargs=-1, required=True)
@click.option("--allow-private", is_flag=True, help="Allow URLs on loopback or private networks.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per source.")
@click.pass_context
@handle_errors
def add(ctx: click.Context, sources: tuple[str, ...], allow_private: bool, as_json: bool) -> None:
    """Add articles from files, folders (recursively) or http(s) URLs.

    Formats: .txt, .md (YAML front matter), .html/.htm, .json/.jsonl. Re-adding unchanged
    content does nothing; changed content replaces the old version. Run `articleqa index`
    afterwards to make new articles answerable.
    """
    outcomes = engine_from(ctx).add(sources, allow_private=allow_private)
    for outcome in outcomes:
        if as_json:
            click.echo(json.dumps(_asdict(outcome)))
        elif outcome.failed:
            click.echo(f"failed     {outcome.source}: {outcome.error}", err=True)
        else:
            click.echo(
                f"{outcome.status:<10} {outcome.article_id}  {outcome.title}  ({outcome.source})"
            )
    failed = sum(o.failed for o in outcomes)
    if not as_json:
        click.echo(f"{len(outcomes) - failed} added or checked, {failed} failed", err=True)
    if failed:
        sys.exit(EXIT_FAILED)


def _asdict(obj: Any) -> dict[str, Any]:
    from dataclasses import asdict

    return asdict(obj)


@main.group()
def articles() -> None:
    """List, show or remove stored articles."""


@articles.command("list")
@collection_option
@click.option("--offset", default=0, show_default=True, type=click.IntRange(min=0))
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 1000))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
@handle_errors
def articles_list(ctx: click.Context, offset: int, limit: int, as_json: bool) -> None:
    """List stored articles (id, date, title)."""
    engine = engine_from(ctx)
    items = engine.articles(offset, limit)
    if as_json:
        click.echo(json.dumps([a.model_dump(mode="json") for a in items], indent=2))
        return
    for item in items:
        click.echo(f"{item.id}  {item.published or '----------'}  {item.title}")
    click.echo(f"{len(items)} of {engine.article_count()} articles", err=True)


@articles.command("show")
@click.argument("article_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
@handle_errors
def articles_show(ctx: click.Context, article_id: str, as_json: bool) -> None:
    """Show one article's metadata and its stored (cleaned) text."""
    article = engine_from(ctx).get(article_id)
    if as_json:
        click.echo(article.model_dump_json(indent=2))
        return
    click.echo(f"{article.title}\nid: {article.id}")
    for label, value in (
        ("url", article.url),
        ("author", article.author),
        ("published", article.published),
        ("source", article.source),
    ):
        if value:
            click.echo(f"{label}: {value}")
    click.echo("")
    click.echo(article.text)


@articles.command("remove")
@click.argument("article_ids", nargs=-1, required=True)
@click.pass_context
@handle_errors
def articles_remove(ctx: click.Context, article_ids: tuple[str, ...]) -> None:
    """Remove articles by id (run `articleqa index` to drop them from the index)."""
    engine = engine_from(ctx)
    for article_id in article_ids:
        engine.remove(article_id)
        click.echo(f"removed {article_id}")


@main.command()
@collection_option
@click.option("--rollback", is_flag=True, help="Publish the snapshot built before the current one.")
@click.option("--wait", type=float, default=None, help="Seconds to wait for a running rebuild.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.option(
    "--full",
    is_flag=True,
    help="Embed every passage again (ignore the cache) and reuse nothing of the current snapshot.",
)
@click.pass_context
@handle_errors
def index(ctx: click.Context, rollback: bool, wait: float | None, quiet: bool, full: bool) -> None:
    """Build the index from the stored articles and publish it (incremental: only new or
    changed passages are embedded)."""
    if rollback and full:
        raise click.UsageError("--full builds; it does not go with --rollback")
    engine = engine_from(ctx)
    if rollback:
        version = engine.rollback(lock_timeout_s=wait)
        click.echo(f"rolled back: {version} is current")
        return
    report = build_with_progress(engine, lock_timeout_s=wait, progress=not quiet, full=full)
    if not report.published:
        click.echo(
            f"unchanged: {report.version} is current ({report.articles} articles, "
            f"{report.passages} passages; nothing changed since it was built; --full builds anyway)"
        )
        return
    click.echo(
        f"published {report.version}: {report.articles} articles, {report.passages} passages "
        f"({report.embedded} embedded, {report.reused} reused) in {report.seconds:.1f}s"
    )


def build_with_progress(
    engine: ArticleQA, *, lock_timeout_s: float | None, progress: bool, full: bool = False
) -> BuildReport:
    """Build through ``engine``, with a progress bar on stderr unless ``progress`` is off."""
    if not progress:
        return engine.build(lock_timeout_s=lock_timeout_s, full=full)
    bar: Any = None

    def on_progress(done: int, total: int) -> None:
        nonlocal bar
        if total == 0:
            return
        if bar is None:
            from tqdm import tqdm

            bar = tqdm(total=total, unit="passage", desc="embedding", file=sys.stderr)
        bar.n = done
        bar.refresh()

    try:
        return engine.build(lock_timeout_s=lock_timeout_s, progress=on_progress, full=full)
    finally:
        if bar is not None:
            bar.close()


@main.command()
@collection_option
@click.argument("question")
@click.option(
    "-k", "--k", "k", type=click.IntRange(1, 10), default=None, help="Number of quotes (1-10)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the Answer JSON.")
@click.pass_context
@handle_errors
def ask(ctx: click.Context, question: str, k: int | None, as_json: bool) -> None:
    """Answer QUESTION with verbatim quotes from the indexed articles."""
    answer = engine_from(ctx).require_exists().ask(question, k)
    if as_json:
        click.echo(answer.model_dump_json(indent=2))
        return
    click.echo(render_answer(answer))


def render_answer(answer: Any) -> str:
    """Readable answer: title and date, the section, then the quote with its highlight in »…«."""
    if not answer.answered:
        return answer.message or "The indexed articles do not answer this question."
    lines: list[str] = []
    for number, quote in enumerate(answer.quotes, start=1):
        article = quote.article
        meta = " · ".join(str(x) for x in (article.author, article.published) if x)
        lines.append(f"[{number}] {article.title}" + (f" ({meta})" if meta else ""))
        if article.url:
            lines.append(f"    {article.url}")
        if quote.heading:
            lines.append(f"    § {quote.heading}")
        text = quote.text
        if quote.highlight:
            a, b = quote.highlight.start - quote.start, quote.highlight.end - quote.start
            text = f"{text[:a]}»{text[a:b]}«{text[b:]}"
        lines.extend(f"    > {line}" if line else "    >" for line in text.split("\n"))
        lines.append("")
    lines.append(f"index {answer.index_version} · {answer.took_ms:.0f} ms")
    return "\n".join(lines)


@main.command()
@collection_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
@handle_errors
def status(ctx: click.Context, as_json: bool) -> None:
    """Show the data directory: stored articles, the published index, and whether the index
    holds every change to the store (else run `articleqa index`)."""
    state = engine_from(ctx).status()
    index = state.index
    if as_json:
        click.echo(
            json.dumps(
                {
                    "backend": state.backend,
                    "home": state.home,
                    "collection": state.collection,
                    "articles": state.articles,
                    "store_generation": state.store_generation,
                    "index": index.to_json() if index else None,
                    "index_error": state.index_error,
                    "up_to_date": state.up_to_date,
                },
                indent=2,
            )
        )
        return
    scope = "" if state.collection == DEFAULT else f" in collection {state.collection}"
    click.echo(f"{state.backend} data in {state.home}: {state.articles} articles{scope}")
    if index is None:
        click.echo(f"index: {state.index_error or 'none built yet (run `articleqa index`)'}")
        return
    built = index.built_at.isoformat(timespec="seconds") if index.built_at else "?"
    click.echo(
        f"index: {index.version} built {built}, {index.article_count} articles, "
        f"{index.passage_count} passages ({index.index_type}, {index.model})"
    )
    click.echo(
        "up to date" if state.up_to_date else "the store changed since: run `articleqa index`"
    )


@main.command("eval")
@click.argument("dataset", type=click.Path(exists=True, path_type=Path))
@click.option("--calibrate", is_flag=True, help="Pick the abstention threshold from this data.")
@click.option("--no-txtai", is_flag=True, help="Skip txtai's comparison row.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_context
@handle_errors
def evaluate_command(
    ctx: click.Context, dataset: Path, calibrate: bool, no_txtai: bool, as_json: bool
) -> None:
    """Evaluate answer quality on DATASET in a temporary home: a SQuAD-format JSON file, or a
    folder of real documents (docs/, docs.json, questions.json; see eval/realdocs), or a
    folder of conversations (conversations.json; see eval/followups): follow-up questions
    asked with the earlier questions as context beside the same questions asked alone.

    Prints hit@1/hit@3 (gold answer inside quote 1 / quotes 1-3), highlight@1, median quote
    length and abstention with each article left out, beside BM25-only, dense-only and txtai
    (when installed) rows.
    """
    from articleqa.evaluation import evaluate, evaluate_documents, format_table

    settings = settings_from(ctx)
    # The model is loaded once, by the engine, and shared by every fold's engine.
    embedder = engine_from(ctx).embedder
    say = lambda message: click.echo(message, err=True)  # noqa: E731
    if (dataset / "conversations.json").is_file():
        from articleqa.evaluation import evaluate_followups, format_followups

        followups = evaluate_followups(dataset, settings, embedder, progress=say)
        if as_json:
            from dataclasses import asdict

            click.echo(json.dumps(asdict(followups), indent=2))
        else:
            click.echo(format_followups(followups))
        return
    if dataset.is_dir():
        report = evaluate_documents(
            dataset, settings, embedder, with_txtai=not no_txtai, progress=say
        )
    else:
        report = evaluate(
            dataset,
            settings,
            embedder,
            calibrate=calibrate,
            with_txtai=not no_txtai,
            progress=say,
        )
    if as_json:
        from dataclasses import asdict

        click.echo(
            json.dumps(
                {"rows": [asdict(r) for r in report.rows], "threshold": report.threshold}, indent=2
            )
        )
        return
    click.echo(format_table(report))


# The commands of their own modules, registered here: those modules never import this one.
main.add_command(serve.serve)
main.add_command(watch.watch)
main.add_command(watch.feeds)
main.add_command(onnx.export_onnx)


def run() -> None:
    main(obj={})


if __name__ == "__main__":
    run()
