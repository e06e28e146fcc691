"""Markdown: YAML front matter for metadata, else the first heading is the title."""

from __future__ import annotations

import datetime as dt

import pytest

from articleqa.config import Settings
from articleqa.errors import IngestError
from articleqa.ingest import read_file
from articleqa.ingest.markdown import read_markdown
from articleqa.ingest.prepare import prepare_article
from articleqa.models import RawArticle
from tests.conftest import SAMPLE_ARTICLES

FRONT_MATTER_ARTICLE = """---
title: "Council approves tram extension"
url: https://ledger.example/news/tram
author: Daniel Osei
published: 2026-09-17
---

The council voted **23 to 14** to extend the [Harbour Line](https://ledger.example/lines).

## Paying for it

> The state pays *60 percent* of the cost, the `transport` department said.
![A tram at Dockside](tram.jpg)
"""


def test_front_matter_gives_title_url_author_and_date() -> None:
    raw = read_markdown(FRONT_MATTER_ARTICLE, source="tram.md")

    assert raw.title == "Council approves tram extension"
    assert raw.url == "https://ledger.example/news/tram"
    assert raw.author == "Daniel Osei"
    assert raw.published == dt.date(2026, 9, 17)
    assert "---" not in raw.text
    assert "title:" not in raw.text


def test_markup_is_reduced_to_prose_and_headings_become_paragraphs() -> None:
    article = prepare_article(read_markdown(FRONT_MATTER_ARTICLE, source="tram.md"))

    assert article.text == (
        "The council voted 23 to 14 to extend the Harbour Line.\n\n"
        "Paying for it\n\n"
        "The state pays 60 percent of the cost, the transport department said."
    )


def test_without_front_matter_the_first_heading_is_the_title() -> None:
    raw = read_markdown(
        "# Museum reopens\n\nThe lifeboat is back.\n\n## Free on Sundays\n\nEntry is free.", None
    )

    assert raw.title == "Museum reopens"
    assert "Museum reopens" not in raw.text
    assert "Free on Sundays" in raw.text
    assert raw.url is None and raw.author is None and raw.published is None


def test_a_heading_that_is_only_a_logo_is_titled_by_its_alt_text() -> None:
    # btop's README: "# ![btop++](Img/logo.png)", then "## Index"; the title was "Index".
    raw = read_markdown("# ![btop++](Img/logo.png)\n\n## Index\n\nA resource monitor.", None)

    assert raw.title == "btop++"
    assert "Index" in raw.text


def test_a_changelog_s_first_release_is_not_its_title() -> None:
    # btop's CHANGELOG.md opens with "## v1.2.13": every entry read as from that release.
    changelog = (
        "## v1.2.13\n\n* Added autodetection for gcc12.\n\n"
        "## v1.2.12\n\n* Fixed: a crash on exit.\n"
    )
    raw = read_markdown(changelog, "/srv/docs/CHANGELOG.md")
    # One release's notes are titled by it.
    single = read_markdown("## v1.2.13\n\n* Added autodetection for gcc12.\n", None)

    assert raw.title == "CHANGELOG.md"
    assert raw.text.startswith("v1.2.13")
    assert single.title == "v1.2.13"


def test_without_front_matter_or_heading_the_first_line_is_the_title() -> None:
    raw = read_markdown("Museum reopens\n\nThe lifeboat is back.", None)

    assert raw.title == "Museum reopens"
    assert raw.text.strip() == "The lifeboat is back."


@pytest.mark.parametrize(
    ("front_matter", "title", "author", "published"),
    [
        (  # a date key and an author list
            "title: Joint report\nauthor: [Ann Lee, Bo Chan]\ndate: 2025-03-03T09:41:00Z\n",
            "Joint report",
            "Ann Lee, Bo Chan",
            dt.date(2025, 3, 3),
        ),
        (  # libsndfile's FAQ.md: a second colon is not valid YAML, and Jekyll reads on
            "layout: default\ntitle: libsndfile : Frequently Asked Questions.\ndate: 2021-04-05\n",
            "libsndfile : Frequently Asked Questions.",
            None,
            dt.date(2021, 4, 5),
        ),
    ],
)
def test_front_matter_fields_are_read(
    front_matter: str, title: str, author: str | None, published: dt.date
) -> None:
    raw = read_markdown(f"---\n{front_matter}---\n\n# Heading\n\nBody text.", None)

    assert (raw.title, raw.author, raw.published) == (title, author, published)
    assert "Body text." in raw.text


@pytest.mark.parametrize(
    ("front_matter", "message"),
    [
        ("title: [unclosed\n  - nested: x\n", "not valid YAML"),
        ("- just\n- a list\n", "must be a YAML mapping"),
    ],
)
def test_bad_front_matter_is_an_ingest_error(front_matter: str, message: str) -> None:
    with pytest.raises(IngestError, match=message):
        read_markdown(f"---\n{front_matter}---\nBody.", None)


def test_sample_markdown_article(settings: Settings) -> None:
    [(_, raw)] = list(read_file(SAMPLE_ARTICLES / "harbour-line-tram-extension.md", settings))
    assert isinstance(raw, RawArticle)

    article = prepare_article(raw)

    assert article.title == "Council approves Harbour Line tram extension after six-hour debate"
    assert article.author == "Daniel Osei"
    assert article.published == dt.date(2026, 9, 17)
    assert "**" not in article.text
    assert "\n\nA narrow path through Ropewalk\n\n" in article.text


def test_setext_headings_are_headings_not_text() -> None:
    raw = read_markdown(
        "Tram vote passes\n================\n\nThe council voted 23 to 14.\n\n"
        "Paying for it\n-------------\n\nThe state pays 60 percent.\n\n---\n\nLast words.\n",
        None,
    )

    article = prepare_article(raw)

    assert raw.title == "Tram vote passes"
    assert article.text == (
        "The council voted 23 to 14.\n\nPaying for it\n\nThe state pays 60 percent.\n\nLast words."
    )


def test_a_raw_script_tag_is_text_and_hides_nothing_after_it() -> None:
    # lnav's help lists "|<script> [arg1 .. argN]": as raw HTML it opened a script element
    # that ran to the end of the file, 28 KB never stored. GFM's tag filter writes it as text.
    help_text = (
        "# lnav help\n\n"
        "  ;<sql>            Execute an SQL query.\n\n"
        "  |<script> [arg1 .. argN]\n"
        "                    Execute an lnav script.\n\n"
        "Mouse\n-----\n\n"
        'Set the LNAV_EXP environment variable to "mouse". <b>Bold</b> stays markup.\n'
    )
    text = read_markdown(help_text, source="help.md").text

    assert "|<script> [arg1 .. argN] Execute an lnav script." in text
    assert 'Set the LNAV_EXP environment variable to "mouse". Bold stays markup.' in text
