"""Lenient parsing of publication dates found in front matter, JSON and HTML metadata."""

from __future__ import annotations

import datetime as dt
from email.utils import parsedate_to_datetime
from typing import Any


def parse_date(value: Any) -> dt.date | None:
    """A date from a date, datetime, ISO string or RFC 2822 string; None when unparseable."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError):
        return None
