"""Mail and news messages saved as text: the Subject is the title, the sender the author, the
Date header the publication date, and the routing fields are not the article's text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from articleqa.config import Settings
from articleqa.errors import IngestError
from articleqa.ingest import read_file
from articleqa.ingest.mail import split_message
from articleqa.ingest.prepare import prepare_article
from articleqa.models import RawArticle

# A Usenet FAQ posting as news readers and Debian's doc folders keep it: an mbox separator,
# routing fields around the ones a reader asks about, a folded Xref field, then the body.
POSTING = """From comp.os.misc Tue Mar 14 09:30:02 2000
Path: news.example.edu!feed.example.net!not-for-mail
From: Ada Example <ada@example.org>
Newsgroups: comp.os.misc,news.answers
Subject: Shell quoting pitfalls (FAQ)
Followup-To: comp.os.misc
Date: 14 Mar 2000 08:12:45 GMT
Organization: Example Users Group
Lines: 120
Message-ID: <abc123@news.example.edu>
Xref: news.example.edu comp.os.misc:4411
 news.answers:9911

Archive-name: shells/quoting

This periodic posting answers the question "Why does my loop break on file names with
spaces?". Quote every expansion that holds a file name.
"""


def test_a_news_posting_is_read_with_its_subject_sender_and_date(tmp_path: Path) -> None:
    path = tmp_path / "quoting-faq.txt"
    path.write_text(POSTING, encoding="utf-8")
    settings = Settings(home=tmp_path / "home", _env_file=None)  # type: ignore[call-arg]

    [(_label, raw)] = list(read_file(path, settings))

    assert isinstance(raw, RawArticle)
    assert raw.title == "Shell quoting pitfalls (FAQ)"
    assert raw.author == "Ada Example"
    assert raw.published == dt.date(2000, 3, 14)
    text = prepare_article(raw).text
    # The fields a reader asks about keep a line each, in a paragraph of their own.
    for line in (
        "From: Ada Example <ada@example.org>",
        "Newsgroups: comp.os.misc,news.answers",
        "Subject: Shell quoting pitfalls (FAQ)",
        "Date: 14 Mar 2000 08:12:45 GMT",
        "Organization: Example Users Group",
    ):
        assert f"\n\n{line}\n\n" in f"\n\n{text}"
    # The routing fields are dropped; the body is kept whole.
    for routing in ("Path:", "Message-ID", "Xref", "news.answers:9911", "Lines: 120"):
        assert routing not in text
    assert text.endswith("Quote every expansion that holds a file name.")
    assert "Archive-name: shells/quoting" in text


def test_a_forwarded_mail_without_an_mbox_line_is_a_message() -> None:
    message = split_message(
        "From: Press Office <press@example.com>\nTo: newsroom@example.org\n"
        "Subject: Bridge reopens on Monday\nDate: Mon, 2 Nov 2026 10:00:00 +0100\n\n"
        "The river bridge reopens to traffic on Monday after two years of repairs.\n"
    )

    assert message is not None
    assert message.subject == "Bridge reopens on Monday"
    assert message.author == "Press Office"
    assert message.body == (
        "The river bridge reopens to traffic on Monday after two years of repairs."
    )


def test_a_message_s_encoded_words_are_decoded() -> None:
    message = split_message(
        "From: =?utf-8?q?Ren=C3=A9e_Dupont?= <renee@example.org>\n"
        "Subject: =?UTF-8?B?Q2Fmw6kgb3BlbnM=?= on the square\n"
        "Date: 2 Nov 2026 10:00:00 +0100\nTo: =?bogus?q?x?= <a@example.org>\n\nBody.\n"
    )

    assert message is not None
    assert message.subject == "Café opens on the square"
    assert message.author == "Renée Dupont"
    assert "Date: 2 Nov 2026 10:00:00 +0100" in message.header  # as written
    assert "To: =?bogus?q?x?= <a@example.org>" in message.header  # undecodable: as written


def test_text_that_only_opens_like_a_header_is_not_a_message() -> None:
    # A memo's heading lines, with no field only a message has; a note that runs on as prose;
    # a first line of prose before any field.
    assert split_message("From: the editors\nSubject: style guide\n\nUse serial commas.\n") is None
    assert (
        split_message(
            "Subject: the tram vote\nFrom: council minutes\nDate: 3 May\n"
            "The council voted 23 to 14 to extend the line.\n"
        )
        is None
    )
    assert split_message("Tram vote passes\nFrom: council\nDate: 3 May\n\nBody.\n") is None


_RELEASE_EML = (
    b"From: Press Office <press@example.com>\r\n"
    b"To: newsroom@example.org\r\n"
    b"Subject: =?utf-8?q?Caf=C3=A9_on_the_bridge_reopens?=\r\n"
    b"Date: Tue, 3 Nov 2026 09:15:00 +0100\r\n"
    b"Message-ID: <r1@example.com>\r\n"
    b"MIME-Version: 1.0\r\n"
    b'Content-Type: multipart/alternative; boundary="b1"\r\n\r\n'
    b"--b1\r\n"
    b'Content-Type: text/plain; charset="iso-8859-1"\r\n'
    b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    b"The caf=E9 on the river bridge reopens on Monday after two years of =\r\n"
    b"repairs, the council said.\r\n"
    b"--b1\r\n"
    b'Content-Type: text/html; charset="utf-8"\r\n\r\n'
    b"<p>The HTML copy of the release.</p>\r\n"
    b"--b1--\r\n"
)

_HTML_ONLY_EML = (
    b"From: Press Office <press@example.com>\r\nSubject: Tram line opens\r\n"
    b"Date: Wed, 4 Nov 2026 08:00:00 +0000\r\nMIME-Version: 1.0\r\n"
    b'Content-Type: text/html; charset="utf-8"\r\n\r\n'
    b"<html><body><h1>Tram line opens</h1><p>The new tram line carries its first passengers "
    b"on Saturday morning, with trams every eight minutes until midnight.</p>"
    b"<h2>Fares</h2><p>A single ride costs two euros, as on the buses.</p></body></html>\r\n"
)

_ATTACHMENT_ONLY_EML = (
    b"From: a@example.com\r\nSubject: Scan\r\nDate: Wed, 4 Nov 2026 08:00:00 +0000\r\n"
    b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b2"\r\n\r\n'
    b"--b2\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
    b'Content-Disposition: attachment; filename="scan.pdf"\r\n\r\nJVBERi0xLjQK\r\n--b2--\r\n'
)


def _read_eml(tmp_path: Path, data: bytes) -> RawArticle | IngestError:
    path = tmp_path / "message.eml"
    path.write_bytes(data)
    settings = Settings(home=tmp_path / "home", _env_file=None)  # type: ignore[call-arg]
    [(_label, result)] = list(read_file(path, settings))
    return result


def test_an_eml_file_is_read_by_its_text_part_with_its_charset(tmp_path: Path) -> None:
    raw = _read_eml(tmp_path, _RELEASE_EML)

    assert isinstance(raw, RawArticle)
    assert raw.title == "Café on the bridge reopens"
    assert raw.author == "Press Office"
    assert raw.published == dt.date(2026, 11, 3)
    text = prepare_article(raw).text
    assert text.startswith("From: Press Office <press@example.com>\n\nTo: newsroom@example.org")
    # Quoted-printable and Latin-1 undone; the soft line break joins the line.
    assert text.endswith(
        "The café on the river bridge reopens on Monday after two years of repairs, the "
        "council said."
    )
    assert "HTML copy" not in text and "Message-ID" not in text and "MIME" not in text


def test_an_eml_file_with_only_html_is_read_as_a_page(tmp_path: Path) -> None:
    raw = _read_eml(tmp_path, _HTML_ONLY_EML)

    assert isinstance(raw, RawArticle)
    article = prepare_article(raw)
    assert article.title == "Tram line opens"
    assert article.published == dt.date(2026, 11, 4)
    assert "A single ride costs two euros, as on the buses." in article.text
    assert "Subject: Tram line opens" in article.text
    assert article.layout is not None
    assert "Fares" in [article.text[s.start : s.end] for s in article.layout]


def test_an_eml_file_without_a_text_part_is_a_clear_error(tmp_path: Path) -> None:
    result = _read_eml(tmp_path, _ATTACHMENT_ONLY_EML)

    assert isinstance(result, IngestError)
    assert str(result) == "the message has no text or HTML part to read"
