"""Headings in text without markup: short lines that do not end like sentences."""

from __future__ import annotations

from articleqa.headings import is_heading


def test_a_byline_is_not_a_heading() -> None:
    # A pasted article's "By Marta Kovalenko" was read as a section heading: quotes after it
    # showed "§ By Marta Kovalenko" as their section.
    assert not is_heading("By Marta Kovalenko")
    assert is_heading("Favor for Beijing")
