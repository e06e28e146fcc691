"""What every command shares: the error policy, exit codes, and the engine of the invocation."""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from articleqa.config import Settings
from articleqa.errors import ArticleQAError

if TYPE_CHECKING:
    from articleqa.engine import ArticleQA

logger = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

EXIT_FAILED = 1
EXIT_USAGE = 2


def configure_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for noisy in ("faiss.loader", "sentence_transformers", "httpx", "bm25s", "transformers"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def handle_errors(func: F) -> F:
    """Turn ArticleQAError (and Ctrl-C) into one line and an exit status."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ArticleQAError as exc:
            click.echo(f"error: {exc.message}", err=True)
            sys.exit(EXIT_FAILED)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            # Last resort: a defect still ends in one line; -v shows the traceback.
            logger.debug("unexpected error", exc_info=True)
            first = str(exc).splitlines()[0][:300] if str(exc) else ""
            click.echo(f"error: unexpected {type(exc).__name__}: {first}", err=True)
            sys.exit(EXIT_FAILED)

    return wrapper  # type: ignore[return-value]


def settings_from(ctx: click.Context) -> Settings:
    settings: Settings = ctx.find_root().obj["settings"]
    return settings


def engine_from(ctx: click.Context) -> ArticleQA:
    """The invocation's engine, made on first use (the model loads only if a command needs it),
    for the collection ``--collection`` named (default ``default``)."""
    obj = ctx.find_root().obj
    if "engine" not in obj:
        from articleqa.engine import ArticleQA

        obj["engine"] = ArticleQA(settings_from(ctx))
    engine: ArticleQA = obj["engine"]
    return engine.for_collection(obj.get("collection"))


def _remember_collection(ctx: click.Context, _: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.find_root().obj["collection"] = value


def collection_option(func: F) -> F:
    """``--collection NAME``: the collection the command works on (``engine_from`` reads it)."""
    option = click.option(
        "--collection",
        metavar="NAME",
        default=None,
        expose_value=False,
        callback=_remember_collection,
        help="The collection to work on (default: default). Names: 1-64 of a-z, 0-9, '-', '_'.",
    )
    return option(func)
