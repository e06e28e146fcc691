"""reStructuredText, parsed by docutils (the reference implementation) and read as HTML."""

from __future__ import annotations

import logging
from typing import Any

from docutils.core import publish_parts
from docutils.utils import SystemMessage

from articleqa.errors import IngestError
from articleqa.ingest.blocks import (
    article_from_blocks,
    blocks_from_html,
    clean_heading,
    take_title,
)
from articleqa.models import Block, BlockKind, RawArticle

logger = logging.getLogger(__name__)

# Untrusted input: no file inclusion, no raw HTML pass-through, no messages in the output,
# and never stop on a markup error (a document with a typo is still a document).
_SAFE_SETTINGS: dict[str, Any] = {
    "file_insertion_enabled": False,
    "raw_enabled": False,
    "report_level": 5,
    "halt_level": 5,
    "warning_stream": False,
    "input_encoding": "unicode",
    "embed_stylesheet": False,
    "doctitle_xform": True,
    "sectsubtitle_xform": False,
    "syntax_highlight": "none",
}


def read_rst(text: str, source: str | None) -> RawArticle:
    try:
        parts = publish_parts(text, writer_name="html5", settings_overrides=_SAFE_SETTINGS)
    except (SystemMessage, ValueError, AttributeError, IndexError, RecursionError) as exc:
        raise IngestError(f"cannot parse the reStructuredText document: {exc}") from exc
    blocks = blocks_from_html(parts.get("body", ""))
    # docutils lifts a lone top-level section's title out of the body as the subtitle.
    subtitle = clean_heading(blocks_from_html_text(parts.get("subtitle", "")))
    if subtitle:
        blocks = [Block(BlockKind.HEADING, subtitle, 2), *blocks]
    # docutils gives the title as HTML ("OAuth1 &amp; OAuth2"): read it as the body is read.
    title = clean_heading(blocks_from_html_text(str(parts.get("title") or "")))
    if not title:
        title, blocks = take_title(blocks)
    return article_from_blocks(title, blocks, "reStructuredText document", source)


def blocks_from_html_text(html: str) -> str:
    return " ".join(b.text for b in blocks_from_html(html))
