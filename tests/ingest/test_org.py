"""Org mode documents: read with their structure, as Markdown and reStructuredText are. Before
this reader, a ``.org`` file was refused ("unsupported file type '.org'"), and the same text
read as plain text kept every marker ("* Installation", "=--debug=", "[[./USAGE.org][User
guide]]", "#+BEGIN_SRC", ":PROPERTIES:")."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from articleqa.config import Settings
from articleqa.ingest import read_file
from articleqa.ingest.org import read_org
from articleqa.ingest.prepare import prepare_article
from articleqa.models import BlockKind, RawArticle
from articleqa.passages import split_article

PAGE = """#+TITLE: Harbour ferry guide
#+AUTHOR: Marta Kovalenko
#+DATE: 2026-05-14
#+OPTIONS: toc:nil num:nil
#+STARTUP: showall

This guide covers the harbour ferry's timetable, its tickets and how
to report a problem to the council.

* TODO Timetable                                                :ferry:
  :PROPERTIES:
  :CUSTOM_ID: timetable
  :END:

The ferry runs every /forty minutes/ from 1 June until the end of
September. The first crossing leaves the pier at *7:10*.

# An internal note: check the winter dates again.

** Tickets
- Adults pay two pounds; children under twelve
  travel free.
- Monthly passes are sold at the pier office.
  1. Bring a photo.
  2. Pay by card.

- Concessions :: Half price for people over sixty.

| Ticket  | Price |
|---------+-------|
| Adult   | £2    |
| Monthly | £40   |

