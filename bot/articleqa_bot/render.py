"""Turning API answers into Discord messages: literal quotes, clean cards, Discord's limits.

Text that a user or an article wrote reaches a Markdown slot of a message (content, embed
title, description, field) only through :func:`escape`, and a plain-text slot (embed footer,
author) as is. Pings are not prevented here but by ``allowed_mentions`` on every message
(see ``bot.NO_MENTIONS``), so escaped text stays exactly the article's text when copied.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import string
from collections.abc import Sequence
from urllib.parse import quote as url_quote
from urllib.parse import urlencode

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
# Links inside a card's text count against the 6000 characters of the message: a longer one
# is left out rather than crowding out the quotes.
CARD_URL_LIMIT = 512

ELLIPSIS = "…"
QUESTION_PREFIX = "**Q:** "
CONTEXT_LABEL = "Show in context"
ANSWER_COLOUR = discord.Colour.blurple()
NO_ANSWER_COLOUR = discord.Colour.light_grey()
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

# Every construct of Discord's Markdown starts with or contains ASCII punctuation (emphasis,
# links, headings, lists, quotes, spoilers, code, mentions, timestamps, emoji, URLs: "://"),
# and Discord reads a backslash before any punctuation as "this character, literally". So a
# backslash before each of them leaves nothing to format, whatever Discord adds next, and the
# reader sees, and copies, exactly the text.
_PUNCTUATION = re.compile(f"[{re.escape(string.punctuation)}]")
# Discord's own escape rule: a backslash before anything but a letter, digit or space.
_ESCAPED = re.compile(r"\\([^0-9A-Za-z\s])")


def escape(text: str) -> str:
    """``text`` as Discord Markdown that renders as exactly ``text``, and formats nothing."""
    return _PUNCTUATION.sub(r"\\\g<0>", text)


def unescape(text: str) -> str:
    """What Discord shows for escaped text: the inverse of :func:`escape`."""
    return _ESCAPED.sub(r"\1", text)


def truncate(text: str, limit: int, *, ellipsis: str = ELLIPSIS) -> str:
    if len(text) <= limit:
        return text
    if limit <= len(ellipsis):
        return ellipsis[:limit]
    cut = text[: limit - len(ellipsis)]
    # Escapes come in pairs ("\\", "\*"): an odd run of trailing backslashes ends in half of
    # one, which would escape the ellipsis instead of a character.
    trailing = len(cut) - len(cut.rstrip("\\"))
    if trailing % 2:
        cut = cut[:-1]
    return cut + ellipsis


def safe_url(url: str | None, limit: int = URL_LIMIT) -> str | None:
    """Only http(s) URLs that Discord accepts, with characters that break masked links encoded."""
    if not url or not url.startswith(("http://", "https://")) or len(url) > limit:
        return None
    return url_quote(url, safe=":/?#@!$&'*+,;=%~-._")


def link(text: str, url: str | None) -> str:
    """A masked link with escaped text, or the escaped text alone when there is no usable URL."""
    label = escape(text)
    target = safe_url(url, CARD_URL_LIMIT)
    return f"[{label}]({target})" if target else label


def human_date(day: dt.date) -> str:
    """ "4 May 2024": the same for every reader, whatever their locale or time zone."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def context_url(quote: Quote, public_url: str | None) -> str | None:
    """Where "show in context" leads: the web page's view of the article around the quote when
    the service has a public URL, else the article's own URL, else nowhere."""
    if public_url:
        params = {"start": quote.start, "end": quote.end}
        if quote.highlight is not None:
            params |= {"hl_start": quote.highlight.start, "hl_end": quote.highlight.end}
        article = url_quote(quote.article.id, safe="")
        return safe_url(f"{public_url}/articles/{article}/view?{urlencode(params)}")
    return safe_url(quote.article.url)


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
    an ellipsis marks every cut.
    """
    before, highlight, after = _segments(quote)
    full = _blockquote([(before, False), (highlight, True), (after, False)])
    if len(full) <= limit:
        return full
    context = len(before) + len(after)
    while True:
        keep = context // 2
        head = (ELLIPSIS + before[len(before) - keep :]) if keep < len(before) else before
        tail = (after[:keep] + ELLIPSIS) if keep < len(after) else after
        text = _blockquote([(head, False), (highlight, True), (tail, False)])
        if len(text) <= limit or context == 0:
            break
        context = int(context * min(0.9, limit / len(text)))
    if len(text) > limit:
        # Even the highlight alone is too long: cut it as plain text.
        text = truncate(_blockquote([(highlight or quote.text, False)]), limit)
    return text


def byline(article: ArticleRef) -> str | None:
    """ "Ana Ruiz · 4 May 2024", as plain text (for footers, which show no Markdown)."""
    parts = [article.author] if article.author else []
    if article.published:
        parts.append(human_date(article.published))
    return " · ".join(parts) or None


def _quote_notes(quote: Quote, public_url: str | None, *, links: bool) -> str:
    """The line under a quote: its section, where else it appears, and "show in context"."""
    notes = []
    if quote.heading:
        notes.append(f"Section: {escape(truncate(quote.heading, 200))}")
    if quote.also_in:
        others = [
            link(truncate(ref.title, 80), ref.url if links else None) for ref in quote.also_in[:3]
        ]
        notes.append("Also in " + ", ".join(others))
    target = context_url(quote, public_url) if links else None
    if target and len(target) <= CARD_URL_LIMIT:
        notes.append(f"[{CONTEXT_LABEL}]({target})")
    return " · ".join(notes)


def group_by_article(quotes: Sequence[Quote]) -> list[list[Quote]]:
    """Quotes of one article together, articles in the order of their best quote."""
    groups: dict[str, list[Quote]] = {}
    for quote in quotes:
        groups.setdefault(quote.article.id, []).append(quote)
    return list(groups.values())


def article_card(
    quotes: Sequence[Quote],
    *,
    public_url: str | None = None,
    passage_limit: int = EMBED_DESCRIPTION_LIMIT,
    links: bool = True,
) -> discord.Embed:
    """One embed for the quotes of one article: its title once, then each quote with its
    highlight, section and "show in context" link, and the author and date at the bottom."""
    article = quotes[0].article
    separator = "\n\n"
    share = (EMBED_DESCRIPTION_LIMIT - len(separator) * (len(quotes) - 1)) // len(quotes)
    blocks = []
    for quote in quotes:
        notes = _quote_notes(quote, public_url, links=links)
        room = min(passage_limit, share - (len(notes) + 1 if notes else 0))
        blocks.append(passage_markdown(quote, max(room, 0)) + (f"\n{notes}" if notes else ""))
    embed = discord.Embed(
        title=truncate(escape(article.title), EMBED_TITLE_LIMIT),
        # The title's link does not count against the message's characters: always there.
        url=safe_url(article.url) or context_url(quotes[0], public_url),
        description=truncate(separator.join(blocks), EMBED_DESCRIPTION_LIMIT),
        colour=ANSWER_COLOUR,
    )
    credit = byline(article)
    if credit:
        embed.set_footer(text=truncate(credit, EMBED_FOOTER_LIMIT))
    return embed


def quote_cards(
    quotes: Sequence[Quote], *, public_url: str | None = None, content_length: int = 0
) -> list[discord.Embed]:
    """One card per article (at most 10), shrunk together until the message fits 6000 chars."""
    groups = group_by_article(quotes)[:EMBEDS_PER_MESSAGE]
    budget = EMBEDS_TOTAL_LIMIT - content_length
    limit = EMBED_DESCRIPTION_LIMIT
    links = True
    while True:
        cards = [
            article_card(group, public_url=public_url, passage_limit=limit, links=links)
            for group in groups
        ]
        size = sum(len(card) for card in cards)
        if size <= budget:
            return cards
        if limit <= 100:
            if not links:
                return cards
            links = False  # the last resort: the quotes matter more than the links
            continue
        excess = size - budget
        shown = sum(len(group) for group in groups)
        limit = max(100, limit - math.ceil(excess / max(1, shown)) - 16)


def no_answer_embed(answer: Answer) -> discord.Embed:
    text = "I couldn't find an answer to that in the articles."
    if answer.message:
        text += f"\n{escape(answer.message)}"
    return discord.Embed(
        title="No answer in the articles",
        description=truncate(text, EMBED_DESCRIPTION_LIMIT),
        colour=NO_ANSWER_COLOUR,
    )


def answer_embeds(
    answer: Answer, *, public_url: str | None = None, content_length: int = 0
) -> list[discord.Embed]:
    if not answer.answered or not answer.quotes:
        return [no_answer_embed(answer)]
    return quote_cards(answer.quotes, public_url=public_url, content_length=content_length)


def question_content(question: str) -> str:
    """The question, shown once above the cards so the answer makes sense on its own."""
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
        credit = byline(item)
        if credit:
            line += f" — {escape(credit)}"
        # Admins need the id for /article remove; inside a code span nothing renders or pings.
        line += f"\n`{truncate(item.id, 100).replace('`', '')}`"
        if used + len(line) + 1 > EMBED_DESCRIPTION_LIMIT:
            break
        lines.append(line)
        used += len(line) + 1
    if lines:
        embed.description = "\n".join(lines)
    embed.set_footer(text=f"Page {page}/{pages} · {total} article{'s' if total != 1 else ''}")
    return embed
