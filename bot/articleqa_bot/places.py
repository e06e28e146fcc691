"""Which collection each Discord server, or channel, asks and administers.

From the settings (``ARTICLEQA_BOT_COLLECTIONS``: ``{"<guild id>": "name", "<guild id>/<channel
id>": "name"}``) and from ``/collection set`` run by a server's admin for that server, kept in
a small SQLite file when ``ARTICLEQA_BOT_STATE_PATH`` is set (else in memory until a restart).
A channel's own entry wins (a thread follows its parent channel's), then the admin's choice
for the server, then the server's entry in the settings, then ``default``.
"""

from __future__ import annotations

import contextlib
import logging
import re
import sqlite3
from collections.abc import Mapping
from pathlib import Path

from .errors import InvalidInput

logger = logging.getLogger(__name__)

DEFAULT = "default"
# The API's rule for collection names (articleqa.collection.NAME_PATTERN).
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
PLACE = re.compile(r"^\d{1,20}(/\d{1,20})?$")


def check_name(name: str) -> str:
    if not NAME.fullmatch(name):
        raise InvalidInput(
            "A collection name is 1-64 lower-case letters, digits, `-` or `_`, starting with a "
            "letter or digit."
        )
    return name


class CollectionMap:
    """Places (servers, channels) to collections; see the module docstring."""

    def __init__(self, configured: Mapping[str, str], path: Path | None = None) -> None:
        self.configured = dict(configured)
        self.path = path
        self._chosen: dict[int, str] = {}
        if path is not None:
            with contextlib.closing(self._connect()) as db, db:
                db.execute(
                    "CREATE TABLE IF NOT EXISTS guild_collections "
                    "(guild_id INTEGER PRIMARY KEY, collection TEXT NOT NULL)"
                )
                self._chosen = dict(
                    db.execute("SELECT guild_id, collection FROM guild_collections")
                )

    def _connect(self) -> sqlite3.Connection:
        assert self.path is not None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return sqlite3.connect(self.path, timeout=10)

    def for_place(
        self, guild_id: int | None, channel_id: int | None, parent_id: int | None = None
    ) -> str:
        """The collection asked from ``channel_id`` (a thread: ``parent_id`` is its channel)
        in ``guild_id``; direct messages ask ``default``."""
        if guild_id is None:
            return DEFAULT
        for channel in (channel_id, parent_id):
            if channel is not None:
                name = self.configured.get(f"{guild_id}/{channel}")
                if name is not None:
                    return name
        return self._chosen.get(guild_id) or self.configured.get(str(guild_id)) or DEFAULT

    def _owners(self, name: str) -> set[int]:
        """The servers that ask ``name`` by the settings or by an admin's choice."""
        owners = {guild for guild, chosen in self._chosen.items() if chosen == name}
        owners.update(
            int(place.split("/", 1)[0])
            for place, chosen in self.configured.items()
            if chosen == name
        )
        return owners

    def choose(self, guild_id: int, name: str) -> None:
        """An admin of ``guild_id`` makes it ask (and administer) ``name``. Refused for
        ``default`` (shared by every server without a collection of its own) and for a
        collection another server asks: an admin of one server never reaches another's."""
        check_name(name)
        if name == DEFAULT:
            raise InvalidInput(
                "`default` is shared by every server without a collection of its own; pick a "
                "name for this server's collection."
            )
        if self._owners(name) - {guild_id}:
            raise InvalidInput(f"The collection `{name}` belongs to another server.")
        self._chosen[guild_id] = name
        if self.path is not None:
            with contextlib.closing(self._connect()) as db, db:
                db.execute(
                    "INSERT OR REPLACE INTO guild_collections (guild_id, collection) VALUES (?, ?)",
                    (guild_id, name),
                )
        logger.info("server %s now asks collection %s", guild_id, name)

    def collections(self) -> set[str]:
        """Every collection some place asks, ``default`` included."""
        return {DEFAULT, *self.configured.values(), *self._chosen.values()}
