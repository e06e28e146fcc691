"""Rendering: quoted text stays literal under Discord's Markdown, cards are clean, and every
Discord limit holds."""

from __future__ import annotations

import datetime as dt
import json

from hypothesis import example, given
from hypothesis import strategies as st

from articleqa_bot.models import Answer, ArticleMeta, ArticleRef, Highlight, Quote
from articleqa_bot.render import (
    CONTENT_LIMIT,
    EMBED_DESCRIPTION_LIMIT,
    EMBED_TITLE_LIMIT,
    EMBEDS_PER_MESSAGE,
    EMBEDS_TOTAL_LIMIT,
    answer_embeds,
    context_url,
    escape,
    human_date,
    passage_markdown,
    question_content,
    quote_cards,
    safe_url,
    sources_embed,
    truncate,
    unescape,
)

from .markdown import kinds, parse, plain

MARKDOWN_CHARACTERS = "[]()\\`*_~|>#<@&!:-+./=\"' \n"
# Text made mostly of what Discord's Markdown is made of, and text of any kind at all.
TRICKY = st.text(alphabet=MARKDOWN_CHARACTERS + "aeht0123456789everyonhpsx", max_size=200)
ANY_TEXT = st.one_of(TRICKY, st.text(max_size=200))
HOSTILE = (
    "every [twenty minutes](https://evil.example/phish) @everyone and @here <@123> <@!9> "
    "<@&456> <#789> </ask:1> <t:0> <t:0:R> <:wave:42> :smile: https://evil.example <id:browse> "
    "||spoiler|| **bold** __under__ *em* _em_ ~~gone~~ `code` ```block``` \\ \\\\ \\[ C:\\path\n"
    "# heading\n## two\n-# small\n> quote\n>>> rest\n- item\n* item\n1. first\n"
)


def make_quote(
    text: str,
    *,
    highlight: tuple[int, int] | None = None,
    title: str = "A title",
    url: str | None = "https://news.example.org/story",
    start: int = 100,
    article_id: str = "abc123def4567890",
    heading: str | None = "Section",
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
        passage_id=f"20261126T170000000Z-1a2b3c:{start}",
        heading=heading,
        article=ArticleRef(
            id=article_id, title=title, url=url, author="Ana Ruiz", published=dt.date(2024, 5, 4)
        ),
    )


@given(ANY_TEXT)
@example(HOSTILE)
@example("[a](b)")
@example("\\[a](https://x.example)")
def test_escaped_text_renders_as_exactly_the_text(text: str) -> None:
    """The stand-in's reading of Discord's Markdown finds nothing but text, and that text is
    the input, character for character: no link, mention, emoji, heading or emphasis."""
    nodes = parse(escape(text))
    assert kinds(nodes) == []
    assert plain(nodes) == text
    assert unescape(escape(text)) == text


def test_the_masked_link_of_issue_14_is_text_now() -> None:
    text = "every [twenty minutes](https://evil.example/phish)"
    # What the bot used to send: an escaped backslash, then a live masked link.
    assert kinds(parse("every \\\\[twenty minutes\\](https://evil.example/phish)")) == ["link"]
    assert kinds(parse(escape(text))) == [] and plain(parse(escape(text))) == text
    assert "\u200b" not in escape(HOSTILE)  # nothing invisible rides along when copied


@st.composite
def quotes(draw: st.DrawFn) -> Quote:
    text = draw(ANY_TEXT.filter(lambda t: t.strip() == t and t != ""))
    a = draw(st.integers(0, len(text)))
    b = draw(st.integers(a, len(text)))
    return make_quote(text, highlight=(a, b) if a < b else None)


@given(quotes())
def test_a_passage_renders_as_its_text_with_only_the_highlight_bold(quote: Quote) -> None:
    (block,) = parse(passage_markdown(quote))
    assert block.kind == "blockquote"
    assert plain(block.children) == quote.text
    assert set(kinds(block.children)) <= {"strong"}
    bold = [node.plain() for node in block.children if node.kind == "strong"]
    highlight = quote.highlight.text if quote.highlight else ""
    # Bold stops at line breaks and leaves the spaces around it out (Discord wants it so).
    assert bold == [line.strip() for line in highlight.split("\n") if line.strip()]


def test_passage_highlight_is_bold_inside_a_blockquote() -> None:
    text = "First sentence here. The key finding is *striking*.\nLast line."
    start = text.index("The key")
    end = text.index(".\n") + 1
    rendered = passage_markdown(make_quote(text, highlight=(start, end)))
    assert rendered.split("\n") == [
        "> First sentence here\\. **The key finding is \\*striking\\*\\.**",
        "> Last line\\.",
    ]


def test_long_passage_is_cut_around_the_highlight_with_an_ellipsis() -> None:
    before = "Context before. " * 400
    key = "The sentence that answers the question."
    after = " Context after." * 400
    text = before + key + after
    rendered = passage_markdown(
        make_quote(text, highlight=(len(before), len(before) + len(key))), limit=1000
    )
    assert len(rendered) <= 1000
    assert f"**{escape(key)}**" in rendered
    assert rendered.startswith("> …") and rendered.endswith("…")


