"""Rendering: escaping makes quoted text inert, and every Discord limit holds."""

from __future__ import annotations

import datetime as dt
import re

from hypothesis import given
from hypothesis import strategies as st

from articleqa_bot.models import Answer, ArticleMeta, ArticleRef, Highlight, Quote
from articleqa_bot.render import (
    CONTENT_LIMIT,
    EMBED_DESCRIPTION_LIMIT,
    EMBED_TITLE_LIMIT,
    EMBEDS_PER_MESSAGE,
    EMBEDS_TOTAL_LIMIT,
    answer_embeds,
    escape,
    passage_markdown,
    question_content,
    quote_embeds,
    safe_url,
    sources_embed,
    truncate,
    unescape,
)

MENTION = re.compile(r"@(everyone|here)|<@[!&]?\d+>|<#\d+>")
# No ":" or "/": escape_markdown leaves URLs alone, which the round trip below doesn't model.
TRICKY = st.text(alphabet="@<>&!#*_~`|[]()\\\n -eryonhv0123456789abc", max_size=200)


def make_quote(
    text: str,
    *,
    highlight: tuple[int, int] | None = None,
    title: str = "A title",
    url: str | None = "https://news.example.org/story",
    start: int = 100,
) -> Quote:
    hl = None
    if highlight is not None:
        a, b = highlight
        hl = Highlight(text=text[a:b], start=start + a, end=start + b)
    return Quote(
        text=text,
        highlight=hl,
        start=start,
        end=start + len(text),
        score=0.5,
        passage_id=f"v1:{abs(hash(text)) % 1000}",
        heading="Section",
        article=ArticleRef(
            id="abc", title=title, url=url, author="Ana Ruiz", published=dt.date(2024, 5, 4)
        ),
    )


@given(TRICKY)
def test_escaped_text_reads_the_same_and_never_mentions(text: str) -> None:
    escaped = escape(text)
    assert unescape(escaped) == text
    assert MENTION.search(escaped) is None


def test_escape_neutralises_markdown_masked_links_and_mentions() -> None:
    escaped = escape("# Big\n> quoted\n**bold** [click](https://evil.example) @everyone <@&456>")
    assert "\\# Big" in escaped and "\\> quoted" in escaped
    assert "\\*\\*bold\\*\\*" in escaped
    assert "\\[click\\]" in escaped
    assert "@everyone" not in escaped and "<@&456>" not in escaped


def test_passage_highlight_is_bold_inside_a_blockquote() -> None:
    text = "First sentence here. The key finding is *striking*.\nLast line."
    start = text.index("The key")
    end = text.index(".\n") + 1
    rendered = passage_markdown(make_quote(text, highlight=(start, end)))
    assert rendered.split("\n") == [
        "> First sentence here. **The key finding is \\*striking\\*.**",
        "> Last line.",
    ]


def test_long_passage_is_cut_around_the_highlight_with_an_ellipsis_and_link() -> None:
    before = "Context before. " * 400
    key = "The sentence that answers the question."
    after = " Context after." * 400
    text = before + key + after
    rendered = passage_markdown(
        make_quote(text, highlight=(len(before), len(before) + len(key))), limit=1000
    )
    assert len(rendered) <= 1000
    assert f"**{key}**" in rendered
    assert rendered.startswith("> …") and "…\n[Read the full article](https://" in rendered


def test_without_a_highlight_the_beginning_is_kept() -> None:
    text = "The opening words matter. " + "filler " * 1000
    rendered = passage_markdown(make_quote(text), limit=300)
    assert rendered.startswith("> The opening words matter.")
    assert len(rendered) <= 300 and "**" not in rendered


def test_a_highlight_longer_than_the_limit_is_truncated_too() -> None:
    text = "word " * 2000
    rendered = passage_markdown(make_quote(text, highlight=(0, len(text))), limit=500)
    assert len(rendered) <= 500 and "…" in rendered


def test_ten_huge_quotes_fit_one_message() -> None:
    quotes = [
        make_quote(f"{n} " + "long passage text " * 400, highlight=(0, 50), title="T" * 400)
        for n in range(12)
    ]
    embeds = quote_embeds(quotes, index_version="v1", content_length=1500)
    assert len(embeds) == EMBEDS_PER_MESSAGE
    assert sum(len(e) for e in embeds) <= EMBEDS_TOTAL_LIMIT - 1500
    for embed in embeds:
        assert embed.description and len(embed.description) <= EMBED_DESCRIPTION_LIMIT
        assert embed.title and len(embed.title) <= EMBED_TITLE_LIMIT
        assert embed.footer.text and "index v1" in embed.footer.text


def test_quote_embed_links_title_and_shows_byline() -> None:
    (embed,) = quote_embeds([make_quote("Some text.")], index_version="v9")
    assert embed.url == "https://news.example.org/story"
    assert embed.fields[0].value == "by Ana Ruiz · 2024-05-04"
    assert embed.footer.text == "Quote 1/1 · index v9"


def test_unanswered_question_says_so_plainly() -> None:
    answer = Answer(
        question="q",
        answered=False,
        quotes=[],
        index_version="v2",
        message="The indexed articles do not answer @everyone.",
    )
    (embed,) = answer_embeds(answer)
    assert embed.title == "No answer in the articles"
    assert embed.description is not None
    assert "couldn't find an answer" in embed.description
    assert "@everyone" not in embed.description


def test_question_content_is_one_escaped_line_within_the_limit() -> None:
    content = question_content("why <@123>\n**now**? " + "x" * 3000)
    assert len(content) <= CONTENT_LIMIT and content.endswith("…")
    assert "\n" not in content and "<@123>" not in content


def test_truncate_never_leaves_a_dangling_escape() -> None:
    assert truncate("abc\\*def", 5) == "abc…"
    assert truncate("short", 10) == "short"


def test_only_http_urls_are_linked_and_parentheses_are_encoded() -> None:
    assert safe_url("javascript:alert(1)") is None
    assert safe_url(None) is None
    assert safe_url("https://x.example/a_(b)") == "https://x.example/a_%28b%29"


def test_sources_page_lists_titles_and_ids() -> None:
    now = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    items = [
        ArticleMeta(id=f"id{n}", title=f"Title *{n}*", url=None, added_at=now, updated_at=now)
        for n in range(3)
    ]
    embed = sources_embed(items, offset=3, total=8, page_size=3)
    assert embed.description is not None
    assert "**4.** Title \\*0\\*" in embed.description and "`id2`" in embed.description
    assert embed.footer.text == "Page 2/3 · 8 articles"
