"""A small stand-in for Discord on 127.0.0.1: REST under /api/v10 and the gateway websocket.

The real discord.py client logs in, syncs commands and answers interactions against it; tests
play users by dispatching gateway events and read what the bot sent from ``requests``.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import itertools
import json
import logging
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import discord
import discord.gateway
import discord.http
import yarl
from aiohttp import WSMsgType, web

from . import markdown

logger = logging.getLogger(__name__)

MANAGE_GUILD = 1 << 5
MESSAGE_CONTENT = 1 << 15
EPHEMERAL = 1 << 6
API_PREFIX = "/api/v10"
ADMIN_ROLE_ID = "1199999999999999999"

_snowflakes = itertools.count(1_200_000_000_000_000_000)


def snowflake() -> str:
    return str(next(_snowflakes))


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    json: Any

    def matches(self, method: str, pattern: str) -> bool:
        return self.method == method and re.fullmatch(pattern, self.path) is not None


@dataclass
class User:
    id: str
    username: str
    bot: bool = False

    def payload(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "username": self.username,
            "global_name": self.username,
            "discriminator": "0",
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
        }


@dataclass
class SentMessage:
    """A message the bot created or changed (channel message, interaction response, follow-up
    or edit). An edit is recorded again under the id of the message it changes."""

    id: str
    channel_id: str
    payload: dict[str, Any]
    ephemeral: bool
    kind: str  # "channel", "callback", "followup", "edit"
    recipient: str | None = None  # the one user who sees an ephemeral message
    loading: bool = False  # a deferral's "thinking…" message

    def rendered(self) -> list[markdown.Node]:
        """The content as Discord's client shows it."""
        return markdown.render(self.payload.get("content") or "")

    def rendered_embeds(self) -> list[dict[str, Any]]:
        """Each embed's Markdown slots as rendered nodes; plain-text slots as they are."""
        shown = []
        for embed in self.payload.get("embeds") or []:
            shown.append(
                {
                    "title": markdown.render(embed.get("title") or ""),
                    "description": markdown.render(embed.get("description") or ""),
                    "fields": [
                        (markdown.render(f["name"]), markdown.render(f["value"]))
                        for f in embed.get("fields") or []
                    ],
                    "footer": (embed.get("footer") or {}).get("text", ""),
                    "author": (embed.get("author") or {}).get("name", ""),
                }
            )
        return shown


@dataclass
class Interaction:
    id: str
    token: str


@dataclass
class InteractionState:
    """What Discord remembers of an interaction: who ran it and its original response."""

    user_id: str
    message_id: str | None = None  # the message a clicked component is on
    original: SentMessage | None = None


def pings(body: dict[str, Any]) -> set[str]:
    """Whom a message notifies, by Discord's rules: the mentions in its content that
    allowed_mentions lets through, and the replied-to author unless replied_user is false.

    Backslashes are ignored on purpose: the bot must not rely on escaping to stop pings.
    """
    content = (body.get("content") or "").replace("\\", "")
    allowed = body.get("allowed_mentions")
    parse = {"users", "roles", "everyone"} if allowed is None else set(allowed.get("parse") or [])
    pinged = set()
    for user in re.findall(r"<@!?(\d+)>", content):
        if "users" in parse or user in (allowed or {}).get("users", []):
            pinged.add(f"user:{user}")
    for role in re.findall(r"<@&(\d+)>", content):
        if "roles" in parse or role in (allowed or {}).get("roles", []):
            pinged.add(f"role:{role}")
    if "everyone" in parse:
        pinged.update(f"@{group}" for group in re.findall(r"@(everyone|here)", content))
    if body.get("message_reference") and (allowed is None or allowed.get("replied_user")):
        pinged.add("replied user")
    return pinged