def test_without_a_highlight_the_beginning_is_kept() -> None:
    text = "The opening words matter. " + "filler " * 1000
    rendered = passage_markdown(make_quote(text), limit=300)
    assert rendered.startswith("> The opening words matter\\.")
    assert len(rendered) <= 300 and "**" not in rendered


def test_a_highlight_longer_than_the_limit_is_truncated_too() -> None:
    text = "word " * 2000
    rendered = passage_markdown(make_quote(text, highlight=(0, len(text))), limit=500)
    assert len(rendered) <= 500 and "…" in rendered


def test_quotes_of_one_article_share_one_card_with_one_title() -> None:
    first = make_quote("First quote.", title="Long title of article A", start=0)
    other = make_quote("Other article.", title="Article B", article_id="b" * 16, url=None)
    second = make_quote("Second quote.", title="Long title of article A", start=500)
    cards = quote_cards([first, other, second])
    assert [card.title for card in cards] == ["Long title of article A", "Article B"]
    assert cards[0].description is not None
    blocks = cards[0].description.split("\n\n")
    assert [plain(parse(block)[0].children) for block in blocks] == [
        "First quote.",
        "Second quote.",
    ]
    assert cards[0].footer.text == "Ana Ruiz · 4 May 2024"


def test_cards_hold_no_internal_ids() -> None:
    quote = make_quote("The text.", highlight=(0, 4))
    answer = Answer(
        question="q", answered=True, quotes=[quote], index_version="20261126T170000000Z-1a2b3c"
    )
    for public_url in (None, "https://qa.example.org"):
        (card,) = answer_embeds(answer, public_url=public_url)
        seen = [plain(parse(card.title or "")), plain(parse(card.description or ""))]
        seen.append(card.footer.text or "")
        for internal in (quote.passage_id, answer.index_version, quote.article.id, "index"):
            assert all(internal not in text for text in seen), (internal, seen)
    # Without a public URL, not even a link holds one.
    (card,) = answer_embeds(answer)
    everything = json.dumps(card.to_dict())
    assert quote.article.id not in everything and "1a2b3c" not in everything


def test_show_in_context_links_the_web_page_then_the_article_url() -> None:
    quote = make_quote("Some text. The answer.", highlight=(11, 22), start=40)
    with_public = context_url(quote, "https://qa.example.org")
    assert with_public == (
        "https://qa.example.org/articles/abc123def4567890/view?start=40&end=62&hl_start=51&hl_end=62"
    )
    no_highlight = make_quote("Some text.", start=40)
    assert context_url(no_highlight, "https://qa.example.org") == (
        "https://qa.example.org/articles/abc123def4567890/view?start=40&end=50"
    )
    assert context_url(quote, None) == "https://news.example.org/story"
    assert context_url(make_quote("x", url=None), None) is None

    (card,) = quote_cards([quote], public_url="https://qa.example.org")
    assert card.description is not None
    notes = card.description.split("\n")[-1]
    assert notes == f"Section: Section · [Show in context]({with_public})"
    (bare,) = quote_cards([make_quote("x", url=None, heading=None)])
    assert bare.description == "> x" and bare.url is None


def test_dates_are_written_out() -> None:
    assert human_date(dt.date(2024, 5, 4)) == "4 May 2024"
    assert human_date(dt.date(1999, 12, 31)) == "31 December 1999"


def test_ten_huge_quotes_fit_one_message() -> None:
    quotes = [
        make_quote(
            f"{n} " + "long passage text " * 400,
            highlight=(0, 50),
            title="T" * 400,
            article_id=f"{n:016d}",
            url="https://news.example.org/" + "p" * 500,
        )
        for n in range(12)
    ]
    embeds = quote_cards(quotes, public_url="https://qa.example.org", content_length=1500)
    assert len(embeds) == EMBEDS_PER_MESSAGE
    assert sum(len(e) for e in embeds) <= EMBEDS_TOTAL_LIMIT - 1500
    for embed in embeds:
        assert embed.description and len(embed.description) <= EMBED_DESCRIPTION_LIMIT
        assert embed.title and len(embed.title) <= EMBED_TITLE_LIMIT


def test_many_quotes_of_one_article_fit_one_card() -> None:
    quotes = [make_quote("word " * 600, start=n * 4000) for n in range(10)]
    (card,) = quote_cards(quotes)
    assert card.description is not None and len(card.description) <= EMBED_DESCRIPTION_LIMIT
    assert card.description.count("> ") == 10


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
    assert kinds(parse(embed.description)) == []
    assert embed.footer.text is None  # no index version


def test_question_content_is_one_escaped_line_within_the_limit() -> None:
    content = question_content("why <@123>\n**now**? " + "x" * 3000)
    assert len(content) <= CONTENT_LIMIT and content.endswith("…")
    assert "\n" not in content and "<@123>" not in content
    assert kinds(parse(content)) == ["strong"]  # the "Q:" label and nothing else


def test_truncate_never_leaves_a_dangling_escape() -> None:
    assert truncate("abc\\*def", 5) == "abc…"
    assert truncate("ab\\\\\\*def", 6) == "ab\\\\…"  # "\\" is whole, the "\" of "\*" is not
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
