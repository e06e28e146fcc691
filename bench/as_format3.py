"""A format-3 copy of a format-4 home's current snapshot, for code of format 3 to read.

Format 4 (issue 17, eighth pass) stores a repeated sentence's terms once (four-column words)
and the BM25 term frequencies in a byte where they fit; code of format 3 does not use such
words. This writes the same snapshot as format 3 would have: three-column sentence words,
uint16 term frequencies, the manifest's format and hashes to match; every other file
hard-linked. So a baseline and this tree can be measured on
the same index without a second build of a million passages (the vector index, the sentence
vectors and the columns are the same files).

    .venv/bin/python bench/as_format3.py /tmp/home-format4 /tmp/home-format3 \
        --rules "$(PYTHONPATH=/tmp/old/src .venv/bin/python -c 'from articleqa.sentence_words \
        import rules_fingerprint; print(rules_fingerprint())')"
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

import numpy as np
from common import write_manifest

logger = logging.getLogger(__name__)


def convert(source_home: Path, target_home: Path, rules: str | None = None) -> Path:
    from articleqa.sentence_words import SentenceWords, words_files

    version = (source_home / "CURRENT").read_text().strip()
    source = source_home / "snapshots" / version
    target = target_home / "snapshots" / version
    target.mkdir(parents=True)
    (target_home / "CURRENT").write_text(version + "\n")
    names = json.loads((source / "sentence_vectors.json").read_text())
    rewritten = {"manifest.json"}
    rewritten |= {f.name for n in names for f in words_files(source / n)}
    for path in source.rglob("*"):
        relative = path.relative_to(source)
        if path.is_dir():
            (target / relative).mkdir(parents=True, exist_ok=True)
        elif path.name == "tfs.npy":
            np.save(target / relative, np.load(path).astype(np.uint16))
        elif path.name not in rewritten:
            os.link(path, target / relative)
    for name in names:
        words_file, _ = words_files(source / name)
        if not words_file.is_file():
            continue
        words = SentenceWords.load(source / name, len(np.load(words_file, mmap_mode="r")))
        if words is not None:
            SentenceWords.concatenate([(words, 0, len(words))]).save(target / name)
    manifest = json.loads((source / "manifest.json").read_text())
    manifest["format"] = 3
    if rules is not None:
        # Stored sentence words are used only under the rules they were made with
        # (sentence_words.rules_fingerprint, a hash of the tokenizer): this pass changed how
        # BM25 is stored, not how words are split and stemmed, so the words are the
        # baseline's too.
        manifest["rules"] = rules
    write_manifest(target, manifest)
    return target


def main() -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source_home", type=Path)
    parser.add_argument("target_home", type=Path)
    parser.add_argument("--rules", help="the reading code's rules_fingerprint() for the manifest")
    args = parser.parse_args()
    logger.info("format-3 copy in %s", convert(args.source_home, args.target_home, args.rules))


if __name__ == "__main__":
    main()
