"""Manual pages written with the mdoc macros (BSD's: OpenSSH, tmux, file(1), pkg-config), read
as mandoc sets them at a terminal.

Every word of an mdoc page sits on a macro line (".Nm", ".Fl c Ar cipher", ".Xr ssh 1 ."): read
as a man page, whose unknown macros are dropped, scp(1) lost its name, every option and every
section heading. The block macros give the structure (.Sh, .Ss, .Pp, .Bl/.It/.El, .Bd/.Ed),
the inline ones the words, with mdoc's rules for punctuation (a trailing "." or ")" closes up
to the word before it).
"""

from __future__ import annotations

import datetime as dt
import re

from articleqa.ingest.blocks import article_from_blocks
from articleqa.ingest.dates import parse_date
from articleqa.ingest.man import (
    TextPage,
    arguments,
    page_lines,
    read_man_lines,
    requests,
    unescape,
)
from articleqa.models import Block, BlockKind, RawArticle

# Enclosures: the rest of the line (its trailing punctuation aside) inside a pair of marks.
_ENCLOSING = {
    "Op": ("[", "]"),
    "Dq": ("“", "”"),
    "Qq": ('"', '"'),
    "Sq": ("‘", "’"),
    "Ql": ("‘", "’"),
    "Pq": ("(", ")"),
    "Bq": ("[", "]"),
    "Brq": ("{", "}"),
    "Aq": ("<", ">"),
}
# Open and close marks written as macros of their own, possibly on other lines (".Oo" ... ".Oc").
_OPENING_MACROS = {
    "Oo": "[",
    "Do": "“",
    "Qo": '"',
    "So": "‘",
    "Po": "(",
    "Bo": "[",
    "Bro": "{",
    "Ao": "<",
}
_CLOSING_MACROS = {
    "Oc": "]",
    "Dc": "”",
    "Qc": '"',
    "Sc": "’",
    "Pc": ")",
    "Bc": "]",
    "Brc": "}",
    "Ac": ">",
}
# Macros that print their arguments as they are (in another font at a terminal, or none).
_PLAIN = {
    "Ar", "Cm", "Ic", "Ev", "Pa", "Va", "Vt", "Ft", "Fa", "Dv", "Er", "Cd", "Ad", "Ms", "Tn",
    "Sy", "Em", "Li", "No", "Sx", "Mt", "An", "Lb", "Ot", "Nm", "Fl", "Xr", "Fn", "In", "Lk",
    "St", "At", "Bx", "Bsx", "Dx", "Fx", "Nx", "Ox", "Ux", "Mx", "Ns", "Pf", "Ta", "Fd",
}  # fmt: skip
_CALLABLE = frozenset({*_PLAIN, *_ENCLOSING, *_OPENING_MACROS, *_CLOSING_MACROS})
# The fields of a reference (".Rs" ... ".Re"): ".%A Ralph Droms", ".%T Dynamic Host
# Configuration Protocol for IPv6 (DHCPv6)", ".%R RFC 3315", ".%D 2003".
_REFERENCE_FIELDS = frozenset(f"%{field}" for field in "ABCDIJNOPQRTUV")
# Every macro ``read_mdoc_lines`` reads: a page's own definition of one is for other
# formatters and is not expanded.
_NATIVE = frozenset({
    *_CALLABLE, "Dd", "Dt", "Os", "Sh", "Ss", "Pp", "Lp", "Sm", "Nd", "Bl", "El", "It", "Bd",
    "Ed", "D1", "Dl", "Ex", "Rv", "Rs", "Re", "Bk", "Ek", *_REFERENCE_FIELDS,
})  # fmt: skip
_CLOSING = frozenset({".", ",", ":", ";", ")", "]", "?", "!"})
_OPENING = frozenset({"(", "["})
_SYSTEMS = {
    "Ux": "UNIX",
    "Bx": "BSD",
    "Bsx": "BSD/OS",
    "Dx": "DragonFly",
    "Fx": "FreeBSD",
    "Nx": "NetBSD",
    "Ox": "OpenBSD",
    "At": "AT&T UNIX",
    "Mx": "MirBSD",  # not mdoc's own: MirBSD's pages define it, as the others are defined
}
_STANDARDS = {
    "-ansiC": "ANSI X3.159-1989 (“ANSI C89”)",
    "-isoC": "ISO/IEC 9899:1990 (“ISO C90”)",
    "-isoC99": "ISO/IEC 9899:1999 (“ISO C99”)",
    "-isoC-2011": "ISO/IEC 9899:2011 (“ISO C11”)",
    "-p1003.1": "IEEE Std 1003.1 (“POSIX.1”)",
    "-p1003.2": "IEEE Std 1003.2 (“POSIX.2”)",
    "-susv2": "Version 2 of the Single UNIX Specification (“SUSv2”)",
    "-susv3": "Version 3 of the Single UNIX Specification (“SUSv3”)",
    "-susv4": "Version 4 of the Single UNIX Specification (“SUSv4”)",
}
_POSIX = re.compile(r"^-p1003\.1-(\d{4})$")
_MDOCDATE = re.compile(r"^\$Mdocdate:\s*(.*?)\s*\$$")
_LITERAL_DISPLAYS = ("-literal", "-unfilled")
# Spacing the joined lines leave inside a pair of marks opened and closed by macros.
_SPACE_AFTER_OPENING = re.compile(r"([\[(“‘{<]) ")
_SPACE_BEFORE_CLOSING = re.compile(r" ([\])”’}>.,:;?!](?:\s|$))")


