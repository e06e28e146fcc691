"""MyST, the Markdown dialect of Sphinx documentation: ```{directive} fences and {role}`text`.

CommonMark reads a directive as a code block ("```{versionadded} 10.0" quoted as code) and a
role as literal braces ("{ref}pip freeze"). They are rewritten into the plain Markdown Sphinx
would render them as, before parsing: admonitions become their title and body, version notes
their sentence ("New in version 10.0."), code directives code, and directives that include
files or raw output are dropped (nothing is read from outside the document).
"""

from __future__ import annotations

import re

# A role, or a plain code span scanned past whole: "`{venv}`" is code holding braces, and
# the braces must not start a role that runs to the next code span's backtick.
_ROLE = re.compile(r"(?P<role>\{[\w:.+-]+\})?(?P<ticks>`+)(?P<content>.+?)(?P=ticks)")
_LABELLED = re.compile(r"^(.*?)\s*<[^<>]+>$", re.DOTALL)
_CODE_ROLES = frozenset(
    {"file", "command", "envvar", "option", "kbd", "samp", "code", "program", "makevar"}
)
_FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,}|:{3,})\{(?P<name>[\w:.-]+)\}[ \t]*(?P<arg>.*)$")
# Directives whose argument is their label, shown as the title of their box or tab:
# "{tab} MacOS" is the tab a reader clicks to see the macOS path, not a "Tab".
_LABELLED_BY_ARGUMENT = frozenset(
    {"admonition", "tab", "tab-item", "dropdown", "card", "grid-item-card", "topic", "sidebar"}
)
_OPTION = re.compile(r"^:[\w-]+:.*$")
# "(repeatability)=", "(vcs support)=": a label for links to here.
_TARGET = re.compile(r"^\([\w:. -]+\)=\s*$")
_CODE_DIRECTIVES = frozenset({"code-block", "code", "sourcecode", "code-cell", "literal"})
_VERSION_NOTES = {
    "versionadded": "New in version",
    "versionchanged": "Changed in version",
    "deprecated": "Deprecated since version",
    "versionremoved": "Removed in version",
}
_DROPPED = frozenset(
    {
        "toctree",
        "contents",
        "include",
        "literalinclude",
        "image",
        "figure",
        "raw",
        "eval-rst",
        "automodule",
        "autoclass",
        "autofunction",
        "only",
        "tab-set",
    }
)


def _role(match: re.Match[str]) -> str:
    if match.group("role") is None:
        return match.group(0)
    name = match.group("role")[1:-1].split(":")[-1]
    content = match.group("content")
    labelled = _LABELLED.match(content)
    if labelled and labelled.group(1):
        content = labelled.group(1)
    return f"`{content}`" if name in _CODE_ROLES else content


def _directive(name: str, argument: str, body: list[str]) -> list[str]:
    while body and _OPTION.match(body[0]):
        body = body[1:]  # the directive's options (":class: tip"), not content
    text = rewrite_myst("\n".join(body)).split("\n")
    short = name.split(":")[-1]
    if short in _DROPPED:
        return []
    if short in _CODE_DIRECTIVES:
        return [f"```{argument}", *body, "```"]
    if short in _VERSION_NOTES:
        sentence = f"{_VERSION_NOTES[short]} {argument}".rstrip() + "."
        return [sentence, "", *text]
    title = argument if short in _LABELLED_BY_ARGUMENT and argument else short.capitalize()
    return [title, "", *text] if title else text


def rewrite_myst(markdown: str) -> str:
    """Plain Markdown for MyST's directives and roles; other Markdown is left as it is."""
    lines = markdown.split("\n")
    out: list[str] = []
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if not opening:
            if not _TARGET.match(lines[index]):
                out.append(lines[index])
            index += 1
            continue
        fence = opening.group("fence")
        closing = re.compile(rf"^{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        end = index + 1
        while end < len(lines) and not closing.match(lines[end]):
            end += 1
        body = lines[index + 1 : end]
        out.extend(_directive(opening.group("name"), opening.group("arg").strip(), body))
        out.append("")
        index = end + 1
    return _ROLE.sub(_role, "\n".join(out))
