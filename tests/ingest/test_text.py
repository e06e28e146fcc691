"""Plain-text articles: the first non-empty line is the title, the rest is the body."""

from __future__ import annotations

from pathlib import Path

import pytest

from articleqa.config import Settings
from articleqa.ingest import read_file
from articleqa.ingest.prepare import prepare_article
from articleqa.ingest.text import read_text, title_from_first_line
from articleqa.models import Article, RawArticle
from articleqa.passages import split_article
from tests.conftest import SAMPLE_ARTICLES


def _laid_out(article: Article) -> list[tuple[str, int]]:
    """The text and level of each span of the article's layout (its headings, here)."""
    assert article.layout is not None
    return [(article.text[s.start : s.end], s.level) for s in article.layout]


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


def test_a_status_mark_above_the_title_is_not_the_title() -> None:
    # OpenSSL's HOWTOs open with "<DRAFT!>" above their title: every quote was titled "<DRAFT!>".
    title, body = title_from_first_line("<DRAFT!>\n\t\t\tHOWTO keys\n\n1. Introduction\n")

    assert title == "HOWTO keys"
    assert body.startswith("<DRAFT!>")  # kept: nothing of the file is dropped
    assert "1. Introduction" in body
    assert title_from_first_line("(c) 2020 Jane Doe\n\nText.")[0] == "(c) 2020 Jane Doe"


def test_a_stamp_or_a_note_above_the_title_is_not_the_title() -> None:
    # GNU screen's FAQ opens with its editor's initials and dates, right-aligned; its README
    # with notes in brackets. Every quote was titled "jw 21.10.93".
    title, body = title_from_first_line(
        "\t\t\tjw  21.10.93\n\t\t\t05.05.94\n\n"
        "   screen: frequently asked questions -- known problems\n\nQ: Why ...?\n"
    )
    assert title == "screen: frequently asked questions -- known problems"
    assert "jw  21.10.93" in body and "05.05.94" in body
    title, body = title_from_first_line(
        "  [If you just got the screen package, it pays to read the file INSTALL]\n"
        "  [This intro only describes the most common features]\n\n"
        "Short introduction to GNU screen.\n\nScreen provides a terminal emulator.\n"
    )
    assert title == "Short introduction to GNU screen."
    assert body.startswith("[If you just got the screen package")


def test_a_signature_at_the_end_names_the_author() -> None:
    # OpenSSL's certificates HOWTO ends "--\nRichard Levitte": "Who wrote the HOWTO?" had no
    # author to answer with.
    raw = read_text("HOWTO certificates\n\nBy now you have a key.\n\n--\nRichard Levitte\n", None)
    assert raw.author == "Richard Levitte"
    assert read_text("Notes\n\nThe range is 1 -- 5.\nSee Also the guide.\n", None).author is None