def is_mdoc(lines: list[str]) -> bool:
    """Whether a page is written with the mdoc macros: it dates itself with .Dd and opens its
    sections with .Sh (the man macros' are .TH and .SH)."""
    return any(line.startswith(".Dd") for line in lines) and any(
        line.startswith(".Sh ") for line in lines
    )


def read_manual_page(source_text: str, source: str | None) -> RawArticle:
    """A manual page in troff source, written with either macro package."""
    if is_mdoc(source_text.splitlines()):
        return read_mdoc_lines(page_lines(source_text, _NATIVE), source)
    lines = page_lines(source_text)
    return read_mdoc_lines(lines, source) if is_mdoc(lines) else read_man_lines(lines, source)


class _Inline:
    """One macro line's words as mandoc prints them."""

    def __init__(self, name: str) -> None:
        self.name = name  # the page's utility, which a bare .Nm prints
        self.synopsis = False  # in the SYNOPSIS a header is written as its #include
        self.words: list[tuple[str, str]] = []  # (text, "word" | "close" | "open" | "glue")
        self.spaced = True

    def render(self, tokens: list[str]) -> str:
        self._tokens(tokens)
        out = ""
        glue = False
        for text, kind in self.words:
            if kind == "glue":
                glue = True
                continue
            if (
                out
                and kind != "close"
                and not glue
                and self.spaced
                and not out.endswith(tuple(_OPENING))
            ):
                out += " "
            out += text
            glue = kind == "open"
        return out

    def _tokens(self, tokens: list[str]) -> None:
        index = 0
        while index < len(tokens):
            token = tokens[index]
            if token in _ENCLOSING:
                end = len(tokens)
                while end > index + 1 and tokens[end - 1] in _CLOSING:
                    end -= 1
                inner = _Inline(self.name)
                inner.spaced, inner.synopsis = self.spaced, self.synopsis
                opening, closing = _ENCLOSING[token]
                self.words.append(
                    (f"{opening}{inner.render(tokens[index + 1 : end])}{closing}", "word")
                )
                for mark in tokens[end:]:
                    self.words.append((mark, "close"))
                return
            index = self._macro(tokens, index) if token in _CALLABLE else self._text(token, index)

    def _text(self, token: str, index: int) -> int:
        kind = "close" if token in _CLOSING else "open" if token in _OPENING else "word"
        self.words.append((unescape(token), kind))
        return index + 1

    def _macro(self, tokens: list[str], index: int) -> int:
        macro = tokens[index]
        end = index + 1
        while end < len(tokens) and tokens[end] not in _CALLABLE and tokens[end] not in _CLOSING:
            end += 1
        args = [unescape(t) for t in tokens[index + 1 : end]]
        if macro in _OPENING_MACROS:
            self.words.append((_OPENING_MACROS[macro], "open"))
            self.words.extend((a, "word") for a in args)
        elif macro in _CLOSING_MACROS:
            self.words.append((_CLOSING_MACROS[macro], "close"))
            self.words.extend((a, "word") for a in args)
        elif macro == "Ns":
            self.words.append(("", "glue"))
            return index + 1  # it takes no argument: what follows is text ("Ns = Ns Ar value")
        elif macro == "Pf":
            # A prefix written right before what follows it.
            if args:
                self.words.append((args[0], "word"))
                self.words.append(("", "glue"))
            return index + 2 if args else end
        elif macro == "Fl":
            self.words.extend((f"-{a}", "word") for a in args or [""])
            if not args and end < len(tokens) and tokens[end] == "Fl":
                self.words.append(("", "glue"))  # ".Fl Fl apple": "--apple"
        elif macro == "Nm":
            self.words.extend((a, "word") for a in args or [self.name])
        elif macro == "Ar":
            self.words.extend((a, "word") for a in args or ["file", "..."])
        elif macro == "Xr":
            named = f"{args[0]}({args[1]})" if len(args) >= 2 else " ".join(args)
            self.words.append((named, "word"))
        elif macro == "Fn":
            called = f"{args[0]}({', '.join(args[1:])})" if args else ""
            self.words.append((called, "word"))
        elif macro == "In":
            header = f"<{args[0]}>" if args else ""
            self.words.append((f"#include {header}" if self.synopsis else header, "word"))
        elif macro == "Lk":
            self.words.append(
                (f"{' '.join(args[1:])}: {args[0]}" if len(args) > 1 else " ".join(args), "word")
            )
        elif macro == "St":
            self.words.append((_standard(args[0]) if args else "", "word"))
        elif macro == "Bx" and args:
            # mandoc's spelling: ".Bx 4.4" is "4.4BSD", ".Bx 4.4 Lite" "4.4BSD-Lite".
            self.words.append((f"{args[0]}BSD" + "".join(f"-{a}" for a in args[1:]), "word"))
        elif macro in _SYSTEMS:
            self.words.append((" ".join([_SYSTEMS[macro], *args]), "word"))
        elif macro == "An" and args in (["-split"], ["-nosplit"]):
            pass  # how authors are broken over lines, not text
        elif macro == "Ta":
            self.words.append(("|", "word"))
            return index + 1  # a column's end: what follows is the next column's text
        else:
            self.words.extend((a, "word") for a in args)
        return end


