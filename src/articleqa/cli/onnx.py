"""``articleqa export-onnx``: export and quantise the embedding model ahead of time.

The ONNX backend exports on first use anyway; running this at image build time moves the
minute it takes (and the only need for torch) out of the first request.
"""

from __future__ import annotations

import logging
from pathlib import Path

import click

from articleqa.cli.common import handle_errors, settings_from

logger = logging.getLogger(__name__)


@click.command("export-onnx")
@click.option(
    "--dir",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Cache folder (default: $ARTICLEQA_ONNX_DIR or <home>/models).",
)
@click.option("--force", is_flag=True, help="Export again even if a valid export exists.")
@click.pass_context
@handle_errors
def export_onnx(ctx: click.Context, folder: Path | None, force: bool) -> None:
    """Export the embedding model to ONNX and quantise it to int8 (for the onnx backend).

    Skipped when a valid export made from the same model by the same recipe already exists.
    """
    from articleqa.onnx_embedding import ensure_export, export_dir

    settings = settings_from(ctx)
    export = ensure_export(export_dir(settings, folder), settings.model_path, force=force)
    click.echo(f"ONNX int8 model ready: {export.model_path}")
