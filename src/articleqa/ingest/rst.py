"""reStructuredText, parsed by docutils (the reference implementation) and read as HTML."""

from __future__ import annotations

import logging
import re
from typing import Any

from docutils import nodes
from docutils.core import publish_parts
from docutils.parsers.rst import Directive, directives, roles
from docutils.utils import SystemMessage

from articleqa.errors import IngestError
from articleqa.ingest.blocks import (
    article_from_blocks,
    blocks_from_html,
    clean_heading,
    inline_text,
    parse_markup,
    take_title,
)
from articleqa.ingest.core_metadata import split_core_metadata
from articleqa.ingest.dates import parse_date
from articleqa.models import Block, BlockKind, RawArticle

logger = logging.getLogger(__name__)

# Untrusted input: no file inclusion, no raw HTML pass-through, no messages in the output,
# and never stop on a markup error (a document with a typo is still a document).
_SAFE_SETTINGS: dict[str, Any] = {
    "file_insertion_enabled": False,
    "raw_enabled": False,
    "report_level": 5,
    "halt_level": 5,
    "warning_stream": False,
    "input_encoding": "unicode",
    "embed_stylesheet": False,
    "doctitle_xform": True,
    "sectsubtitle_xform": False,
    "syntax_highlight": "none",
}


# Sphinx's roles, which plain docutils does not know: without them ":func:`json.loads`" is
# stored as written, markup and all. Each is read as Sphinx shows it: its title when it has
# one ("the intro" of "the intro <intro>"), a "~"-shortened name as its last part.
_CODE_ROLES = [
    "func",
    "meth",
    "class",
    "mod",
    "attr",
    "data",
    "const",
    "exc",
    "obj",
    "option",
    "envvar",
    "program",
    "command",
    "file",
    "samp",
    "kbd",
    "makevar",
    "token",
    "keyword",
    "macro",
    "member",
    "type",
    "var",
    "struct",
    "enum",
    "union",
    "expr",
]
_TEXT_ROLES = [
    "ref",
    "doc",
    "term",
    "numref",
    "any",
    "download",
    "guilabel",
    "menuselection",
    "dfn",
    "mimetype",
]
_DOMAINS = ("", "py:", "c:", "cpp:", "js:", "std:", "rst:")
_TITLED = re.compile(r"^(?P<title>.*?)\s*<[^<>]*>$", re.DOTALL)


def _shown(text: str) -> str:
    titled = _TITLED.match(text)
    if titled and titled.group("title"):
        return titled.group("title")
    text = text.lstrip("!")
    return text[1:].rsplit(".", 1)[-1] if text.startswith("~") else text


def _role(node: type[nodes.TextElement]) -> Any:
    """A role that shows its text as Sphinx would, in ``node`` (code or plain text)."""

    def role(
        name: str,
        rawtext: str,
        text: str,
        lineno: int,
        inliner: Any,
        options: Any = None,
        content: Any = None,
    ) -> tuple[list[nodes.Node], list[Any]]:
        return [node(rawtext, _shown(text))], []

    return role


for _domain in _DOMAINS:
    for _name in _CODE_ROLES:
        roles.register_local_role(f"{_domain}{_name}", _role(nodes.literal))
    for _name in _TEXT_ROLES:
        roles.register_local_role(f"{_domain}{_name}", _role(nodes.inline))

# A project's own roles (Sphinx's extlinks: ":issue:`533`", ":gh:`12`") are unknown to
# docutils, which stored them as written, markup and all. Each is read as its text; a bare
# number is said with its role's name ("issue 533"), as a number alone names nothing.
_known_role = roles.role


def _unknown_role(name: str) -> Any:
    shown = _role(nodes.inline)

    def role(
        role_name: str, rawtext: str, text: str, *args: Any, **kwargs: Any
    ) -> tuple[list[nodes.Node], list[Any]]:
        if text.strip().isdigit():
            return [nodes.inline(rawtext, f"{name} {text.strip()}")], []
        return shown(role_name, rawtext, text, *args, **kwargs)

    return role