def test_read_file_reads_a_txt_file(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "story.txt"
    path.write_text("Rovers win the league\n\nA header in the 88th minute settled it.\n", "utf-8")

    [(label, raw)] = list(read_file(path, settings))

    assert label == str(path)
    assert isinstance(raw, RawArticle)
    assert raw.title == "Rovers win the league"
    assert raw.source == str(path.resolve())
    assert "88th minute" in raw.text


def test_sample_pasted_article_keeps_its_byline_not_its_stamp(settings: Settings) -> None:
    [(_, raw)] = list(read_file(SAMPLE_ARTICLES / "musk-putin-contact-report.txt", settings))
    assert isinstance(raw, RawArticle)

    article = prepare_article(raw)

    assert article.title == "Report: Musk and Putin in regular contact since 2022"
    assert article.author == "Marta Kovalenko"
    assert "\n\nBy Marta Kovalenko\n\n" in article.text
    assert "09:41" not in article.text
    # Headings survive as their own paragraphs: they are passage context later.
    assert "\n\nWhat Putin reportedly asked about Taiwan\n\n" in article.text
    assert article.text.count("Putin is said to have asked Musk not to switch on Starlink") == 2


def test_a_title_s_underline_leaves_with_it() -> None:
    raw = read_text(
        "A. HISTORY OF THE SOFTWARE\n==========================\n\nPython was created.", None
    )

    assert raw.title == "A. HISTORY OF THE SOFTWARE"
    assert prepare_article(raw).text == "Python was created."


CHANGELOG = """\
New in version 4.3
==================

Enhancements
------------
* Add local option to refclock directive

New in version 4.2
==================

Enhancements
------------
* Add support for NTP over PTP

What is in a release?
=====================

Each release lists its changes.

Authors
=======

Richard P. Curnow <rc@example.org>
Miroslav Lichvar <ml@example.com>
"""


def test_underlined_lines_are_headings_of_the_level_their_underline_says() -> None:
    # chrony's NEWS and README: "What is chrony?" over "=====" is a heading though it asks;
    # the title's "=====" comes first, so "-----" is the second level, "=====" the first.
    article = prepare_article(read_text(CHANGELOG, "NEWS"))

    headings = _laid_out(article)
    assert headings == [
        ("Enhancements", 2),
        ("New in version 4.2", 1),
        ("Enhancements", 2),
        ("What is in a release?", 1),
        ("Authors", 1),
    ]
    passages = split_article(article)
    authors = next(p for p in passages if "Richard P. Curnow" in p.text)
    assert authors.heading == "Authors"
    assert "Miroslav Lichvar <ml@example.com>" in authors.text


def test_a_text_underlining_its_title_alone_still_has_its_other_headings_guessed() -> None:
    # libjpeg's usage.txt underlines its title and writes "INTRODUCTION" plain.
    text = (
        "Notes kept by the project.\n\nUSAGE instructions\n==================\n\n"
        "This file describes usage.\n\nINTRODUCTION\n\nThese programs encode images."
    )

    article = prepare_article(read_text(text, "usage.txt"))

    headings = [text for text, _ in _laid_out(article)]
    assert headings == ["USAGE instructions", "INTRODUCTION"]


RELEASE_NOTES = """\
==============================================================
* 1.12.0, 2022-05-26

### CHANGES
- leafnode now requires the PCRE2 library instead of PCRE.

==============================================================
* 1.11.3, 2005-06-08

### SECURITY BUGFIXES
- Fetchnews did not detect timeouts while downloading a header.
  This is CVE-2005-1911.

==============================================================
Matthias Andree
"""


def test_a_line_under_a_rule_and_a_hash_marked_line_are_headings() -> None:
    # leafnode's NEWS draws a rule above each release and marks its parts "### CHANGES":
    # read as text, "* 1.11.3, 2005-06-08 ### SECURITY BUGFIXES - Fetchnews ..." was one
    # paragraph, neither heading said what its entries were.
    article = prepare_article(read_text(RELEASE_NOTES, "NEWS"))

    # The first release is titled by its line, and heads its section in the text too: the rule
    # above it is the one above every release, and its date is a fact to quote.
    assert article.title == "* 1.12.0, 2022-05-26"
    headings = _laid_out(article)
    assert headings == [
        ("* 1.12.0, 2022-05-26", 1),
        ("CHANGES", 3),
        ("* 1.11.3, 2005-06-08", 1),
        ("SECURITY BUGFIXES", 3),
    ]
    assert "###" not in article.text
    assert article.text.endswith("Matthias Andree")  # a closing line under a rule is text
    cve = next(p for p in split_article(article) if "CVE-2005-1911" in p.text)
    assert cve.heading == "* 1.11.3, 2005-06-08: SECURITY BUGFIXES"


def test_a_single_hash_marked_line_is_text() -> None:
    # Once in a text, "# make install" may be a root prompt: headings come in numbers.
    article = prepare_article(read_text("Install\n\nRun this:\n\n# make install\n", "README"))

    assert "# make install" in article.text


RENDERED_MAN_PAGE = """\
ZSTD(1)                         User Commands                        ZSTD(1)

NAME
       zstd - zstd, zstdmt, unzstd, zstdcat - Compress or decompress .zst
       files

DESCRIPTION
       zstd is a fast lossless compression algorithm and data compression
       tool, with command line syntax similar to gzip(1) and xz(1). It is
       based on the LZ77 family, with further FSE & huff0 entropy stages.
       zstd offers highly configurable compression speed, from fast modes
       at > 200 MB/s per core, to strong modes with excellent compression
       ratios. It also features a very fast decoder, with speeds > 500 MB/s
       per core. zstd command line syntax is generally similar to gzip,
       but features the following few differences: source files are
       preserved by default, it is possible to remove them automatically
       by using the --rm command, and when compressing a single file, zstd
       displays progress notifications and result summary by default.

   Concatenation with .zst Files
       It is possible to concatenate multiple .zst files. zstd will decom-
       press such agglomerated file as if it was a single .zst file.

BUGS
       Report bugs at: https://github.com/facebook/zstd/issues

AUTHOR
       Yann Collet

zstd 1.5.4                        February 2023                       ZSTD(1)
"""


def test_an_outline_s_headings_are_the_lines_left_of_the_text_under_them() -> None:
    # A man page rendered to text: "Yann Collet" and "Report bugs at: ..." are short lines of
    # the body, not headings (as headings they were never quoted: "Who is the author of zstd?"
    # could not be answered); the section names to their left are the headings.
    article = prepare_article(read_text(RENDERED_MAN_PAGE, "zstd.1.txt"))

    headings = [text for text, _ in _laid_out(article)]
    assert headings == ["NAME", "DESCRIPTION", "Concatenation with .zst Files", "BUGS", "AUTHOR"]
    passages = split_article(article)
    author = next(p for p in passages if "Yann Collet" in p.text)
    assert author.heading == "AUTHOR"
    assert any(
        "Report bugs at: https://github.com/facebook/zstd/issues" in p.text for p in passages
    )


def test_an_outline_s_hanging_indent_is_one_paragraph_not_a_heading() -> None:
    text = (
        "1. Introduction\n\n   The Debian Project is an association of individuals.\n\n"
        "   3.2. Composition and appointment\n\n"
        "    1. Developers are volunteers who agree to further the aims of the\n"
        "       Project insofar as they participate in it.\n"
        "    2. Delegates may choose not to admit new Developers.\n"
    )

    article = prepare_article(read_text(text, "constitution.txt"))

    assert [text for text, _ in _laid_out(article)] == ["3.2. Composition and appointment"]
    assert (
        "1. Developers are volunteers who agree to further the aims of the Project insofar as "
        "they participate in it." in article.text
    )


def test_pasted_news_without_indentation_still_has_its_headings_guessed() -> None:
    article = prepare_article(
        read_text(
            "Storm floods Lower Town\n\nThe river rose overnight.\n\nDefences held\n\n"
            "The new wall upstream held back the water.",
            "storm.txt",
        )
    )

    assert article.layout is None  # no indentation to go by: passages guess from short lines
    assert [p.heading for p in split_article(article, 3, 40)] == [None, "Defences held"]


def test_a_field_line_is_a_fact_not_a_heading() -> None:
    # dpkg's spec opens with "Status: draft, experimental": guessed a heading, it was never
    # quoted, so "What is the status of the Protected field specification?" had no answer.
    text = (
        "Support for a Protected field\n\nStatus: draft, experimental\n\n"
        "URL: https://wiki.debian.org/Teams/Dpkg/Spec/ProtectedField\n\nSummary\n\n"
        "The goal of the following proposal is to standardize a field for packages."
    )

    article = prepare_article(read_text(text, "dpkg_protected_field.txt"))
    passages = split_article(article, 3, 60)

    assert any("Status: draft, experimental" in p.text for p in passages)
    assert [p.heading for p in passages if "standardize" in p.text] == ["Summary"]


XZ_SPEC = """
The .xz File Format
===================

        1. Conventions
           1.1. Byte and Its Representation
           1.2. Multibyte Integers
        2. Overall Structure of .xz File
           2.1. Stream
                2.1.1. Stream Header

1.1. Byte and Its Representation

        To represent byte blocks, this document uses notation that
        is similar to the notation used in RFC 1952:

            +-------+
            |  Foo  |   One byte.
            +-------+

            +---+---+
            |  Foo  |   Two bytes; that is, some of the vertical bars
            +---+---+   can be missing.

        In this document, a boxed byte or a byte sequence declared
        using this notation is called "a field".
"""


def test_a_table_of_contents_keeps_a_line_per_section_number() -> None:
    # The .xz format's contents: "2.1.2.2. Backward Size 2.1.2.3. Stream Flags 2.1.2.4. Footer
    # Magic Bytes" was one paragraph, quoted first for "What are the footer magic bytes?".
    text = prepare_article(read_text(XZ_SPEC, "xz-file-format.txt")).text

    assert "1.1. Byte and Its Representation 1.2." not in text
    assert "2.1. Stream 2.1.1." not in text
    for line in ("1.2. Multibyte Integers", "2.1.1. Stream Header"):
        assert line in text.split("\n\n")


def test_a_diagram_drawn_in_characters_is_kept_as_drawn() -> None:
    text = prepare_article(read_text(XZ_SPEC, "xz-file-format.txt")).text

    assert "+-------+\n|  Foo  |   One byte.\n+-------+" in text
    assert "|  Foo  |   Two bytes; that is, some of the vertical bars\n+---+---+   can be" in text
    assert "In this document, a boxed byte or a byte sequence declared using this notation" in text


# The entries were quoted before the sections they name; each section keeps its heading.
XZ_CONTENTS = (
    "The .xz File Format\n\n"
    "        2.1.2. Stream Footer\n"
    "               2.1.2.1. CRC32\n"
    "               2.1.2.2. Backward Size\n"
    "               2.1.2.4. Footer Magic Bytes\n\n"
    "2.1.2. Stream Footer\n\n        The footer closes the stream.\n\n"
    "2.1.2.1. CRC32\n\n        The CRC32 is calculated from the fields.\n\n"
    "2.1.2.2. Backward Size\n\n        Backward Size is stored as a 32-bit integer.\n\n"
    "2.1.2.4. Footer Magic Bytes\n\n        In hexadecimal: 59 5A\n"
)
# leafnode's FAQ lists a section's questions, then asks each over its answer: the list was
# quoted ("Q: How do I run leafnode as NNTP+SSL server? Q: How do I use fetchnews ...") where
# the answer naming stunnel should have been.
FAQ = (
    "Leafnode FAQ\n\n"
    "Q: I cannot compile leafnode on Linux!\n"
    "Q: How do I run leafnode as NNTP+SSL server?\n"
    "Q: Where do I get the source RPM? I want to modify it.\n\n"
    "Q: I cannot compile leafnode on Linux!\n\nA: Install the kernel sources.\n\n"
    "Q: How do I run leafnode as NNTP+SSL server?\n\nA: Wrap it with stunnel.\n\n"
    "Q: Where do I get the source RPM? I want to modify it.\n\nA: From the web site.\n"
)


@pytest.mark.parametrize(
    ("document", "entries", "later", "earlier"),
    [
        (
            XZ_CONTENTS,
            ("2.1.2. Stream Footer", "2.1.2.1. CRC32", "2.1.2.4. Footer Magic Bytes"),
            "2.1.2.4. Footer Magic Bytes",
            "Backward Size is stored",
        ),
        (
            FAQ,
            ("compile leafnode on Linux!", "NNTP+SSL server?", "I want to modify it."),
            "NNTP+SSL server?",
            "Install the kernel sources.",
        ),
    ],
    ids=["numbered sections", "a FAQ's questions"],
)
def test_a_table_of_contents_goes_when_its_entries_stand_further_on(
    document: str, entries: tuple[str, ...], later: str, earlier: str
) -> None:
    text = prepare_article(read_text(document, "contents.txt")).text

    for entry in entries:
        assert text.count(entry) == 1
    assert text.index(later) > text.index(earlier)


def test_rows_and_lines_written_twice_are_not_a_table_of_contents() -> None:
    # libjpeg's quantization tables repeat rows; its manual repeats a wrapped paragraph for
    # cjpeg and djpeg. Neither may lose a line.
    rows = "          99  99  99  99\n" * 4
    manual = (
        "cjpeg\n\n"
        f"        # This is table 1:\n{rows}\n"
        "        -dct float      Use floating-point DCT method\n"
        "                        [legacy feature]\n"
        "                        much slower\n\n"
        "djpeg\n\n"
        "        -dct float      Use floating-point DCT method\n"
        "                        [legacy feature]\n"
        "                        much slower\n"
    )
    text = prepare_article(read_text(manual, "usage.txt")).text

    assert text.count("99  99  99  99") == 4
    assert text.count("-dct float Use floating-point DCT method [legacy feature]") == 2
    assert text.count("much slower") == 2


def test_rules_drawn_above_and_around_a_title_are_no_title() -> None:
    # procmail's FAQ opens with a rule, then "----- Frequently Asked Questions -----": its title
    # was the rule.
    raw = (
        "-" * 40
        + "\n"
        + "-" * 12
        + " Frequently Asked Questions "
        + "-" * 12
        + "\n"
        + "-" * 40
        + "\n\n1. How do I set up a mailing list?\n\nUse the rc.mailinglist recipe.\n"
    )

    title, body = title_from_first_line(raw)

    assert title == "Frequently Asked Questions"
    assert body.lstrip("-\n").startswith("1. How do I set up a mailing list?")
    assert title_from_first_line("----- x -----\nbody")[0] == "----- x -----"


def test_an_anchor_over_an_underlined_title_is_markup_and_the_title_a_heading() -> None:
    # ELinks' AsciiDoc FAQ, saved as .txt: "[[get-256-colours]]" over "How can I get 256
    # colors?" over "~~~~": the anchor line kept the title from being read as a heading, and
    # "[[get-256-colours]] How can I get 256 colors?" stood in the text as one line.
    faq = (
        "Frequently Asked Questions\n--------------------------\n\n"
        "This captures questions asked on the mailing list.\n\n"
        "[[instances]]\nWhy does nothing change after a restart?\n"
        "~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n\n"
        "Instances connect together and share the cache.\n\n"
        "[[get-256-colours]]\nHow can I get 256 colors?\n~~~~~~~~~~~~~~~~~~~~~~~~~~\n\n"
        "Set the TERM environmental variable to xterm-256color before running ELinks.\n"
    )
    article = prepare_article(read_text(faq, "elinks_faq.txt"))

    assert "[[" not in article.text
    assert ("How can I get 256 colors?", 2) in _laid_out(article)
    colours = next(p for p in split_article(article) if "xterm-256color" in p.text)
    assert colours.heading is not None and colours.heading.endswith("How can I get 256 colors?")


def test_a_configuration_file_s_comments_quoted_in_a_readme_are_no_headings() -> None:
    # hostapd's README quotes hostapd.conf: each "# ..." comment over more comment, or over a
    # setting, became a heading (the text marks two "#" lines, as a NEWS file's "### CHANGES"),
    # and "# (8..63 characters)" was cut from the passphrase setting it describes.
    readme = (
        "hostapd configuration\n\nAn example configuration follows.\n\n"
        "# WPA pre-shared keys for WPA-PSK. This can be either entered as a 256-bit\n"
        "# secret in hex format (64 hex digits), wpa_psk, or as an ASCII passphrase\n"
        "# (8..63 characters) that will be converted to PSK.\n"
        "#wpa_psk=0123456789abcdef\n\n"
        "# Default WPA passphrase for legacy clients\nwpa_passphrase=12345678\n\n"
        "# Enable WPS\nwps_state=2\n"
    )
    article = prepare_article(read_text(readme, "hostapd_README.txt"))

    assert article.layout is None or not _laid_out(article)
    paragraphs = article.text.split("\n\n")
    assert any("(8..63 characters)" in p and "WPA pre-shared keys" in p for p in paragraphs)
    assert any("Default WPA passphrase" in p and "wpa_passphrase=" in p for p in paragraphs)
