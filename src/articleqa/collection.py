"""Collections: every article belongs to one, and each has an index of its own.

A collection is a name (``default`` unless one is given). The embedded backend keeps one index
snapshot folder per collection (``paths.HomePaths.index_root``), so building one collection
never reads, embeds or republishes another; the article store keeps every collection's
articles in one table, each row naming its collection.
"""

from __future__ import annotations

import logging
import re

from articleqa.errors import InvalidCollection

logger = logging.getLogger(__name__)

DEFAULT = "default"
NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"
_NAME = re.compile(NAME_PATTERN)


def check_name(name: str | None) -> str:
    """``name`` when it is a valid collection name, ``default`` for None; else
    InvalidCollection."""
    if name is None:
        return DEFAULT
    if not _NAME.fullmatch(name):
        raise InvalidCollection(
            f"invalid collection name {name[:80]!r}: use 1-64 lower-case letters, digits, '-' "
            "or '_', starting with a letter or digit"
        )
    return name
