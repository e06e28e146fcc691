"""Cleaning at ingest: NFC, whitespace, line joins, noise lines dropped, headings kept apart."""

from __future__ import annotations

import unicodedata

import pytest

from articleqa.ingest.clean import (
    byline_author,
    clean_blocks,
    clean_text,
    is_noise_line,
    normalize_unicode,
)
from articleqa.models import Block, BlockKind


def test_text_is_nfc_normalised() -> None:
    decomposed = "Cafe\u0301 Ru\u0308diger"

    text, _ = clean_text(decomposed)

    assert text == "Café Rüdiger"
    assert unicodedata.is_normalized("NFC", text)


def test_whitespace_and_invisible_characters() -> None:
    raw = (
        "\ufeffThe\u00a0council\tvoted   23\u2009to\u200b 14.\r\n"
        "It met on Tuesday.\r\n\r\n\r\n\r\nNext  paragraph.  "
    )

    text, _ = clean_text(raw)

    assert text == "The council voted 23 to 14. It met on Tuesday.\n\nNext paragraph."


def test_control_characters_are_removed_but_newlines_kept() -> None:
    assert normalize_unicode("a\x00b\x07c\nd\x1fe") == "abc\nde"


def test_hard_wrapped_lines_join_into_one_paragraph() -> None:
    raw = (
        "The council met on Tuesday evening and voted\n"
        "to extend the tram line by 3.4 kilometres to the\n"
        "hospital campus, ending two years of argument over\n"
        "the route.\n"
        "\n"
        "Construction starts in the spring of 2027.\n"
    )

    text, _ = clean_text(raw)

    assert text == (
        "The council met on Tuesday evening and voted to extend the tram line by 3.4 kilometres "
        "to the hospital campus, ending two years of argument over the route.\n\n"
        "Construction starts in the spring of 2027."
    )


def test_hyphenated_line_break_rejoins_the_word() -> None:
    text, _ = clean_text(
        "The robot collected a remarkable amount of plas-\ntic from the canal in two weeks."
    )

    assert text == "The robot collected a remarkable amount of plastic from the canal in two weeks."


def test_a_word_groff_broke_over_two_lines_is_one_word_again() -> None:
    # A man page rendered to text (`man -P cat`): groff breaks words with U+2010 HYPHEN, and
    # mawk(1) as read held 91 broken words ("This is the de‐ fault." for "default").
    text, _ = clean_text(
        "       mawk is an interpreter for the AWK Programming Language. The AWK lan\u2010\n"
        "       guage is useful for manipulation of data files, text retrieval and pro\u2010\n"
        "       cessing, and for prototyping and experimenting with algorithms. This is\n"
        "       the de\u2010\n"
        "       fault.\n"
    )

    assert "language" in text and "processing" in text and "the default." in text
    assert "\u2010" not in text


def test_one_paragraph_per_line_stays_apart() -> None:
    paragraphs = [
        "City councillors voted 23 to 14 late on Tuesday to extend the Harbour Line tram by 3.4 "
        "kilometres to the new hospital campus at Fenwick Park, ending two years of argument.",
        "Opponents said an electric bus lane would have cost a third as much.",
        "Construction is due to start in spring 2027.",
    ]

    text, _ = clean_text("\n".join(paragraphs))

    assert text.split("\n\n") == paragraphs


def test_bullets_stay_separate_paragraphs() -> None:
    text, _ = clean_text("Three stops are planned:\n- Dockside\n- Ropewalk\n- Fenwick Park")

    assert text.split("\n\n") == [
        "Three stops are planned:",
        "- Dockside",
        "- Ropewalk",
        "- Fenwick Park",
    ]


