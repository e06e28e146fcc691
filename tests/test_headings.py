"""Headings in text without markup: short lines that do not end like sentences."""

from __future__ import annotations

from articleqa.headings import is_heading


def test_a_byline_is_not_a_heading() -> None:
    # A pasted article's "By Marta Kovalenko" was read as a section heading: quotes after it
    # showed "§ By Marta Kovalenko" as their section.
    assert not is_heading("By Marta Kovalenko")
    assert is_heading("Favor for Beijing")


def test_a_line_with_an_e_mail_address_is_not_a_heading() -> None:
    # chrony's README lists its authors as "Richard P. Curnow <rc@rc0.org.uk>": as headings,
    # "Who is an author of chrony?" could not quote them.
    assert not is_heading("Richard P. Curnow <rc@example.org>")
    assert is_heading("Richard P. Curnow")


def test_a_line_with_a_web_address_is_not_a_heading() -> None:
    # leafnode's NEWS: "See its home page, https://github.com/PhilipHazel/pcre2" inside a
    # release's notes is where to look, not a section.
    assert not is_heading("See its home page, https://example.org/pcre2")
    assert is_heading("See its home page")


def test_a_line_with_a_path_on_disk_is_not_a_heading() -> None:
    # Pure-FTPd's README.TLS quotes its configuration, "CertFile    /etc/ssl/private/pure-ftpd.pem"
    # over "or": as a heading, the default certificate's place was asked of every passage
    # under it and its own sentence lost to them.
    assert not is_heading("CertFile /etc/ssl/private/pure-ftpd.pem or")
    assert not is_heading("Put it in ~/.config/tool/")
    assert is_heading("CertFile and its key")
    assert is_heading("Read/write access")  # a slash between words is no path
