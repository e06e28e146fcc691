"""Turning API answers into Discord embeds: escaped, truncated, and within Discord's limits.

Everything a user or an article wrote goes through :func:`escape` before it reaches Discord:
quoted text must never format, link or ping on its own.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from urllib.parse import quote as url_quote

import discord

from .models import Answer, ArticleMeta, ArticleRef, Quote

# Discord's documented limits (https://discord.com/developers/docs/resources/message).
CONTENT_LIMIT = 2000
EMBED_TITLE_LIMIT = 256
EMBED_DESCRIPTION_LIMIT = 4096
EMBED_FIELD_NAME_LIMIT = 256
EMBED_FIELD_VALUE_LIMIT = 1024
EMBED_FOOTER_LIMIT = 2048
EMBED_AUTHOR_LIMIT = 256
EMBEDS_TOTAL_LIMIT = 6000
EMBEDS_PER_MESSAGE = 10
URL_LIMIT = 2048

ELLIPSIS = "…"
QUESTION_PREFIX = "**Q:** "
ZWSP = "\u200b"
ANSWER_COLOUR = discord.Colour.blurple()
NO_ANSWER_COLOUR = discord.Colour.light_grey()

# "<@id>", "<@&role>", "<#channel>", "</command:id>": a zero-width space after "<" unmakes them.
_MENTION_SYNTAX = re.compile(r"<(?=[@#/])")


def escape(text: str) -> str:
    """Make arbitrary text inert in Discord: no markdown, no mentions, no masked links.

    Escaping works line by line because Discord's block syntax (``#``, ``>``, ``-``) only
    applies at the start of a line.
    """
    lines = [discord.utils.escape_markdown(line) for line in text.split("\n")]
    escaped = "\n".join(lines)
    escaped = escaped.replace("[", "\\[").replace("]", "\\]")
    escaped = _MENTION_SYNTAX.sub("<" + ZWSP, escaped)
    # "@everyone", "@here" and "@1234" stop being mentions when "@" is followed by a ZWSP.
    return escaped.replace("@", "@" + ZWSP)


def unescape(text: str) -> str:
    """The inverse of :func:`escape` for text without markdown (used to check verbatim quotes)."""
    text = text.replace(ZWSP, "")
    return re.sub(r"\\(.)", r"\1", text)


def truncate(text: str, limit: int, *, ellipsis: str = ELLIPSIS) -> str:
    if len(text) <= limit:
        return text
    if limit <= len(ellipsis):
        return ellipsis[:limit]
    cut = text[: limit - len(ellipsis)]
    # Never end on a lone backslash: it would escape the ellipsis instead of a character.
    while cut.endswith("\\") and not cut.endswith("\\\\"):
        cut = cut[:-1]
    return cut + ellipsis


def safe_url(url: str | None) -> str | None:
    """Only http(s) URLs that Discord accepts, with characters that break masked links encoded."""
    if not url or not url.startswith(("http://", "https://")) or len(url) > URL_LIMIT:
        return None
    return url_quote(url, safe=":/?#@!$&'*+,;=%~-._")


def link(text: str, url: str | None) -> str:
    """A masked link with escaped text, or the escaped text alone when there is no usable URL."""
    label = escape(text)
    target = safe_url(url)
    return f"[{label}]({target})" if target else label


def _styled(part: str, bold: bool) -> str:
    escaped = escape(part)
    if not bold or not part.strip():
        return escaped
    # "** text**" does not render as bold: keep the whitespace outside the markers.
    core = part.strip()
    lead = part[: len(part) - len(part.lstrip())]
    trail = part[len(part.rstrip()) :]
    return f"{escape(lead)}**{escape(core)}**{escape(trail)}"


def _blockquote(segments: Sequence[tuple[str, bool]]) -> str:
    lines = [""]
    for text, bold in segments:
        for number, part in enumerate(text.split("\n")):
            if number:
                lines.append("")
            lines[-1] += _styled(part, bold)
    return "\n".join(f"> {line}" for line in lines)


def _segments(quote: Quote) -> tuple[str, str, str]:
    """Split a quote into (before, highlight, after); without a highlight everything is "after",
    so that cutting it keeps the beginning of the passage."""
    highlight = quote.highlight
    if highlight is None or not (quote.start <= highlight.start < highlight.end <= quote.end):
        return "", "", quote.text
    start = highlight.start - quote.start
    end = highlight.end - quote.start
    return quote.text[:start], quote.text[start:end], quote.text[end:]


def passage_markdown(quote: Quote, limit: int = EMBED_DESCRIPTION_LIMIT) -> str:
    """The passage as a blockquote with the highlight in bold, cut to ``limit`` characters.

    When it has to be cut, context around the highlight goes first, then the highlight itself;
    an ellipsis marks every cut and a link to the article ends the text.
    """
    before, highlight, after = _segments(quote)
    full = _blockquote([(before, False), (highlight, True), (after, False)])
    if len(full) <= limit:
        return full
    url = safe_url(quote.article.url)
    trailer = f"\n[Read the full article]({url})" if url else ""
    budget = max(0, limit - len(trailer))
    context = len(before) + len(after)
    while True:
        keep = context // 2
        head = (ELLIPSIS + before[len(before) - keep :]) if keep < len(before) else before
        tail = (after[:keep] + ELLIPSIS) if keep < len(after) else after
        text = _blockquote([(head, False), (highlight, True), (tail, False)])
        if len(text) <= budget or context == 0:
            break
        context = int(context * min(0.9, budget / len(text)))
    if len(text) > budget:
        # Even the highlight alone is too long: cut it as plain text.
        plain = _blockquote([(highlight or quote.text, False)])
        text = truncate(plain, budget)
    return text + trailer


def _byline(article: ArticleRef) -> str | None:
    parts = []
    if article.author:
        parts.append(f"by {escape(article.author)}")
    if article.published:
        parts.append(article.published.isoformat())
    return " · ".join(parts) or None


def quote_embed(
    quote: Quote,
    *,
    position: int,
    total: int,
    index_version: str | None,
    description_limit: int = EMBED_DESCRIPTION_LIMIT,
) -> discord.Embed:
    article = quote.article
    embed = discord.Embed(
        title=truncate(escape(article.title), EMBED_TITLE_LIMIT),
        url=safe_url(article.url),
        description=passage_markdown(quote, min(description_limit, EMBED_DESCRIPTION_LIMIT)),
        colour=ANSWER_COLOUR,
    )
    byline = _byline(article)
    if byline:
        embed.add_field(name="Article", value=truncate(byline, EMBED_FIELD_VALUE_LIMIT))
    if quote.heading:
        embed.add_field(
            name="Section", value=truncate(escape(quote.heading), EMBED_FIELD_VALUE_LIMIT)
        )
    if quote.also_in:
        others = ", ".join(link(ref.title, ref.url) for ref in quote.also_in[:5])
        embed.add_field(
            name="Also in", value=truncate(others, EMBED_FIELD_VALUE_LIMIT), inline=False
        )
    footer = f"Quote {position}/{total}"
    if index_version:
        footer += f" · index {index_version}"
    embed.set_footer(text=truncate(footer, EMBED_FOOTER_LIMIT))
    return embed


def quote_embeds(
    quotes: Sequence[Quote],
    *,
    index_version: str | None,
    first_position: int = 1,
    total: int | None = None,
    content_length: int = 0,
) -> list[discord.Embed]:
    """One embed per quote (at most 10), shrunk together until the message fits 6000 chars."""
    shown = list(quotes)[:EMBEDS_PER_MESSAGE]
    count = total if total is not None else len(shown)
    budget = EMBEDS_TOTAL_LIMIT - content_length
    limit = EMBED_DESCRIPTION_LIMIT
    while True:
        embeds = [
            quote_embed(
                quote,
                position=first_position + number,
                total=count,
                index_version=index_version,
                description_limit=limit,
            )
            for number, quote in enumerate(shown)
        ]
        size = sum(len(embed) for embed in embeds)
        if size <= budget or limit <= 100:
            return embeds
        excess = size - budget
        limit = max(100, limit - math.ceil(excess / max(1, len(shown))) - 16)


def no_answer_embed(answer: Answer) -> discord.Embed:
    text = "I couldn't find an answer to that in the articles."
    if answer.message:
        text += f"\n{escape(answer.message)}"
    embed = discord.Embed(
        title="No answer in the articles",
        description=truncate(text, EMBED_DESCRIPTION_LIMIT),
        colour=NO_ANSWER_COLOUR,
    )
    if answer.index_version:
        embed.set_footer(text=truncate(f"index {answer.index_version}", EMBED_FOOTER_LIMIT))
    return embed


def answer_embeds(answer: Answer, *, content_length: int = 0) -> list[discord.Embed]:
    if not answer.answered or not answer.quotes:
        return [no_answer_embed(answer)]
    return quote_embeds(
        answer.quotes, index_version=answer.index_version, content_length=content_length
    )


def question_content(question: str) -> str:
    """The question, shown above the quotes so the answer makes sense on its own."""
    single_line = " ".join(question.split())
    return truncate(QUESTION_PREFIX + escape(single_line), CONTENT_LIMIT)


def sources_embed(
    items: Sequence[ArticleMeta], *, offset: int, total: int, page_size: int
) -> discord.Embed:
    pages = max(1, math.ceil(total / page_size))
    page = offset // page_size + 1
    embed = discord.Embed(title="Indexed articles", colour=ANSWER_COLOUR)
    if not items:
        embed.description = "No articles yet. An admin can add some with `/article add`."
    lines: list[str] = []
    used = 0
    for number, item in enumerate(items, start=offset + 1):
        line = f"**{number}.** {link(truncate(item.title, 200), item.url)}"
        byline = _byline(item)
        if byline:
            line += f" — {byline}"
        # Inside a code span nothing renders or pings, so the id is shown as is.
        line += f"\n`{truncate(item.id, 100).replace('`', '')}`"
        if used + len(line) + 1 > EMBED_DESCRIPTION_LIMIT:
            break
        lines.append(line)
        used += len(line) + 1
    if lines:
        embed.description = "\n".join(lines)
    embed.set_footer(text=f"Page {page}/{pages} · {total} article{'s' if total != 1 else ''}")
    return embed