def test_byline_glued_to_a_timestamp_names_the_author_and_stays_without_it() -> None:
    # The byline is what a quote answering "Who wrote this story?" shows; the stamp glued to
    # it is never quoted.
    raw = (
        "Putin asked Musk not to activate Starlink over Taiwan.\n\n"
        "By Chanshimla Varah 05:13 pm Oct 25, 202405:13 pm\n\n"
        "Oct 25, 2024 05:13 pm\n\n"
        "What's the story The report cites intelligence sources."
    )

    text, author = clean_text(raw)

    assert author == "Chanshimla Varah"
    assert text == (
        "Putin asked Musk not to activate Starlink over Taiwan.\n\n"
        "By Chanshimla Varah\n\n"
        "What's the story The report cites intelligence sources."
    )


def test_a_byline_alone_is_no_article() -> None:
    text, author = clean_text("By Jane Doe 09:41 am Mar 3, 2025\n\nAdvertisement")
    assert (text, author) == ("", "Jane Doe")


@pytest.mark.parametrize(
    ("line", "author"),
    [
        ("By Jane Doe 09:41 am Mar 3, 202509:41 am", "Jane Doe"),
        ("By Jane Doe | Updated 10:15 am Oct 25, 2024 IST", "Jane Doe"),
        ("BY JANE DOE, March 3, 2025", "JANE DOE"),
        ("By Jane Doe — 2025-03-03 09:41", "Jane Doe"),
        # This year's stamps often come without the year.
        ("By Jane Doe, Reporter - Jun 13, 4:03 PM EDT", "Jane Doe, Reporter"),
        ("By Jane Doe | Updated Jun 13, 16:03", "Jane Doe"),
    ],
)
def test_byline_variants(line: str, author: str) -> None:
    assert byline_author(line) == author
    assert not is_noise_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "By the time the ministry published its figures on Friday, 300 homes had flooded.",
        "By Jane Doe, published March 3, 2025, the report found forty cases of fraud.",
        "By March 3, 2025 the council wants trams running to the hospital.",
        "By 10:30 pm the river had risen to 4.2 metres at the Mill Street gauge.",
        "Oct 25, 2024 was the wettest day",
        "By Jane Doe Jun 13",
        "By June 13, 4 more stops will open on the harbour line.",
    ],
)
def test_content_that_merely_starts_like_a_byline_is_kept(line: str) -> None:
    assert not is_noise_line(line)
    text, author = clean_text(f"{line}\n\nNext paragraph.")
    assert text.startswith(line)
    assert author is None


@pytest.mark.parametrize(
    "line",
    [
        "Updated: 10:15 am Oct 25, 2024",
        "Oct 25, 2024",
        "2024-10-25 09:41 UTC",
        "Advertisement",
        "Story continues below advertisement",
        "Share this article",
    ],
)
def test_bare_timestamps_and_boilerplate_are_dropped(line: str) -> None:
    text, _ = clean_text(
        f"First paragraph of the story.\n\n{line}\n\nSecond paragraph of the story."
    )

    assert text == "First paragraph of the story.\n\nSecond paragraph of the story."


def test_headings_are_kept_as_their_own_paragraphs() -> None:
    raw = (
        "Diplomatic favor\n"
        "Putin's alleged request to Musk over Starlink activation\n"
        "The report further claims that Putin asked Musk not to activate his Starlink internet "
        "service over Taiwan. This was allegedly done as a diplomatic favor to Chinese President "
        "Xi Jinping.\n"
    )

    text, _ = clean_text(raw)

    assert text.split("\n\n") == [
        "Diplomatic favor",
        "Putin's alleged request to Musk over Starlink activation",
        "The report further claims that Putin asked Musk not to activate his Starlink internet "
        "service over Taiwan. This was allegedly done as a diplomatic favor to Chinese President "
        "Xi Jinping.",
    ]


def test_blank_separated_headings_stay_apart_from_the_body() -> None:
    raw = (
        "Strategic aid\n\nMusk's Starlink service and its role in Ukraine\n\n"
        "Musk's Starlink service was instrumental in Ukraine."
    )

    text, _ = clean_text(raw)

    assert text.split("\n\n") == [
        "Strategic aid",
        "Musk's Starlink service and its role in Ukraine",
        "Musk's Starlink service was instrumental in Ukraine.",
    ]


