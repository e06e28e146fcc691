"""Bylines as news sites write them, and prose that merely starts like one."""

from __future__ import annotations

import datetime as dt

import pytest

from articleqa.bylines import is_byline, says_date, signature_author, title_block_author


@pytest.mark.parametrize(
    "line",
    [
        "By Eric Bradner, CNN - Updated 10:53 AM EST, Sun December 18, 2016",
        "by Jake Goulding",
        "By LYNNE O'DONNELL, Associated Press - Jun 13, 4:03 PM EDT",
        "Tom Bennett - Business - Nov 7, 2023 2:00 AM",
        "By Jill Serjeant 4 Min Read",
        "Written by Ian A. Murdock Revised 01/06/94",
        "Posted by Jane Doe",
    ],
)
def test_bylines_as_news_sites_write_them(line: str) -> None:
    assert is_byline(line)


def test_prose_is_not_a_byline_and_the_author_alone_on_a_line_is() -> None:
    assert not is_byline("By Monday, the council had voted.")
    assert not is_byline("By the time the ministry published its figures")
    assert not is_byline("Written by hand, the letters were kept.")
    assert not is_byline("Written in C")
    assert not is_byline("Jessica Rudder")
    assert is_byline("Jessica Rudder", author="Jessica Rudder")


def test_a_signature_under_a_dash_line_at_the_end_names_its_writer() -> None:
    assert signature_author("Text.\n\n--\nRichard Levitte") == "Richard Levitte"
    assert signature_author("Text.\n\n-- \nJane Doe <jane@example.org>\nhttps://x.org\n") == (
        "Jane Doe"
    )
    # Only at the end, under its own "--" line, and a name.
    assert signature_author("--\nRichard Levitte\n\n" + "More text. " * 60) is None
    assert signature_author("The range is 1 --\n5 and more.") is None
    assert signature_author("Text.\n\n--\nthanks to everyone") is None


def test_a_title_block_names_its_author_by_a_name_in_the_mail_address_below_it() -> None:
    # The X DPMS extension's specification: "Rob Lembree", his company, then his address.
    block = (
        "DPMS Extension Protocol Specification\n\nX Project Team Standard\n\nRob Lembree\n\n"
        "Digital Equipment Corporation\n<lembree@zk3.dec.com>\n\nVersion 1.0\n\nText."
    )
    assert title_block_author(block) == "Rob Lembree"
    assert title_block_author("Notes\n\nRichard Levitte <levitte@openssl.org>\n") == (
        "Richard Levitte"
    )
    # An address that is no one's in the block names no author.
    assert title_block_author("Notes\n\nX Project Team\n\nWrite to <info@example.org>.") is None
    assert title_block_author("Text.\n" * 200 + "Rob Lembree\n<lembree@zk3.dec.com>\n") is None


def test_a_dateline_writes_the_day_by_its_numbers_or_its_month_s_name() -> None:
    day = dt.date(1992, 6, 16)
    assert says_date("Date: Tue, 16 Jun 1992 17:05:23 +0200", day)
    assert says_date("Posted June 16th, 1992 by Steven", day)
    assert says_date("1992-06-16", day)
    assert says_date("Last updated 1992/06/16", day)
    # Another day, month or year; a time of day is not a day of the month.
    assert not says_date("Date: Tue, 16 Jul 1992", day)
    assert not says_date("Date: Wed, 17 Jun 1992", day)
    assert not says_date("16 Jun 1993", day)
    assert not says_date("At 16:05 in Jun 1992", day)
    # A paragraph that names the day is not a dateline.
    assert not says_date("On 16 June 1992 " + "the council met and talked at length. " * 5, day)
