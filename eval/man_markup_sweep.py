"""Read this machine's manual pages with articleqa's troff reader and count the pages whose
stored text still holds troff markup: a string call (``\\*(L"``), a font, size or motion
escape, or a macro argument (``\\$1``). Each is markup the reader did not interpret, shown to a
reader as if it were text. Prints the count and the first examples.

    .venv/bin/python eval/man_markup_sweep.py --every 8
"""

from __future__ import annotations

import argparse
import gzip
import re
from pathlib import Path

from articleqa.ingest.man import read_man
from articleqa.ingest.prepare import prepare_article

MARKUP = re.compile(r"\\\*[(\[]?|\\f[A-Z(\[]|\\s[+-]?\d|\\[hv]'|\\\\?\$\d")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=Path("/usr/share/man"))
    parser.add_argument("--every", type=int, default=1, help="read every n-th page only")
    parser.add_argument("--examples", type=int, default=10)
    args = parser.parse_args()
    pages = sorted(args.root.glob("man[1-8]/*.gz"))[:: args.every]
    read = 0
    found: list[tuple[str, str]] = []
    for page in pages:
        source = gzip.decompress(page.read_bytes()).decode("utf-8", "replace")
        if source.startswith(".so "):
            continue  # a link to another page
        read += 1
        text = prepare_article(read_man(source, page.name)).text
        if markup := MARKUP.search(text):
            around = text[max(0, markup.start() - 40) : markup.end() + 40]
            found.append((page.name, around.replace("\n", "⏎")))
    print("| pages read | with troff markup in the stored text |\n|---|---|")
    print(f"| {read} | {len(found)} |")
    for name, around in found[: args.examples]:
        print(f"{name}: {around}")


if __name__ == "__main__":
    main()