def test_cleaning_is_idempotent() -> None:
    raw = (
        "Title line\n\nBy Jane Doe 09:41 am Mar 3, 2025\n\n"
        "A wrapped\nparagraph of text.\n\nHeading\n\nBody text here."
    )

    once, _ = clean_text(raw)
    twice, _ = clean_text(once)

    assert twice == once


def test_a_table_laid_out_with_spaces_keeps_one_row_per_line() -> None:
    raw = (
        "The table below lists the releases.\n\n"
        "    Release   Year        Owner\n"
        "    1.6       2000        CNRI\n"
        "    2.0       2000        BeOpen.com\n"
        "    2.1\t      2001        PSF\n"
    )

    text, _ = clean_text(raw)

    assert text.split("\n\n")[1].split("\n") == [
        "Release   Year        Owner",
        "1.6       2000        CNRI",
        "2.0       2000        BeOpen.com",
        "2.1       2001        PSF",
    ]
    assert clean_text(text)[0] == text  # still a table when cleaned again


def test_justified_prose_is_not_a_table() -> None:
    # nroff justifies a man page's lines with extra spaces wherever the words fall.
    raw = (
        "       The comment extends until the next newline (or the end of  a  -e\n"
        "       script  fragment) and is ignored by the command processor which\n"
        "       reads the script.\n"
    )

    text, _ = clean_text(raw)

    assert text == (
        "The comment extends until the next newline (or the end of a -e script fragment) "
        "and is ignored by the command processor which reads the script."
    )


def test_underlines_and_rules_are_decoration_not_text() -> None:
    raw = "Specification\n-------------\n\nThe field is a boolean.\n\n=====\n\nThe end."

    text, _ = clean_text(raw)

    assert text.split("\n\n") == ["Specification", "The field is a boolean.", "The end."]


def test_a_structured_document_s_date_line_under_its_title_is_kept() -> None:
    # The Eclipse Foundation Software User Agreement's page: "<h2>…</h2><p>March 17, 2005</p>".
    # Dropped as a pasted stamp, the date could not be quoted for "What date is on the
    # agreement?". A date elsewhere, or with a time, is still a stamp.
    def texts(*blocks: Block) -> list[str]:
        return [b.text for b in clean_blocks(blocks)[0]]

    body = Block(BlockKind.TEXT, "The Eclipse Foundation makes software available.")
    title = Block(BlockKind.HEADING, "Software User Agreement", 2)
    assert texts(title, Block(BlockKind.TEXT, "March 17, 2005"), body)[:2] == [
        "Software User Agreement",
        "March 17, 2005",
    ]
    assert "Oct 25, 2024" not in texts(body, Block(BlockKind.TEXT, "Oct 25, 2024"))
    assert texts(Block(BlockKind.TEXT, "Oct 25, 2024 9:14 AM"), body) == [body.text]


def test_a_date_among_the_lines_of_its_paragraph_is_the_text_s_own() -> None:
    # Vixie cron's README: "Vixie Cron V3.0" / "December 27, 1993" / "[V2.2 was some time in
    # 1992]". Dropped as a pasted stamp, "When did Vixie Cron 3.0 come out?" had no answer
    # left. A date standing alone in its paragraph, or with a time, is still a stamp.
    raw = (
        "Ferry Timetable V3.0\nDecember 27, 1993\n[V2.2 was some time in 1992]\n\n"
        "The ferry runs hourly.\n\nOct 25, 2024\n\nIt stops at noon.\n"
    )

    text, _ = clean_text(raw)

    assert "December 27, 1993" in text
    assert "Oct 25, 2024" not in text
    text, _ = clean_text("Ferry notes\nOct 25, 2024 9:14 AM\nThe ferry runs hourly.\n")
    assert "9:14" not in text