def _any_role(name: str, language: Any, lineno: int, reporter: Any) -> tuple[Any, list[Any]]:
    found, messages = _known_role(name, language, lineno, reporter)
    if found is None:
        return _unknown_role(name.split(":")[-1]), []
    return found, messages


roles.role = _any_role


# Sphinx's directives (and sphinx-design's), which plain docutils does not know: docutils
# drops an unknown directive with everything in it, so a ".. dropdown:: References" block, a
# ".. versionadded:: 2.0" note or an ".. option:: -v" description was lost. Each is read as
# Sphinx shows it: its label and argument as a line of text, then its content.
_LABELLED = {
    "versionadded": "Added in version",
    "versionchanged": "Changed in version",
    "deprecated": "Deprecated since version",
    "versionremoved": "Removed in version",
    "seealso": "See also",
}
_TITLED_BLOCKS = [
    # sphinx-design and sphinx-tabs: the argument is the block's title
    "dropdown", "tab", "tab-item", "card", "grid-item-card", "centered",
    # description directives: the argument is a signature, the content describes it
    "describe", "object", "function", "method", "classmethod", "staticmethod", "attribute",
    "property", "data", "exception", "decorator", "module", "envvar", "option", "cmdoption",
    "confval", "member", "macro", "struct", "enum",
]  # fmt: skip
# Blocks whose argument is not shown (a condition, a layout): their content alone.
_PLAIN_BLOCKS = ["only", "tab-set", "tabs", "grid", "grid-item", "hlist", "glossary", "div"]
# Directives that set no text a reader sees in the page: a table of contents, index
# entries, settings of the build.
_UNSEEN = [
    "toctree", "index", "highlight", "currentmodule", "program", "sectionauthor",
    "codeauthor", "default-domain", "default-role", "tabularcolumns", "autosummary",
    "automodule", "autoclass", "autofunction", "automethod", "autodata", "autoattribute",
    "autoexception", "literalinclude", "plot", "graphviz", "mermaid",
]  # fmt: skip


class _AnyOption(dict[str, Any]):
    """Every option is accepted and ignored: ``:open:``, ``:color: primary``."""

    def __missing__(self, key: str) -> Any:
        return directives.unchanged


class _Shown(Directive):
    """A directive read as its label and argument on a line, then its content."""

    optional_arguments = 1
    final_argument_whitespace = True
    has_content = True
    # Non-empty: docutils reads a directive's options only when it declares some.
    option_spec = _AnyOption(name=directives.unchanged, **{"class": directives.unchanged})
    label = ""

    def title_line(self) -> nodes.paragraph | None:
        title = " ".join(part for part in (self.label, *self.arguments) if part)
        return nodes.paragraph(title, title) if title else None

    def run(self) -> list[nodes.Node]:
        shown = nodes.container()
        if (line := self.title_line()) is not None:
            shown += line
        if self.content:
            self.state.nested_parse(self.content, self.content_offset, shown)
        return [shown]


class _VersionNote(_Shown):
    """ ".. versionadded:: 2.0 The ``as_frame`` parameter.": one line, as Sphinx sets it
    ("Added in version 2.0: The as_frame parameter."), then any content below it."""

    required_arguments = 1
    optional_arguments = 1

    def title_line(self) -> nodes.paragraph:
        line = nodes.paragraph()
        line += nodes.Text(f"{self.label} {self.arguments[0]}")
        if len(self.arguments) > 1:
            said, _messages = self.state.inline_text(self.arguments[1], self.lineno)
            line += [nodes.Text(": "), *said]
        return line


class _Contents(_Shown):
    """A block whose argument is not shown (a condition, a layout): its content alone."""

    def title_line(self) -> None:
        return None


class _Unseen(_Shown):
    def run(self) -> list[nodes.Node]:
        return []


for _domain in _DOMAINS:
    for _name in _TITLED_BLOCKS:
        directives.register_directive(f"{_domain}{_name}", _Shown)
    if _domain:
        # Bare, "class" is docutils' own directive (a class for the next element).
        directives.register_directive(f"{_domain}class", _Shown)
