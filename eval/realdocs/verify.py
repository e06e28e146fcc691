#!/usr/bin/env python3
"""Check an articleqa evaluation set (standard library only; groff for manual pages).

Usage: python3 verify.py [SET_DIR]   (default: the folder of this script)

SET_DIR holds docs/, docs.json and questions.json. Every answer string of an answerable
question must occur in its document (case-insensitive, whitespace collapsed): HTML is checked
against its visible text (tags stripped with html.parser), a troff manual page (.1-.9 or .man,
a suffix after the section allowed: .3perl, .1ssl) against its groff rendering (man or mdoc),
other formats against the raw text. Prints counts per format and per question kind; exits 1
when the set has a problem.
"""

from __future__ import annotations

import collections
import html.parser
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

_HIDDEN = ("script", "style", "head")
_MIN_BYTES, _MAX_BYTES = 1000, 61440
_MAX_ANSWER_WORDS = 8
_MIN_QUESTIONS_PER_DOC = 3


class _Visible(html.parser.HTMLParser):
    """A page's visible text, with a line break around each block element."""

    BLOCK = frozenset(
        {"p", "br", "div", "li", "dt", "dd", "tr", "td", "th", "pre", "table", "ul", "ol", "dl"}
        | {"h1", "h2", "h3", "h4", "h5", "h6"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.skip += 1
        if tag in self.BLOCK:
            self.out.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN and self.skip:
            self.skip -= 1
        if tag in self.BLOCK:
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.out.append(data)


# A manual page's file suffix: its section, possibly with more after it (".3perl", ".1ssl").
_MANUAL_PAGE = re.compile(r"\.(?:[1-9]\w*|man)")


def visible_text(path: Path) -> str:
    raw = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix in (".html", ".htm"):
        parser = _Visible()
        parser.feed(raw)
        parser.close()
        return "".join(parser.out)
    if _MANUAL_PAGE.fullmatch(path.suffix):
        # -mandoc reads either macro package, as HELDOUT.md says sets are checked.
        rendered = subprocess.run(
            ["groff", "-Tutf8", "-mandoc", "-P-c"], input=raw.encode(), capture_output=True
        )
        return re.sub(r".\x08", "", rendered.stdout.decode("utf-8", "replace"))
    if path.suffix == ".md":
        # What a reader sees: a code span's backticks are markup, not text.
        return re.sub(r"(`+)([^`]+?)\1", r"\2", raw)
    return raw


def norm(text: str) -> str:
    text = text.replace("\u2010", "-").replace("\u2011", "-")
    return re.sub(r"\s+", " ", text).strip().lower()


def problems(root: Path) -> tuple[list[str], list[str]]:
    """The set's problems, and its summary lines."""
    docs: list[dict[str, Any]] = json.loads((root / "docs.json").read_text(encoding="utf-8"))
    questions: list[dict[str, Any]] = json.loads(
        (root / "questions.json").read_text(encoding="utf-8")
    )
    found: list[str] = []
    names = {d["file"] for d in docs}
    on_disk = {p.name for p in (root / "docs").iterdir()}
    if names != on_disk:
        found.append(f"manifest/docs mismatch: {sorted(names ^ on_disk)}")
    groups = collections.Counter(d["group"] for d in docs)
    found += [f"group with fewer than 2 documents: {g}" for g, n in groups.items() if n < 2]
    texts: dict[str, str] = {}
    for doc in docs:
        path = root / "docs" / doc["file"]
        size = path.stat().st_size
        if not _MIN_BYTES <= size <= _MAX_BYTES:
            found.append(f"size out of range (1-60 KB): {doc['file']} {size}")
        texts[doc["file"]] = norm(visible_text(path))
    per_doc: collections.Counter[str] = collections.Counter()
    kinds: collections.Counter[str] = collections.Counter()
    for question in questions:
        if question["doc"] is None:
            kinds[question.get("kind", "?")] += 1
            if question["answers"]:
                found.append(f"unanswerable question with answers: {question['question']}")
            continue
        kinds["answerable"] += 1
        per_doc[question["doc"]] += 1
        if question["doc"] not in texts:
            found.append(f"unknown doc: {question['doc']}")
            continue
        for answer in question["answers"]:
            if norm(answer) not in texts[question["doc"]]:
                found.append(
                    f"MISSING answer {answer!r} in {question['doc']}  ({question['question']})"
                )
            if len(answer.split()) > _MAX_ANSWER_WORDS:
                found.append(f"answer longer than {_MAX_ANSWER_WORDS} words: {answer}")
    found += [
        f"fewer than {_MIN_QUESTIONS_PER_DOC} questions: {d['file']} {per_doc[d['file']]}"
        for d in docs
        if per_doc[d["file"]] < _MIN_QUESTIONS_PER_DOC
    ]
    formats = collections.Counter(d["format"] for d in docs)
    summary = [
        f"documents: {len(docs)}  per format: {dict(sorted(formats.items()))}",
        f"groups: {dict(sorted(groups.items()))}",
        f"questions: answerable={kinds['answerable']} near={kinds['near']} off={kinds['off']}",
    ]
    return found, summary


def main() -> int:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent
    found, summary = problems(root)
    for line in [*found, *summary, f"problems: {len(found)}"]:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
