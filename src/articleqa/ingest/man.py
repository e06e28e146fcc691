"""Manual pages in troff source (``.1`` ... ``.9``): the man macros read as structure.

The macros of the ``man`` package are understood (.TH, .SH, .SS, .PP, .TP, .IP, font macros,
.nf/.fi, .EX/.EE, .UR/.MT), and so are the page's own macros (.de/.am/.als, expanded) and its
conditions (.if/.ie/.el, taken as groff takes them at a terminal); other requests are dropped,
never shown as text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from articleqa.ingest.blocks import article_from_blocks
from articleqa.ingest.dates import parse_date
from articleqa.models import Block, BlockKind, RawArticle

# A font, and a colour (\m[blue] ... \m[], as DocBook's pages set a link): set, not printed.
_FONT_ESCAPE = re.compile(r"\\[fmM](?:\[[^\]]*\]|\([A-Za-z]{2}|[A-Za-z0-9])")
_SIZE_ESCAPE = re.compile(r"\\s[+-]?\d")
# Motions and block braces set no text: "\h'-04'" (a bullet's hanging indent), "\}".
_MOTION_ESCAPE = re.compile(r"\\[hv]'[^']*'|\\[{}]")
_NAMED_CHARS = {
    "em": "—",
    "en": "–",
    "hy": "-",
    "bu": "•",
    "lq": "“",
    "rq": "”",
    "oq": "‘",
    "cq": "’",
    "aq": "'",
    "dq": '"',
    "co": "©",
    "rg": "®",
    "tm": "™",
    "mi": "-",
    "pl": "+",
    "mu": "×",
    "<=": "≤",
    ">=": "≥",
    "->": "→",
    "<-": "←",
    "de": "°",
    "ga": "`",
    "ti": "~",
    "ha": "^",
    "rs": "\\",
    "sl": "/",
    "ba": "|",
    "dg": "†",
    "at": "@",
    "sh": "#",
    "Do": "$",
    "sq": "'",
    "lB": "[",
    "rB": "]",
    "lC": "{",
    "rC": "}",
    "Fo": "«",
    "Fc": "»",
}
_NUMBERED_CHAR = re.compile(r"\\N'(\d{1,7})'")  # \N'34': a character by its code
_NAMED_CHAR = re.compile(r"\\\(([^\s]{2})|\\\[([^\]\s]+)\]")
_FONT_MACROS = {"B", "I", "R", "SM", "SB"}
_ALTERNATING = {"BR", "RB", "BI", "IB", "RI", "IR"}
_LINE_START = "\x01"  # marks a source line that starts an output line of its own
_PARAGRAPH = {"PP", "P", "LP", "sp", "RS", "RE", "in", "ti", "ne", "ad", "na", "hy", "nh"}
_BREAKING = {"PP", "P", "LP", "sp", "RS", "RE"}  # each starts a new paragraph
_NATIVE = {
    "TH", "SH", "SS", "br", "TP", "IP", "UR", "MT", "UE", "ME", "nf", "EX", "fi", "EE",
    *_PARAGRAPH, *_FONT_MACROS, *_ALTERNATING,
}  # fmt: skip
# An .IP tag that marks a list item rather than naming a term: a bullet or an item number.
_ITEM_MARK = re.compile(r"^(?:[•·*\-–—o]|\(?\w{1,3}[.)])$")
# An escaped space ("\-S\ suffix") is part of its argument, not a break between two.
_ARGUMENT = re.compile(r'"((?:[^"]|"")*)"|((?:\\\s|\S)+)')


# A page's own macros (Asciidoctor's pages define .URL and .MTO for every link and author):
# ".de NAME" or ".am NAME" up to "..", ".als NEW OLD"; a body refers to its arguments as \\$1.
_DEFINITION = re.compile(r"^[.']\s*(de|de1|am|am1)\s+(\S+)")
_DEFINITION_END = re.compile(r"^[.']\s*\.\s*$")
_ALIAS = re.compile(r"^[.']\s*als\s+(\S+)\s+(\S+)")
_MACRO_ARGUMENT = re.compile(r"\\\\?\$(\d|\*|@)")
_MACRO_DEPTH = 8  # a macro calling itself is cut off here, as groff's nesting limit would
# Strings: ".ds NAME value" (".as" appends), interpolated as \*x, \*(xx or \*[name]. pod2man
# quotes with \*(L" and \*(R", code with \*(C` and \*(C'; a string never defined is empty.
_STRING_DEFINITION = re.compile(r"^[.']\s*(ds|as)\s+(\S+)\s?(.*)$")
_STRING = re.compile(r"\\\*(?:\(([^\s]{2})|\[([^\]\s]+)\]|([^\s(\[]))")
_PREDEFINED_STRINGS = {"lq": "“", "rq": "”", "R": "®", "Tm": "™", "S": ""}
_EXPANSION_LINES = 20_000


# ".if COND ...", ".ie COND ...", ".el ...": a request or text after the condition, or a block
# "\{\" ... "\}" over the lines below.
_CONDITIONAL = re.compile(r"^[.']\s*(if|ie|el)\b\s*(.*)$")
# A test of whether a name is defined ("d volume-ds-1": a macro or string; "r" a register,
# "c" a glyph, "m" a colour, "F" a font, "S" a style) takes the name with it.
_CONDITION = re.compile(r"(!?)(\\n(?:\(\.g|\[\.g\])|[dcrmFS]\s+\S+|[a-z]\b|\S+)\s*(.*)$")


# A register compared with a number ("\ng==1", "\n(aC>0"), and one set to a number (".nr g 2").
_REGISTER_TEST = re.compile(r"\\n(?:\((\S{2})|\[([^\]\s]+)\]|(\S))(==|=|<=|>=|<|>)(-?\d+)")
_REGISTER_SET = re.compile(r"^[.']\s*nr\s+(\S+)\s+([+-]?)(\d+)\s*$")
_REGISTER_REQUEST = re.compile(r"^[.']\s*nr\s+(\S+)")
_COMPARE = {
    "==": int.__eq__,
    "=": int.__eq__,
    "<": int.__lt__,
    ">": int.__gt__,
    "<=": int.__le__,
    ">=": int.__ge__,
}


def _holds(condition: str, registers: dict[str, int]) -> bool:
    r"""Whether groff formatting a manual for a terminal takes the branch: ``n`` (nroff) and
    ``\n(.g`` (groff) hold, ``t`` (typesetter) does not, a register the page set to a number
    is compared as groff would (MirBSD's pages pick their utility's name by ".nr g 2" and
    ".ie \ng==1"); any other test is taken to hold."""
    if (test := _REGISTER_TEST.fullmatch(condition)) is not None:
        name = test.group(1) or test.group(2) or test.group(3)
        if name in registers:
            return _COMPARE[test.group(4)](registers[name], int(test.group(5)))
    return condition not in ("t", "e")


def _set_register(line: str, registers: dict[str, int]) -> None:
    """Remember a register ``line`` sets to a number; one changed by an amount (".nr g +1")
    is forgotten unless known, as is any other ``.nr``."""
    if (found := _REGISTER_SET.match(line)) is None:
        if (other := _REGISTER_REQUEST.match(line)) is not None:
            registers.pop(other.group(1), None)
        return
    name, sign, value = found.groups()
    if not sign:
        registers[name] = int(value)
    elif name in registers:
        registers[name] += int(value) if sign == "+" else -int(value)


def _take_conditions(lines: list[str]) -> list[str]:
    r"""``lines`` with each condition's branch kept or dropped as groff would at a terminal:
    DocBook's and Asciidoctor's pages write a bullet twice, for nroff and for troff, and
    reading both set it twice (a stray "\h'-04'•" line above the item)."""
    kept: list[str] = []
    registers: dict[str, int] = {".g": 1}
    else_holds = False
    skipping = 0  # depth of "\{" blocks being dropped
    for line in lines:
        if skipping:
            skipping += line.count("\\{") - line.count("\\}")
            skipping = max(skipping, 0)
            continue
        if _CONDITIONAL.match(line) is None:
            _set_register(line, registers)
            kept.append(line)
            continue
        opens = line.count("\\{") - line.count("\\}")
        body = line
        # A branch's body may be a condition of its own (".el .ie \ng==2 \{\"): read in turn.
        while (found := _CONDITIONAL.match(body)) is not None:
            request, rest = found.groups()
            if request == "el":
                holds, else_holds = else_holds, False
            else:
                parts = _CONDITION.match(rest)
                if parts is None:
                    body = ""
                    break
                negated, condition, rest = parts.groups()
                holds = _holds(condition, registers) != bool(negated)
                if request == "ie":
                    else_holds = not holds
            body = rest.replace("\\{\\", "").replace("\\{", "").strip()
            if not holds:
                skipping = max(opens, 0)
                body = ""
                break
        if body and body != "\\}":
            _set_register(body, registers)
            kept.append(body)
    return kept


def _expand_macros(lines: list[str], native: frozenset[str] = frozenset()) -> list[str]:
    """``lines`` with the page's own definitions taken out, the calls of its own macros
    replaced by their bodies, arguments filled in, and its strings interpolated, as groff
    reads them.

    The macros this reader knows (.SH, .TP, .UR, ...; ``native``: the other package's, .Sh, .Dd,
    ...) are read as it knows them, even where a page redefines them (a fallback for other
    formatters, usually inside a condition; MirBSD's pages wrap .Dd to read $Mdocdate).
    """
    bodies: dict[str, list[str]] = {}
    strings: dict[str, str] = {}
    plain: list[str] = []
    defining: list[str] | None = None
    for line in lines:
        if defining is not None:
            if _DEFINITION_END.match(line):
                defining = None
            else:
                defining.append(line)
            continue
        if found := _DEFINITION.match(line):
            kind, name = found.groups()
            defining = bodies.setdefault(name, []) if kind.startswith("am") else []
            bodies[name] = defining
        elif found := _ALIAS.match(line):
            new, old = found.groups()
            bodies[new] = bodies.get(old, [])
        elif found := _STRING_DEFINITION.match(line):
            kind, name, value = found.groups()
            # Read as groff reads it: strings in the value are interpolated now, and a leading
            # quote only marks where the value starts (".ds L\" \"\"" is one quote mark).
            value = _interpolate(value.removeprefix('"'), strings)
            strings[name] = strings.get(name, "") + value if kind == "as" else value
        else:
            plain.append(line)
    own = {name for name in bodies if name not in _NATIVE and name not in native}
    # Macros calling each other several times a level could multiply a small page into
    # millions of lines: expansion stops at a budget in proportion to the page.
    budget = [_EXPANSION_LINES + 10 * len(plain)]

    def expand(line: str, depth: int) -> Iterator[str]:
        name, _, rest = line[1:].strip().partition(" ")
        if not line.startswith((".", "'")) or name not in own:
            yield line
            return
        if depth >= _MACRO_DEPTH or budget[0] <= 0:
            return
        budget[0] -= len(bodies[name])
        args = arguments(rest)

        def argument(found: re.Match[str]) -> str:
            which = found.group(1)
            if which in "*@":
                return " ".join(args)
            number = int(which)
            return args[number - 1] if 0 < number <= len(args) else ""

        for body_line in bodies[name]:
            yield from expand(_MACRO_ARGUMENT.sub(argument, body_line), depth + 1)

    return [_interpolate(expanded, strings) for line in plain for expanded in expand(line, 0)]


def _interpolate(line: str, strings: dict[str, str]) -> str:
    """``line`` with each string it names replaced by its value (empty when never defined)."""
    if "\\*" not in line:
        return line

    def value(found: re.Match[str]) -> str:
        name = found.group(1) or found.group(2) or found.group(3)
        return strings.get(name, _PREDEFINED_STRINGS.get(name, ""))

    return _STRING.sub(value, line)


def _character(code: int) -> str:
    """The printable character numbered ``code``; nothing for a control code, a surrogate (not
    storable as UTF-8) or a number past Unicode."""
    printable = 32 <= code < 0x110000 and not 0xD800 <= code <= 0xDFFF and code != 0x7F
    return chr(code) if printable else ""


# groff's one-character escapes. "\:" and "\)" (a break point, a transparent mark: rustc(1)'s
# "--print [crate-name|\:file-names|…]"), "\/" and "\," (italic corrections: fuser(1)'s
# "-SIGNAL\/") print nothing.
_SIMPLE_ESCAPES = {
    "-": "-",
    "&": "",
    "e": "\\",
    " ": " ",
    "~": " ",
    "0": " ",
    "|": "",
    "^": "",
    "c": "",
    "%": "",
    "'": "'",
    "`": "`",
    ".": ".",
    ":": "",
    ")": "",
    "/": "",
    ",": "",
}
_SIMPLE_ESCAPE = re.compile(r"\\([-&e ~0|^c%'`.:)/,])")


def unescape(text: str) -> str:
    text = _FONT_ESCAPE.sub("", text)
    text = _SIZE_ESCAPE.sub("", text)
    text = _MOTION_ESCAPE.sub("", text)
    text = _NUMBERED_CHAR.sub(lambda m: _character(int(m.group(1))), text)
    text = _NAMED_CHAR.sub(lambda m: _NAMED_CHARS.get(m.group(1) or m.group(2), ""), text)
    # One pass, so that what an escape leaves is never read as another ("\e|" is a backslash
    # and a bar, not the zero-width "\|").
    return _SIMPLE_ESCAPE.sub(lambda m: _SIMPLE_ESCAPES[m.group(1)], text)


def arguments(rest: str) -> list[str]:
    return [
        (m.group(1) or "").replace('""', '"') if m.group(2) is None else m.group(2)
        for m in _ARGUMENT.finditer(rest)
    ]


class TextPage:
    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.lines: list[str] = []
        self.code = False
        self.example = False  # .EX: code by what the author said, whatever it reads like
        self.tag_next = False  # .TP: the next line is the item's tag
        self.break_next = False  # .br: the next line starts a line of its own
        self.item_mark = ""  # .IP with a bullet or number: it starts the next line
        # .UR/.MT address ... .UE/.ME: a link's address, and whether it had text of its own
        self.link: str | None = None
        self.link_text = False

    def flush(self) -> None:
        if not self.lines:
            return
        if self.code:
            text = "\n".join(self.lines).strip("\n")
            # .nf only keeps the lines as written: DocBook sets a list item's sentence so
            # ("Cyan" / "indicates that the thread is syncing a folder."). That is prose.
            prose = not self.example and reads_as_prose(text)
            kind = BlockKind.TEXT if prose else BlockKind.CODE
        else:
            text = "\n".join(" ".join(line.split()) for line in _join(self.lines))
            kind = BlockKind.TEXT
        if text.strip():
            self.blocks.append(Block(kind, text))
        self.lines = []

    def text_line(self, raw_line: str) -> None:
        """A line of text (not a request): its words, or a paragraph break when blank."""
        text = unescape(raw_line)
        if self.code:
            self.lines.append(text)
        elif text.strip():
            # groff breaks the line before one that starts with a space (a table's rows).
            self.break_next = self.break_next or raw_line[:1].isspace()
            self.add(text.strip())
            self.link_text = self.link is not None
        else:
            self.flush()  # groff keeps a blank line: the author's paragraph break

    def add(self, text: str) -> None:
        if self.item_mark:
            text, self.item_mark = f"{self.item_mark} {text}", ""
            self.break_next = True
        if self.tag_next:
            self.flush()
            self.lines.append("\0" + text)  # a tag line stands alone
            self.tag_next = False
        elif self.break_next:
            self.lines.append(_LINE_START + text)
        else:
            self.lines.append(text)
        self.break_next = False


# What only code or a laid-out table holds: braces, statement ends, assignments, prompts,
# pipes and redirections, escapes, columns set apart by runs of spaces.
_NOT_PROSE = re.compile(r"[{};=$|<>\\`]|\S {2,}\S|^\s*[-#%/.*+]")
_SENTENCE_END = re.compile(r"[.!?][\"'’”)]?$")


def reads_as_prose(text: str) -> bool:
    """Whether lines set as written read as sentences: each line words (no code's marks, no
    columns), the last ending as a sentence does, most tokens words of letters."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if not lines or not _SENTENCE_END.search(lines[-1]):
        return False
    if any(_NOT_PROSE.search(line) for line in lines) or not lines[0][:1].isalpha():
        return False
    tokens = " ".join(lines).split()
    wordy = sum(t.strip("\"'’“”(),.:;!?").isalpha() for t in tokens)
    return len(tokens) >= 3 and wordy >= 0.8 * len(tokens)


def _join(lines: list[str]) -> list[str]:
    """Filled text: source lines run together, except an item's tag, which keeps its line."""
    out: list[str] = []
    for line in lines:
        if line.startswith("\0"):
            out.append(line[1:])
            out.append("")
        elif line.startswith(_LINE_START):
            out.append(line[1:])
        elif out and out[-1] != "" and not out[-1].startswith("\0"):
            out[-1] = f"{out[-1]} {line}"
        elif out and out[-1] == "":
            out[-1] = line
        else:
            out.append(line)
    return [line for line in out if line.strip()]


def page_lines(source_text: str, native: frozenset[str] = frozenset()) -> list[str]:
    """The page's lines as groff reads them: its tables set as rows (``tbl_rows``), its
    conditions taken, its own macros expanded (a macro body holds conditions of its own: taken
    again once bodies are in place), except those of ``native`` (see ``_expand_macros``)."""
    taken = _take_conditions(tbl_rows(source_text.splitlines()))
    return _take_conditions(_expand_macros(taken, native))


# tbl(1)'s table: .TS, an options line ending in ";" ("tab(:);", "allbox;"), format lines
# whose last ends in "." ("lt lt."), the rows, .TE; ".T&" starts new format lines.
_TABLE_START = re.compile(r"^[.']\s*TS\b")
_TABLE_END = re.compile(r"^[.']\s*TE\b")
_TABLE_FORMAT_AGAIN = re.compile(r"^[.']\s*T&")
_TABLE_TAB = re.compile(r"\btab\s*\((.)\)")
_TABLE_RULE = re.compile(r"^\s*(?:[_=]|\\[_=])?\s*$")


def tbl_rows(lines: list[str]) -> list[str]:
    """``lines`` with each tbl table set as groff -t sets it, a row a line: its cells joined
    by " | " (as tables of other formats are read), its text blocks (T{ ... T}) run together,
    its format lines and rules left out. Without this the format read as prose ("tab(:); lt
    lt. T{") and a table's cells ran into one line."""
    out: list[str] = []
    at = 0
    while at < len(lines):
        if not _TABLE_START.match(lines[at]):
            out.append(lines[at])
            at += 1
            continue
        at, rows = _table(lines, at + 1)
        out.append(".sp")
        for row in rows:
            # "\&" keeps a row that starts with "." or "'" a line of text, not a request.
            out.extend((".br", "\\&" + row))
        out.append(".sp")
    return out


def _table(lines: list[str], at: int) -> tuple[int, list[str]]:
    """The rows of the table whose lines start at ``at`` (past .TS), and where it ends."""
    tab = "\t"
    if at < len(lines) and lines[at].rstrip().endswith(";"):
        found = _TABLE_TAB.search(lines[at])
        tab = found.group(1) if found else tab
        at += 1
    at = _past_format(lines, at)
    rows: list[str] = []
    cells: list[str] = []
    block: list[str] | None = None  # a text block's lines, while one is open
    while at < len(lines) and not _TABLE_END.match(lines[at]):
        line = lines[at]
        at += 1
        if block is not None:
            if not line.startswith("T}"):
                if not line.startswith((".", "'")):  # a request inside (".sp") sets no text
                    block.append(line.strip())
                continue
            cells.append(" ".join(part for part in block if part))
            block, line = None, line[2:]
            if not line.startswith(tab):
                _end_row(rows, cells)
                continue
            line = line[len(tab) :]
        elif _TABLE_FORMAT_AGAIN.match(line):
            at = _past_format(lines, at)
            continue
        elif line.startswith((".", "'")) or _TABLE_RULE.match(line):
            continue
        for cell in line.split(tab):
            if cell.rstrip() == "T{":
                block = []
                break
            cells.append(cell.strip())
        if block is None:
            _end_row(rows, cells)
    _end_row(rows, cells)
    return min(at + 1, len(lines)), rows


def _past_format(lines: list[str], at: int) -> int:
    """Past the format lines starting at ``at``: the last of them ends in "."."""
    while at < len(lines):
        at += 1
        if lines[at - 1].rstrip().endswith("."):
            break
    return at


def _end_row(rows: list[str], cells: list[str]) -> None:
    while cells and not cells[-1]:
        cells.pop()  # a row's trailing empty cells
    if cells:
        rows.append(" | ".join(cells))
    cells.clear()


def _is_comment(line: str) -> bool:
    return line.startswith(('.\\"', "'\\\"")) or line.strip() in (".", "'")


def requests(lines: list[str], page: TextPage) -> Iterator[tuple[str, str]]:
    """The page's requests (a macro's name, the rest of its line), its text lines given to
    ``page`` as they come."""
    for line in lines:
        if _is_comment(line):
            continue
        if not line.startswith((".", "'")):
            page.text_line(line)
            continue
        macro, _, rest = line[1:].strip().partition(" ")
        yield macro, rest


def read_man(source_text: str, source: str | None) -> RawArticle:
    """A page written with the man macros (``articleqa.ingest.mdoc`` reads the mdoc ones)."""
    return read_man_lines(page_lines(source_text), source)


def read_man_lines(lines: list[str], source: str | None) -> RawArticle:
    page = TextPage()
    title = ""
    published = None
    for macro, rest in requests(lines, page):
        args = [unescape(a) for a in arguments(rest)]
        if macro == "TH":
            title = f"{args[0]}({args[1]})" if len(args) >= 2 else " ".join(args)
            # .TH name section date: the page's own date, when written as a date.
            published = parse_date(args[2]) if len(args) >= 3 else None
        elif macro in ("SH", "SS"):
            page.flush()
            heading = " ".join(args).strip()
            if heading:
                page.blocks.append(Block(BlockKind.HEADING, heading, 2 if macro == "SH" else 3))
        elif macro in _PARAGRAPH:
            if macro in _BREAKING:
                page.flush()
        elif macro == "br":
            page.break_next = True
        elif macro == "TP":
            page.flush()
            page.tag_next = True
        elif macro == "IP":
            page.flush()
            tag = args[0].strip() if args else ""
            if _ITEM_MARK.match(tag):
                page.item_mark = tag  # "• first item", as groff sets it
            elif tag:
                page.add("\0" + tag)
        elif macro in ("UR", "MT"):
            page.link, page.link_text = (args[0] if args else ""), False
        elif macro in ("UE", "ME") and page.link is not None:
            # As groff prints a link: its text then the address in angle brackets, or the
            # address alone ("Please send bug reports to procps@freelists.org"); an argument
            # is punctuation that follows it directly.
            address = f"<{page.link}>" if page.link_text else page.link
            page.add(address + "".join(args))
            page.link = None
        elif macro in ("nf", "EX"):
            page.flush()
            page.code, page.example = True, macro == "EX"
        elif macro in ("fi", "EE"):
            page.flush()
            page.code = page.example = False
        elif macro in _FONT_MACROS:
            if args:  # without arguments the font applies to the next line: nothing to add
                page.add(" ".join(args))
        elif macro in _ALTERNATING:
            page.add("".join(args))
    page.flush()
    blocks = [b for b in page.blocks if b.text.strip()]
    if not title and blocks:
        title = blocks[0].text.split("\n", 1)[0][:120]
    return article_from_blocks(
        title, blocks, "manual page (troff man source?)", source, published=published
    )