* Reporting a problem
To report a problem, run =ferry-report --pier north= or see
[[https://example.org/ferry][the council's ferry page]] and [[https://example.org/contact]].
Paths such as /usr/share/ferry/ and names like ferry_report stay as written.

#+BEGIN_SRC sh
  ferry-report --pier north
  ferry-report --list
#+END_SRC

: $ ferry-report --version
: ferry-report 2.1

#+BEGIN_QUOTE
The ferry is the town's oldest public service.
#+END_QUOTE
"""


def _article(text: str = PAGE) -> RawArticle:
    return read_org(text, None)


def test_keywords_give_the_title_author_and_date() -> None:
    raw = _article()

    assert raw.title == "Harbour ferry guide"
    assert raw.author == "Marta Kovalenko"
    assert raw.published == dt.date(2026, 5, 14)
    assert "#+" not in raw.text and "toc:nil" not in raw.text


def test_headings_paragraphs_and_code_keep_their_kinds() -> None:
    article = prepare_article(_article())
    assert article.layout is not None
    kinds = [(s.kind, article.text[s.start : s.end]) for s in article.layout]

    # A heading without its stars, TODO keyword and tags; its drawer is no text.
    assert (BlockKind.HEADING, "Timetable") in kinds
    assert (BlockKind.HEADING, "Tickets") in kinds
    assert "CUSTOM_ID" not in article.text and ":END:" not in article.text
    # A paragraph joined across its wrapped lines, emphasis markers dropped.
    assert (
        "\n\nThe ferry runs every forty minutes from 1 June until the end of September. "
        "The first crossing leaves the pier at 7:10.\n\n"
    ) in article.text
    # Source blocks and ":" lines are code, without their markers or shared indentation.
    assert (BlockKind.CODE, "ferry-report --pier north\nferry-report --list") in kinds
    assert (BlockKind.CODE, "$ ferry-report --version\nferry-report 2.1") in kinds
    # Comments are not text; a quote block is.
    assert "internal note" not in article.text
    assert "The ferry is the town's oldest public service." in article.text


def test_lists_tables_links_and_verbatim_read_as_the_page_shows_them() -> None:
    text = _article().text

    assert "Adults pay two pounds; children under twelve travel free." in text
    # A list inside an item is its own list, numbered.
    assert (
        "• Monthly passes are sold at the pier office.\n1. Bring a photo.\n2. Pay by card." in text
    )
    assert "Concessions\nHalf price for people over sixty." in text
    assert "Ticket | Price" in text and "Monthly | £40" in text
    assert "run ferry-report --pier north or see the council's ferry page and" in text
    assert "https://example.org/contact" in text
    assert "Paths such as /usr/share/ferry/ and names like ferry_report stay as written." in text
    assert "[[" not in text and "=ferry" not in text


def test_an_org_file_is_read_and_split_into_passages(tmp_path: Path) -> None:
    path = tmp_path / "ferry.org"
    path.write_text(PAGE, encoding="utf-8")

    [(_label, raw)] = list(read_file(path, Settings(home=tmp_path, _env_file=None)))  # type: ignore[call-arg]

    assert isinstance(raw, RawArticle), raw
    assert raw.title == "Harbour ferry guide"
    passages = split_article(prepare_article(raw))
    timetable = next(p for p in passages if "forty minutes" in p.text)
    assert timetable.heading == "Timetable"


def test_unclosed_blocks_and_drawers_are_text_and_nothing_is_lost() -> None:
    # Org reads an opening line without its closing one as text: a document must not vanish
    # behind a "#+BEGIN_SRC" or ":NOTE:" that never ends.
    text = (
        "#+TITLE: Notes\n\nThe pier opens at seven.\n:NOTE:\nThe office opens at nine.\n\n"
        "#+BEGIN_SRC sh\nferry-report --list\n\nTickets cost two pounds.\n"
    )
    raw = read_org(text, None)

    assert "The office opens at nine." in raw.text
    assert "Tickets cost two pounds." in raw.text
    assert "ferry-report --list" in raw.text


def test_a_date_written_as_an_org_timestamp_is_the_publication_date() -> None:
    raw = read_org("#+TITLE: Notes\n#+DATE: <2026-05-14 Thu>\n\nThe pier opens at seven.\n", None)

    assert raw.published == dt.date(2026, 5, 14)


def test_a_block_inside_a_list_item_is_code_and_a_rule_is_no_text() -> None:
    text = (
        "#+TITLE: Notes\n\n- Install the ferry tool first:\n  #+BEGIN_SRC sh\n"
        "  apt install ferry-report\n  #+END_SRC\n- Then run it.\n\n-----\n\nThe end.\n"
    )
    article = prepare_article(read_org(text, None))
    assert article.layout is not None
    kinds = [(s.kind, article.text[s.start : s.end]) for s in article.layout]

    assert (BlockKind.CODE, "apt install ferry-report") in kinds
    assert "#+" not in article.text and "-----" not in article.text
    assert "• Install the ferry tool first:" in article.text


def test_an_org_document_saved_as_text_is_read_as_org(tmp_path: Path) -> None:
    # Zutty's README.org, gunzipped as a .txt: read as plain text, its title was "+TITLE:
    # Zutty - Zero-cost Unicode Teletype" and every marker stayed.
    path = tmp_path / "ferry.txt"
    path.write_text(PAGE, encoding="utf-8")

    [(_label, raw)] = list(read_file(path, Settings(home=tmp_path, _env_file=None)))  # type: ignore[call-arg]

    assert isinstance(raw, RawArticle), raw
    assert raw == read_org(PAGE, raw.source)
    assert raw.title == "Harbour ferry guide"


def test_plain_text_that_merely_mentions_org_keywords_stays_plain(tmp_path: Path) -> None:
    text = "Org keywords\n\nAn Org file opens with lines such as #+TITLE: My notes.\n"
    path = tmp_path / "notes.txt"
    path.write_text(text, encoding="utf-8")

    [(_label, raw)] = list(read_file(path, Settings(home=tmp_path, _env_file=None)))  # type: ignore[call-arg]

    assert isinstance(raw, RawArticle), raw
    assert raw.title == "Org keywords"
    assert "#+TITLE: My notes." in raw.text


def test_a_forced_line_break_ends_its_line() -> None:
    raw = read_org(
        "#+TITLE: Links\n\nHomepage: https://ferry.example/ \\\\\nSource: "
        "https://code.example/ferry\\\\\n\nNext paragraph.\n",
        None,
    )

    assert raw.text == (
        "Homepage: https://ferry.example/\nSource: https://code.example/ferry\n\nNext paragraph."
    )
