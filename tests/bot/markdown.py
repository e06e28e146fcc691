"""Discord's Markdown, as the Discord client renders a message, for the stand-in to read what the
bot sent the way a reader sees it.

The rules follow Discord's parser (simple-markdown with Discord's own rules added): the rule
order, the escape rule (a backslash before anything but a letter, digit or space) and the
inline rules' patterns are simple-markdown's; block rules (headings, subtext, lists, block
quotes) apply at the start of a line. Where Discord is lenient the model is generous: every
``:word:`` is an emoji and every ``@everyone`` a mention, so that text the model calls literal
is literal in Discord too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

# Nodes that are the text itself; every other kind is formatting, a link, a mention...
LITERAL = frozenset({"text", "escape"})


@dataclass
class Node:
    kind: str
    text: str = ""
    children: list[Node] = field(default_factory=list)
    target: str | None = None  # a link's URL, a mention's id

    def plain(self) -> str:
        return self.text if not self.children else plain(self.children)


def plain(nodes: Iterable[Node]) -> str:
    """What a reader sees (and copies): the text without the markup."""
    return "".join(node.plain() for node in nodes)


def kinds(nodes: Iterable[Node]) -> list[str]:
    """Every kind of node in the tree that is not literal text, outermost first."""
    found = []
    for node in nodes:
        if node.kind not in LITERAL:
            found.append(node.kind)
        found.extend(kinds(node.children))
    return found


_LINK_INSIDE = r"(?:\[[^\]]*\]|[^\[\]]|\](?=[^\[]*\]))*"
_LINK_HREF = r"\s*<?((?:\([^)]*\)|[^\s\\]|\\.)*?)>?(?:\s+['\"]([\s\S]*?)['\"])?\s*"

# (kind, pattern, which group is the content to parse further (0 = none), which is the target)
_INLINE: list[tuple[str, re.Pattern[str], int, int]] = [
    (kind, re.compile(pattern), content, target)
    for kind, pattern, content, target in [
        ("escape", r"\\([^0-9A-Za-z\s])", 0, 0),
        ("codeblock", r"```(?:([a-z0-9_+\-.#]+?)\n)?\n*([^\n][\s\S]*?)\n*```", 0, 0),
        ("autolink", r"<([^: >]+:/[^ >]+)>", 0, 1),
        ("url", r"(https?://[^\s<]+[^<.,:;\"')\]\s])", 0, 1),
        ("user_mention", r"<@!?(\d+)>", 0, 1),
        ("role_mention", r"<@&(\d+)>", 0, 1),
        ("channel_mention", r"<#(\d+)>", 0, 1),
        ("command_mention", r"</([^:>]+):(\d+)>", 0, 2),
        ("custom_emoji", r"<a?:(\w+):(\d+)>", 0, 2),
        ("timestamp", r"<t:(-?\d+)(?::[tTdDfFR])?>", 0, 1),
        ("guild_navigation", r"<id:(\w+)>", 0, 1),
        ("everyone_mention", r"@(everyone|here)", 0, 1),
        ("link", r"\[(" + _LINK_INSIDE + r")\]\(" + _LINK_HREF + r"\)", 1, 2),
        ("code", r"(`+)([\s\S]*?[^`])\1(?!`)", 0, 0),
        ("strong", r"\*\*((?:\\[\s\S]|[^\\])+?)\*\*(?!\*)", 1, 0),
        ("underline", r"__((?:\\[\s\S]|[^\\])+?)__(?!_)", 1, 0),
        (
            "em",
            r"\b_((?:__|\\[\s\S]|[^\\_])+?)_\b"
            r"|\*(?=\S)((?:\*\*|\\[\s\S]|\s+(?:\\[\s\S]|[^\s\*\\]|\*\*)|[^\s\*\\])+?)\*(?!\*)",
            -1,
            0,
        ),
        ("strikethrough", r"~~([\s\S]+?)~~(?!_)", 1, 0),
        ("spoiler", r"\|\|([\s\S]+?)\|\|", 1, 0),
        ("emoji", r":([\w+-]+):", 0, 1),
    ]
]
# Block rules, tried where a line starts.
_BLOCK: list[tuple[str, re.Pattern[str]]] = [
    ("blockquote", re.compile(r" *>>> ([\s\S]*)|( *> [^\n]*(?:\n *> [^\n]*)*\n?)")),
    ("heading", re.compile(r"(#{1,3}) +([^\n]+)\n?")),
    ("subtext", re.compile(r"-# +([^\n]+)\n?")),
    ("list", re.compile(r" *(?:[*-]|\d+\.) +([^\n]+)\n?")),
]
# simple-markdown's text rule, which also stops at a line's end so that block rules get a look.
_TEXT = re.compile(r"\n|[\s\S]+?(?=[^0-9A-Za-z\s\u00c0-\uffff]|\n|\w+:\S|$)")


def parse(source: str, *, in_quote: bool = False) -> list[Node]:
    """``source`` as Discord renders it: a list of nodes."""
    nodes: list[Node] = []
    position = 0
    while position < len(source):
        node, position = _next(source, position, in_quote=in_quote)
        if node.kind == "text" and nodes and nodes[-1].kind == "text":
            nodes[-1].text += node.text
        else:
            nodes.append(node)
    return nodes


def _next(source: str, position: int, *, in_quote: bool) -> tuple[Node, int]:
    if position == 0 or source[position - 1] == "\n":
        for kind, pattern in _BLOCK:
            if kind == "blockquote" and in_quote:
                continue  # Discord does not nest block quotes
            match = pattern.match(source, position)
            if match:
                return _block(kind, match), match.end()
    for kind, pattern, content, target in _INLINE:
        match = pattern.match(source, position)
        if not match:
            continue
        if kind == "escape":
            return Node("escape", match.group(1)), match.end()
        if content == -1:
            inner = next(group for group in match.groups() if group is not None)
            children = parse(inner, in_quote=in_quote)
        elif content:
            children = parse(match.group(content), in_quote=in_quote)
        else:
            children = []
        text = match.group(0) if not children else ""
        return Node(kind, text, children, match.group(target) if target else None), match.end()
    match = _TEXT.match(source, position)
    assert match is not None and match.end() > position
    return Node("text", match.group(0)), match.end()


def _block(kind: str, match: re.Match[str]) -> Node:
    if kind == "blockquote":
        if match.group(1) is not None:
            inner = match.group(1)
        else:
            # The line break that ends the quote belongs to no line of it.
            lines = match.group(2).removesuffix("\n")
            inner = re.sub(r"^ *> ", "", lines, flags=re.MULTILINE)
        return Node(kind, children=parse(inner, in_quote=True))
    body = match.group(match.lastindex or 0)
    if kind == "heading":
        body = match.group(2)
    return Node(kind, children=parse(body) or [Node("text", "")])


def render(source: str) -> list[Node]:
    """A message's content or an embed's Markdown slot, as the client shows it (Discord trims
    what is sent at both ends)."""
    return parse(source.strip())