for _name in _PLAIN_BLOCKS:
    directives.register_directive(_name, _Contents)
for _name, _label in _LABELLED.items():
    shown_as = _Shown if _name == "seealso" else _VersionNote
    directives.register_directive(_name, type(f"_{_name}", (shown_as,), {"label": _label}))
for _name in _UNSEEN:
    directives.register_directive(_name, _Unseen)


def read_rst(text: str, source: str | None) -> RawArticle:
    core = split_core_metadata(text)
    if core is not None:
        # A package's METADATA: its fields, then its description (reST here).
        _title, described, _fields = _parsed(core.body) if core.body.strip() else ("", [], {})
        return article_from_blocks(
            core.title,
            [*core.header_blocks(), *described],
            "reStructuredText document",
            source,
            author=core.author,
        )
    title, blocks, fields = _parsed(text, source)
    return article_from_blocks(
        title,
        blocks,
        "reStructuredText document",
        source,
        author=fields.get("author") or None,
        published=parse_date(fields.get("date")),
    )


def _parsed(text: str, source: str | None = None) -> tuple[str, list[Block], dict[str, str]]:
    """A reST document's title, blocks and bibliographic fields."""
    try:
        parts = publish_parts(text, writer="html5", settings_overrides=_SAFE_SETTINGS)
    except (SystemMessage, ValueError, AttributeError, IndexError, RecursionError) as exc:
        raise IngestError(f"cannot parse the reStructuredText document: {exc}") from exc
    blocks = blocks_from_html(parts.get("body", ""))
    # docutils lifts a lone top-level section's title out of the body as the subtitle.
    subtitle = clean_heading(blocks_from_html_text(parts.get("subtitle", "")))
    if subtitle:
        blocks = [Block(BlockKind.HEADING, subtitle, 2), *blocks]
    # docutils gives the title as HTML ("OAuth1 &amp; OAuth2"): read it as the body is read.
    title = clean_heading(blocks_from_html_text(str(parts.get("title") or "")))
    fields = _docinfo(parts.get("docinfo", ""))
    # The fields are the document's own words too ("Maintainer: Robert A. McLeod"): kept as
    # its first paragraph, a line each, as a package's METADATA header is.
    shown = _docinfo_lines(parts.get("docinfo", ""))
    if shown:
        blocks = [Block(BlockKind.TEXT, "\n".join(shown)), *blocks]
    # A page with several top-level sections has no document title; a ":title:" field at its
    # top says it (awscli's topic guides, Sphinx file-wide metadata), as front matter does.
    title = title or clean_heading(fields.get("title", ""))
    if not title:
        title, blocks = take_title(blocks, source)
    return title, blocks, fields


def _docinfo(html: str) -> dict[str, str]:
    """The bibliographic fields (":Author:", ":Date:") docutils read from the top of the
    document: explicit metadata, as front matter is in Markdown."""
    if not html.strip():
        return {}
    root = parse_markup(html)
    return {
        (dd.get("class") or "").split()[0]: inline_text(dd)
        for dd in root.iter("dd")
        if dd.get("class")
    }


def _docinfo_lines(html: str) -> list[str]:
    """The bibliographic fields as "Name: value" lines, those with words in them (a badge's
    image has none) and a name written capitalised: ":Maintainer:" is shown as the page is
    rendered, while Sphinx reads lower-case ones (":title:", ":description:", ":orphan:") as
    the file's metadata and shows none of them."""
    if not html.strip():
        return []
    lines = []
    for dt in parse_markup(html).iter("dt"):
        dd = dt.getnext()
        if dd is None or _tag_name(dd) != "dd":
            continue
        name, value = inline_text(dt).rstrip(":").strip(), inline_text(dd)
        if name[:1].isupper() and value:
            lines.append(f"{name}: {value}")
    return lines


def _tag_name(element: object) -> str:
    tag = getattr(element, "tag", "")
    return tag if isinstance(tag, str) else ""


def blocks_from_html_text(html: str) -> str:
    return " ".join(b.text for b in blocks_from_html(html))
