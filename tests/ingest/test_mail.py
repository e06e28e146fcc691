"""Mail and news messages saved as text: the Subject is the title, the sender the author, the
Date header the publication date, and the routing fields are not the article's text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from articleqa.config import Settings
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
