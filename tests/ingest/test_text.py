"""Plain-text articles: the first non-empty line is the title, the rest is the body."""

from __future__ import annotations

from pathlib import Path

from articleqa.config import Settings
from articleqa.ingest import read_file
from articleqa.ingest.prepare import prepare_article
from articleqa.ingest.text import read_text, title_from_first_line
from articleqa.models import RawArticle
from tests.conftest import SAMPLE_ARTICLES


def test_first_non_empty_line_is_the_title() -> None:
    raw = read_text("\n\n  Tram vote passes  \n\nThe council voted 23 to 14.\n", source="x.txt")

    assert raw.title == "Tram vote passes"
    assert raw.text.strip() == "The council voted 23 to 14."
    assert raw.source == "x.txt"


def test_a_long_first_line_is_content_and_its_first_sentence_the_title() -> None:
    summary = (
        "Elon Musk has reportedly been speaking regularly with Russian President Vladimir Putin "
        "since late 2022. The talks covered business and politics."
    )

    title, body = title_from_first_line(f"{summary}\n\nMore text follows here.")

    assert (
        title == "Elon Musk has reportedly been speaking regularly with Russian President Vladimir "
        "Putin since late 2022."
    )
    assert body.startswith(summary), "a prose first line must stay in the body"


def test_a_short_first_sentence_is_content_not_a_title() -> None:
    # The Debian Social Contract opens with its version and ratification date: a sentence that
    # answers "When was version 1.2 ratified?", lost from the body when taken for the title.
    first = "Version 1.2 ratified on October 1st, 2022."

    title, body = title_from_first_line(f"   {first}\n\n   Debian has created the contract.")

    assert title == first
    assert body.startswith(first)


def test_an_overlong_single_sentence_title_is_shortened_at_a_word() -> None:
    first = " ".join(["word"] * 40)

    title, body = title_from_first_line(first)

    assert len(title) <= 121
    assert title.endswith("…")
    assert title[:-1].split() == ["word"] * len(title[:-1].split())
    assert body == first


def test_markdown_heading_marks_are_dropped_from_a_text_title() -> None:
    assert read_text("# Storm floods Lower Town\nBody.", None).title == "Storm floods Lower Town"


def test_read_file_reads_a_txt_file(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "story.txt"
    path.write_text("Rovers win the league\n\nA header in the 88th minute settled it.\n", "utf-8")

    [(label, raw)] = list(read_file(path, settings))

    assert label == str(path)
    assert isinstance(raw, RawArticle)
    assert raw.title == "Rovers win the league"
    assert raw.source == str(path.resolve())
    assert "88th minute" in raw.text


def test_sample_pasted_article_loses_its_byline_but_keeps_the_author(settings: Settings) -> None:
    [(_, raw)] = list(read_file(SAMPLE_ARTICLES / "musk-putin-contact-report.txt", settings))
    assert isinstance(raw, RawArticle)

    article = prepare_article(raw)

    assert article.title == "Report: Musk and Putin in regular contact since 2022"
    assert article.author == "Marta Kovalenko"
    assert "09:41" not in article.text
    assert "By Marta" not in article.text
    # Headings survive as their own paragraphs: they are passage context later.
    assert "\n\nWhat Putin reportedly asked about Taiwan\n\n" in article.text
    assert article.text.count("Putin is said to have asked Musk not to switch on Starlink") == 2


def test_a_title_s_underline_leaves_with_it() -> None:
    raw = read_text(
        "A. HISTORY OF THE SOFTWARE\n==========================\n\nPython was created.", None
    )

    assert raw.title == "A. HISTORY OF THE SOFTWARE"
    assert prepare_article(raw).text == "Python was created."