def _mdoc_date(written: str) -> dt.date | None:
    """.Dd's date, as mdoc writes it ("October 26, 2022"; "$Mdocdate: December 16 2022 $")."""
    for shape in ("%B %d, %Y", "%B %d %Y"):
        try:
            return dt.datetime.strptime(written.strip(), shape).date()
        except ValueError:
            continue
    return parse_date(written)


def _standard(name: str) -> str:
    if name in _STANDARDS:
        return _STANDARDS[name]
    posix = _POSIX.match(name)
    if posix:
        return f"IEEE Std 1003.1-{posix.group(1)} (“POSIX.1”)"
    return name.lstrip("-")


def _tidy(text: str) -> str:
    """Marks opened and closed by macros of their own lines ("[" ".Fl a" "]") set as mandoc
    sets them, without the spaces joining the lines put inside."""
    return _SPACE_BEFORE_CLOSING.sub(r"\1", _SPACE_AFTER_OPENING.sub(r"\1", text))


_EXTENDED = re.compile(r"^([.'].*?)\s+Xo\s*$")


def _joined_extensions(lines: list[str]) -> list[str]:
    """Each macro line whose last argument is ``Xo`` joined with the lines after it, up to
    ``.Xc``, into one line: what mdoc's ``Xo``/``Xc`` mean ("extend the arguments across
    lines"). ".It Xo" ".Ic algorithm Ar authalgorithm" ";" ".Xc" is the item "algorithm
    authalgorithm;" (read line by line, the item was "Xo" and its words its text)."""
    joined: list[str] = []
    extending: list[str] | None = None
    for line in lines:
        if extending is None:
            opened = _EXTENDED.match(line)
            if opened is None:
                joined.append(line)
            else:
                extending = [opened.group(1)]
            continue
        request = line.startswith((".", "'"))
        if request and line[1:].strip().split(" ", 1)[0] == "Xc":
            joined.append(" ".join(extending))
            extending = None
        elif line.strip():
            extending.append(line[1:].strip() if request else line.strip())
    if extending is not None:
        joined.append(" ".join(extending))  # never closed: read as far as the page goes
    return joined


