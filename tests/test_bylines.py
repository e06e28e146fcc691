"""Bylines as news sites write them, and prose that merely starts like one."""

from __future__ import annotations

import pytest

from articleqa.bylines import is_byline, signature_author, title_block_author


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