@dataclass
class FakeDiscord:
    """Discord as far as this bot needs it. Use as ``async with FakeDiscord() as discord_``."""

    bot_user: User = field(default_factory=lambda: User(snowflake(), "articleqa", bot=True))
    application_id: str = field(default_factory=snowflake)
    guild_id: str = field(default_factory=snowflake)
    channel_id: str = field(default_factory=snowflake)
    admin_role_id: str = ADMIN_ROLE_ID
    bot_role_id: str = field(default_factory=snowflake)
    attachments: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    messages: list[SentMessage] = field(default_factory=list)
    interactions: dict[str, InteractionState] = field(default_factory=dict)
    deleted: set[str] = field(default_factory=set)
    reactions: list[tuple[str, str]] = field(default_factory=list)  # (message id, emoji)
    commands: dict[str, dict[str, Any]] = field(default_factory=dict)
    identified: asyncio.Event = field(default_factory=asyncio.Event)
    refuse_command_sync: bool = False
    reject_token: bool = False
    refuse_message_content: bool = False
    # More servers the bot is in, each (guild id, its one channel's id): see ``add_guild``.
    other_guilds: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.url = ""
        self._runner: web.AppRunner | None = None
        self._sockets: list[web.WebSocketResponse] = []
        self._sequence = 0
        self._changed = asyncio.Condition()
        self._saved_base = discord.http.Route.BASE
        self._saved_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY

    # lifecycle -------------------------------------------------------------------------------

    async def __aenter__(self) -> FakeDiscord:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/attachments/{name}", self._attachment)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        discord.http.Route.BASE = self.url + API_PREFIX
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(
            f"ws://127.0.0.1:{port}/gateway"
        )
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        discord.http.Route.BASE = self._saved_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = self._saved_gateway
        for socket in list(self._sockets):
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def gateway_connections(self) -> int:
        return sum(not socket.closed for socket in self._sockets)

    # users' side -----------------------------------------------------------------------------

    def member(
        self, user: User, *, admin: bool = False, roles: list[str] | None = None
    ) -> dict[str, Any]:
        return {
            "user": user.payload(),
            "roles": roles or [],
            "joined_at": _now(),
            "deaf": False,
            "mute": False,
            "flags": 0,
            "permissions": str(MANAGE_GUILD if admin else 0),
        }

    def add_guild(self) -> tuple[str, str]:
        """Another server with one text channel, known to the bot from its next login (call it
        before the bot connects); ``slash(..., guild=...)`` runs a command there."""
        place = (snowflake(), snowflake())
        self.other_guilds.append(place)
        return place

    def channel_payload(
        self, guild_id: str | None = None, channel_id: str | None = None
    ) -> dict[str, Any]:
        return {
            "id": channel_id or self.channel_id,
            "type": 0,
            "guild_id": guild_id or self.guild_id,
            "name": "general",
            "position": 0,
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
        }

    def add_attachment(self, filename: str, data: bytes, content_type: str) -> dict[str, Any]:
        attachment_id = snowflake()
        name = f"{attachment_id}-{filename}"
        self.attachments[name] = (data, content_type)
        url = f"{self.url}/attachments/{name}"
        return {
            "id": attachment_id,
            "filename": filename,
            "size": len(data),
            "url": url,
            "proxy_url": url,
            "content_type": content_type,
        }

    async def slash(
        self,
        name: str,
        options: list[dict[str, Any]] | None = None,
        *,
        user: User,
        admin: bool = False,
        roles: list[str] | None = None,
        resolved: dict[str, Any] | None = None,
        guild: tuple[str, str] | None = None,
    ) -> Interaction:
        """A user runs ``/name``; ``options`` as Discord sends them (subcommands nested);
        in ``guild`` (a server from ``add_guild`` and its channel), else the first server."""
        command = self.commands.get(name)
        data: dict[str, Any] = {
            "id": command["id"] if command else snowflake(),
            "name": name,
            "type": 1,
            "options": options or [],
        }
        if command and command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        if resolved:
            data["resolved"] = resolved
        return await self._interaction(2, data, user=user, admin=admin, roles=roles, guild=guild)

    async def autocomplete(
        self, name: str, options: list[dict[str, Any]], *, user: User
    ) -> Interaction:
        """A user is typing an option of ``/name``; the option being typed has ``focused``."""
        command = self.commands[name]
        data = {"id": command["id"], "name": name, "type": 1, "options": options}
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        return await self._interaction(4, data, user=user)

    async def callback_of(self, interaction: Interaction) -> dict[str, Any]:
        """The body of the bot's response to ``interaction`` (waits for it)."""
        record: Recorded = await self.wait_for(
            lambda standin: next(
                (r for r in standin.requests_to("POST", rf"/interactions/{interaction.id}/.+")),
                None,
            )
        )
        body: dict[str, Any] = record.json
        return body

    async def click(self, message: SentMessage, custom_id: str, *, user: User) -> Interaction:
        data = {"custom_id": custom_id, "component_type": 2}
        return await self._interaction(3, data, user=user, message=message.payload)

    async def _interaction(
        self,
        kind: int,
        data: dict[str, Any],
        *,
        user: User,
        admin: bool = False,
        roles: list[str] | None = None,
        message: dict[str, Any] | None = None,
        guild: tuple[str, str] | None = None,
    ) -> Interaction:
        guild_id, channel_id = guild or (self.guild_id, self.channel_id)
        interaction = Interaction(id=snowflake(), token=f"token-{snowflake()}")
        self.interactions[interaction.token] = InteractionState(
            user.id, message_id=message["id"] if message is not None else None
        )
        payload: dict[str, Any] = {
            "id": interaction.id,
            "application_id": self.application_id,
            "type": kind,
            "token": interaction.token,
            "version": 1,
            "guild_id": guild_id,
            "channel_id": channel_id,
            "channel": self.channel_payload(guild_id, channel_id),
            "member": self.member(user, admin=admin, roles=roles),
            "data": data,
            "locale": "en-US",
            "guild_locale": "en-US",
            "app_permissions": str((1 << 53) - 1),
            "entitlements": [],
            "authorizing_integration_owners": {"0": guild_id},
            "context": 0,
            "attachment_size_limit": 8 * 1024 * 1024,
        }
        if message is not None:
            payload["message"] = message
        await self.dispatch("INTERACTION_CREATE", payload)
        return interaction

    async def say(
        self,
        content: str,
        *,
        user: User,
        mention_bot: bool = False,
        mention_bot_role: bool = False,
        reply_to: SentMessage | None = None,
        channel_id: str | None = None,
    ) -> dict[str, Any]:
        """A user posts ``content`` in the channel, or in a thread of it (mentioning the bot,
        its managed role, or replying to one of its messages)."""
        mentions = [self.bot_user.payload()] if mention_bot else []
        if mention_bot:
            content = f"<@{self.bot_user.id}> {content}"
        if mention_bot_role:
            content = f"<@&{self.bot_role_id}> {content}"
        message = self.message_payload(channel_id or self.channel_id, content=content, author=user)
        message["mentions"] = mentions
        message["mention_roles"] = [self.bot_role_id] if mention_bot_role else []
        message["member"] = {k: v for k, v in self.member(user).items() if k != "user"}
        if reply_to is not None:
            message["type"] = 19
            message["message_reference"] = {
                "message_id": reply_to.id,
                "channel_id": reply_to.channel_id,
                "guild_id": self.guild_id,
            }
            message["referenced_message"] = reply_to.payload
        await self.dispatch("MESSAGE_CREATE", message)
        return message

    # what the bot sent -----------------------------------------------------------------------

    async def wait_for(
        self, predicate: Callable[[FakeDiscord], Any], *, timeout: float = 30.0
    ) -> Any:
        """Wait until ``predicate`` returns something truthy and return it."""
        async with asyncio.timeout(timeout), self._changed:
            while not (result := predicate(self)):
                await self._changed.wait()
            return result

    async def wait_for_message(
        self, predicate: Callable[[SentMessage], bool], *, timeout: float = 30.0
    ) -> SentMessage:
        def find(standin: FakeDiscord) -> SentMessage | None:
            return next((message for message in standin.messages if predicate(message)), None)

        result: SentMessage = await self.wait_for(find, timeout=timeout)
        return result

    async def reply_to(self, interaction: Interaction) -> SentMessage:
        """The first message the bot produced for ``interaction`` that carries content or embeds
        (a deferral alone does not count)."""

        def produced(message: SentMessage) -> bool:
            return interaction.token in message.payload.get("_tokens", ()) and bool(
                message.payload.get("content") or message.payload.get("embeds")
            )

        return await self.wait_for_message(produced)

    def sent_for(self, interaction: Interaction) -> list[SentMessage]:
        return [m for m in self.messages if interaction.token in m.payload.get("_tokens", ())]

    def requests_to(self, method: str, pattern: str) -> list[Recorded]:
        return [r for r in self.requests if r.matches(method, pattern)]

    def latest(self, message_id: str) -> SentMessage | None:
        """The message as it is now (after its edits)."""
        return next((m for m in reversed(self.messages) if m.id == message_id), None)

    def visible_to(self, user: User) -> list[SentMessage]:
        """What ``user`` sees of the bot's messages now: the public ones and their own
        ephemeral ones, as last edited, minus the deleted."""
        seen: dict[str, SentMessage] = {}
        for message in self.messages:
            seen[message.id] = message
        return [
            message
            for message in seen.values()
            if message.id not in self.deleted
            and (not message.ephemeral or message.recipient == user.id)
        ]

    # gateway ---------------------------------------------------------------------------------

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        await self.identified.wait()
        self._sequence += 1
        frame = {"op": 0, "t": event, "s": self._sequence, "d": data}
        for socket in list(self._sockets):
            if not socket.closed:
                await socket.send_str(json.dumps(frame))

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse(autoping=True)
        await socket.prepare(request)
        self._sockets.append(socket)
        # discord.py asks for zlib-stream but always accepts plain text frames.
        await socket.send_json({"op": 10, "d": {"heartbeat_interval": 41_250}})
        try:
            async for frame in socket:
                if frame.type != WSMsgType.TEXT:
                    continue
                message = json.loads(frame.data)
                op = message.get("op")
                if op == 1:
                    await socket.send_json({"op": 11})
                elif op == 2:
                    intents = int(message["d"].get("intents", 0))
                    if self.refuse_message_content and intents & MESSAGE_CONTENT:
                        # What Discord does when the portal hasn't enabled the intent.
                        await socket.close(code=4014, message=b"Disallowed intent(s).")
                        break
                    await self._ready(socket)
                elif op == 6:
                    self._sequence += 1
                    await socket.send_json({"op": 0, "t": "RESUMED", "s": self._sequence, "d": {}})
        finally:
            self._sockets.remove(socket)
        return socket

    async def _ready(self, socket: web.WebSocketResponse) -> None:
        self._sequence += 1
        await socket.send_json(
            {
                "op": 0,
                "t": "READY",
                "s": self._sequence,
                "d": {
                    "v": 10,
                    "user": self.bot_user.payload(),
                    "guilds": [
                        {"id": guild, "unavailable": True}
                        for guild, _ in [(self.guild_id, self.channel_id), *self.other_guilds]
                    ],
                    "session_id": "standin-session",
                    "resume_gateway_url": self.url.replace("http://", "ws://") + "/gateway",
                    "application": {"id": self.application_id, "flags": 0},
                },
            }
        )
        for guild_id, channel_id in [(self.guild_id, self.channel_id), *self.other_guilds]:
            self._sequence += 1
            await socket.send_json(
                {
                    "op": 0,
                    "t": "GUILD_CREATE",
                    "s": self._sequence,
                    "d": self._guild(guild_id, channel_id),
                }
            )
        self.identified.set()

    def _guild(self, guild_id: str, channel_id: str) -> dict[str, Any]:
        role = {
            "id": guild_id,  # @everyone shares the guild's id
            "name": "@everyone",
            "permissions": "0",
            "position": 0,
            "color": 0,
            "hoist": False,
            "managed": False,
            "mentionable": False,
            "flags": 0,
        }
        admin_role = {**role, "id": self.admin_role_id, "name": "librarian", "position": 1}
        bot_role = {
            **role,
            "id": self.bot_role_id,
            "name": self.bot_user.username,
            "position": 2,
            "managed": True,
            "tags": {"bot_id": self.bot_user.id},
        }
        return {
            "id": guild_id,
            "name": "Stand-in server",
            "icon": None,
            "owner_id": snowflake(),
            "roles": [role, admin_role, bot_role],
            "channels": [self.channel_payload(guild_id, channel_id)],
            "threads": [],
            "members": [self.member(self.bot_user)],
            "member_count": 3,
            "emojis": [],
            "stickers": [],
            "features": [],
            "large": False,
            "unavailable": False,
            "joined_at": _now(),
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "premium_tier": 0,
            "preferred_locale": "en-US",
            "nsfw_level": 0,
            "voice_states": [],
            "presences": [],
        }

    # REST ------------------------------------------------------------------------------------

    def message_payload(
        self, channel_id: str, *, content: str = "", author: User | None = None, **extra: Any
    ) -> dict[str, Any]:
        return {
            "id": snowflake(),
            "channel_id": channel_id,
            "guild_id": self.guild_id,
            "author": (author or self.bot_user).payload(),
            "content": content,
            "timestamp": _now(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "components": [],
            "pinned": False,
            "type": 0,
            "flags": 0,
            **extra,
        }

    async def _attachment(self, request: web.Request) -> web.Response:
        found = self.attachments.get(request.match_info["name"])
        if found is None:
            return web.Response(status=404)
        data, content_type = found
        return web.Response(body=data, headers={"Content-Type": content_type})

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        body: Any = None
        if request.can_read_body:
            if request.content_type == "application/json":
                body = await request.json()
            elif request.content_type.startswith("multipart/"):
                form = await request.post()
                payload = form.get("payload_json")
                body = json.loads(str(payload)) if payload is not None else None
        record = Recorded(request.method, path, dict(request.query), dict(request.headers), body)
        try:
            status, answer = self._route(record)
        except LookupError:
            logger.warning("stand-in has no route for %s %s", request.method, path)
            status, answer = 404, {"message": "Unknown route", "code": 0}
        async with self._changed:
            self.requests.append(record)
            self._changed.notify_all()
        if answer is None:
            return web.Response(status=status)
        # Exactly "application/json": discord.py only decodes that (no charset suffix).
        return web.Response(
            status=status,
            body=json.dumps(answer).encode(),
            headers={"Content-Type": "application/json"},
        )

    def _record_message(
        self,
        channel_id: str,
        body: dict[str, Any],
        *,
        kind: str,
        token: str | None = None,
        edits: SentMessage | None = None,
        loading: bool = False,
    ) -> dict[str, Any]:
        """Record a new message, or an edit of ``edits``, which keeps its id and visibility."""
        payload = self.message_payload(
            channel_id,
            content=body.get("content") or "",
            embeds=body.get("embeds") or [],
            components=body.get("components") or [],
            flags=body.get("flags") or 0,
            allowed_mentions=body.get("allowed_mentions"),
        )
        state = self.interactions.get(token) if token is not None else None
        if token is not None:
            payload["webhook_id"] = self.application_id
            payload["_tokens"] = [token]
        if body.get("message_reference"):
            payload["message_reference"] = body["message_reference"]
        ephemeral = bool((body.get("flags") or 0) & EPHEMERAL)
        recipient = state.user_id if state is not None and ephemeral else None
        if edits is not None:
            payload["id"], ephemeral, recipient = edits.id, edits.ephemeral, edits.recipient
        message = SentMessage(
            payload["id"], channel_id, payload, ephemeral, kind, recipient, loading=loading
        )
        self.messages.append(message)
        return payload

    def _original(self, token: str) -> SentMessage:
        state = self.interactions[token]
        assert state.original is not None, "no response to this interaction yet"
        latest = self.latest(state.original.id)
        assert latest is not None
        return latest

    def _followup(self, token: str, body: dict[str, Any]) -> dict[str, Any]:
        """Discord's rule: the first follow-up after a deferral fills in the "thinking…"
        message and so takes the deferral's visibility, whatever its own flags say; later
        follow-ups are new messages."""
        state = self.interactions.get(token)
        original = self._original(token) if state and state.original else None
        if original is not None and original.loading and original.id not in self.deleted:
            return self._record_message(
                original.channel_id, body, kind="followup", token=token, edits=original
            )
        return self._record_message(self.channel_id, body, kind="followup", token=token)

    def _route(self, record: Recorded) -> tuple[int, Any]:
        method, path, body = record.method, record.path, record.json or {}
        app = self.application_id
        if method == "GET" and path == "/users/@me":
            if self.reject_token:
                return 401, {"message": "401: Unauthorized", "code": 0}
            return 200, self.bot_user.payload()
        if method == "GET" and path == "/oauth2/applications/@me":
            return 200, {
                "id": app,
                "name": "articleqa",
                "icon": None,
                "description": "",
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": User(snowflake(), "owner").payload(),
                "verify_key": "0" * 64,
                "flags": 0,
                "team": None,
                "summary": "",
            }
        match = re.fullmatch(rf"/applications/{app}(?:/guilds/(\d+))?/commands", path)
        if method == "PUT" and match and self.refuse_command_sync:
            return 403, {"message": "Missing Access", "code": 50001}
        if method == "PUT" and match:
            synced = []
            for command in body:
                command = {
                    "id": snowflake(),
                    "application_id": app,
                    "version": snowflake(),
                    "type": command.get("type", 1),
                    "default_member_permissions": None,
                    "dm_permission": True,
                    "nsfw": False,
                    **command,
                }
                if match.group(1):
                    command["guild_id"] = match.group(1)
                self.commands[command["name"]] = command
                synced.append(command)
            return 200, synced
        match = re.fullmatch(r"/interactions/(\d+)/([^/]+)/callback", path)
        if method == "POST" and match:
            kind = body.get("type")
            data = body.get("data") or {}
            token = match.group(2)
            response: dict[str, Any] = {
                "interaction": {
                    "id": match.group(1),
                    "type": 2,
                    "response_message_loading": kind == 5,
                    "response_message_ephemeral": bool((data.get("flags") or 0) & EPHEMERAL),
                }
            }
            state = self.interactions.get(token)
            if kind in (4, 5) and state is not None:
                message = self._record_message(
                    self.channel_id, data, kind="callback", token=token, loading=kind == 5
                )
                state.original = self.latest(message["id"])
                response["resource"] = {"type": kind, "message": message}
            elif kind == 7 and state is not None:
                # "Update message": an edit of the message the clicked component is on.
                clicked = self.latest(state.message_id or "")
                message = self._record_message(
                    self.channel_id, data, kind="callback", token=token, edits=clicked
                )
                response["resource"] = {"type": kind, "message": message}
            return 200, response
        match = re.fullmatch(rf"/webhooks/{app}/([^/]+)", path)
        if method == "POST" and match:
            return 200, self._followup(match.group(1), body)
        match = re.fullmatch(rf"/webhooks/{app}/([^/]+)/messages/([^/]+)", path)
        if match:
            token, target = match.groups()
            edited = self._original(token) if target == "@original" else self.latest(target)
            assert edited is not None
            if method == "DELETE":
                self.deleted.add(edited.id)
                return 204, None
            if method == "PATCH":
                return 200, self._record_message(
                    edited.channel_id, body, kind="edit", token=token, edits=edited
                )
        match = re.fullmatch(r"/channels/(\d+)/messages", path)
        if method == "POST" and match:
            return 200, self._record_message(match.group(1), body, kind="channel")
        match = re.fullmatch(r"/channels/(\d+)/messages/(\d+)", path)
        if method == "PATCH" and match:
            edits = self.latest(match.group(2))
            return 200, self._record_message(match.group(1), body, kind="edit", edits=edits)
        if method == "DELETE" and match:
            self.deleted.add(match.group(2))
            return 204, None
        match = re.fullmatch(r"/channels/(\d+)/messages/(\d+)/reactions/([^/]+)/@me", path)
        if method == "PUT" and match:
            self.reactions.append((match.group(2), unquote(match.group(3))))
            return 204, None
        if method == "POST" and re.fullmatch(r"/channels/\d+/typing", path):
            return 204, None
        match = re.fullmatch(r"/channels/(\d+)/messages/(\d+)/threads", path)
        if method == "POST" and match:
            return 201, {
                "id": match.group(2),  # a thread started from a message shares its id
                "type": 11,
                "guild_id": self.guild_id,
                "parent_id": match.group(1),
                "owner_id": self.bot_user.id,
                "name": body.get("name", "thread"),
                "message_count": 0,
                "member_count": 1,
                "rate_limit_per_user": 0,
                "thread_metadata": {
                    "archived": False,
                    "auto_archive_duration": body.get("auto_archive_duration", 1440),
                    "archive_timestamp": _now(),
                    "locked": False,
                },
            }
        raise LookupError(path)


@contextlib.asynccontextmanager
async def running_bot(bot: discord.Client, token: str = "standin-token") -> AsyncIterator[None]:
    """Start ``bot`` against the patched endpoints, wait until ready, and close it afterwards
    (before the stand-in stops, or discord.py keeps reconnecting)."""
    task = asyncio.create_task(bot.start(token))
    ready = asyncio.create_task(bot.wait_until_ready())
    done, _ = await asyncio.wait({task, ready}, timeout=30, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        ready.cancel()
        task.result()  # re-raises the login/connection error
        raise RuntimeError("bot stopped before it was ready")
    if ready not in done:
        ready.cancel()
        await bot.close()
        task.cancel()
        raise TimeoutError("bot did not become ready")
    try:
        yield
    finally:
        await bot.close()
        with contextlib.suppress(asyncio.CancelledError):
            await task