def read_mdoc_lines(lines: list[str], source: str | None) -> RawArticle:
    lines = _joined_extensions(lines)
    page = TextPage()
    title = ""
    name = ""
    published = None
    lists: list[tuple[str, int]] = []  # open .Bl lists: their kind and items so far
    reference: list[str] | None = None  # the fields of an open .Rs, rendered
    spaced = True  # .Sm off: words run together
    section = ""
    for macro, rest in requests(lines, page):
        tokens = arguments(rest)
        inline = _Inline(name)
        inline.spaced, inline.synopsis = spaced, section == "SYNOPSIS"
        if macro == "Dd":
            written = " ".join(tokens)
            mdocdate = _MDOCDATE.match(written)
            published = _mdoc_date(mdocdate.group(1) if mdocdate else written)
        elif macro == "Dt":
            title = f"{tokens[0]}({tokens[1]})" if len(tokens) >= 2 else " ".join(tokens)
        elif macro in ("Sh", "Ss"):
            page.flush()
            heading = inline.render(tokens).strip()
            if macro == "Sh":
                section = heading
            if heading:
                page.blocks.append(Block(BlockKind.HEADING, heading, 2 if macro == "Sh" else 3))
        elif macro in ("Pp", "Lp", "sp"):
            page.flush()
        elif macro == "br":
            page.break_next = True
        elif macro == "Sm":
            spaced = not tokens or tokens[0] != "off"
        elif macro == "Nd":
            page.add(f"— {inline.render(tokens)}")
        elif macro == "Bl":
            page.flush()
            kind = next((t.lstrip("-") for t in tokens if t.startswith("-")), "tag")
            lists.append((kind, 0))
        elif macro == "El":
            page.flush()
            if lists:
                lists.pop()
        elif macro == "It":
            if not all(line.startswith("\0") for line in page.lines):
                page.flush()  # items with no text of their own are lines of one block
            kind, count = lists[-1] if lists else ("tag", 0)
            if lists:
                lists[-1] = (kind, count + 1)
            if kind in ("bullet", "dash", "hyphen", "enum"):
                page.item_mark = (
                    f"{count + 1}." if kind == "enum" else "•" if kind == "bullet" else "-"
                )
            elif kind == "column":
                cells = inline.render(tokens)
                if cells:
                    page.add(cells)
                    page.break_next = True
            else:
                tag = inline.render(tokens)
                if tag:
                    page.add("\0" + tag)  # a term stands on its line, its text below
        elif macro == "Bd":
            page.flush()
            page.code = any(t in _LITERAL_DISPLAYS for t in tokens)
        elif macro == "Ed":
            page.flush()
            page.code = False
        elif macro in ("D1", "Dl"):
            page.flush()
            text = inline.render(tokens)
            if macro == "Dl":
                page.blocks.append(Block(BlockKind.CODE, text))
            else:
                page.add(text)
                page.flush()
        elif macro == "Rs":
            page.flush()  # a reference is set apart from what comes before it
            reference = []
        elif macro in _REFERENCE_FIELDS:
            field = inline.render(tokens)
            if reference is not None:
                reference.append(field)
            elif field:
                page.add(field)  # a field on its own (".%T http://..."): its words
        elif macro == "Re":
            # As mandoc sets a reference: its fields in the page's order, a comma between.
            if reference:
                page.add(", ".join(f for f in reference if f) + ".")
                page.flush()
            reference = None
        elif macro == "Ex":
            page.add(
                f"The {name or 'utility'} utility exits 0 on success, and >0 if an error occurs."
            )
        elif macro == "Rv":
            function = next((t for t in tokens if not t.startswith("-")), "function")
            page.add(
                f"The {function}() function returns the value 0 if successful; otherwise the "
                "value -1 is returned and the global variable errno is set to indicate the error."
            )
        elif macro in _CALLABLE:
            if macro == "Nm" and tokens and not name:
                name = unescape(tokens[0])
                inline.name = name
            if macro == "An" and page.lines:
                page.break_next = True  # one author a line, as mandoc lists them
            text = inline.render([macro, *tokens])
            if text:
                page.add(text)
    page.flush()
    blocks = [
        Block(b.kind, b.text if b.kind is BlockKind.CODE else _tidy(b.text), b.level)
        for b in page.blocks
        if b.text.strip()
    ]
    if not title and blocks:
        title = blocks[0].text.split("\n", 1)[0][:120]
    return article_from_blocks(
        title, blocks, "manual page (troff mdoc source?)", source, published=published
    )
