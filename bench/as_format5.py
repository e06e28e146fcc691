"""A format-5 copy of a format-4 home's current snapshot, as this tree writes it.

Format 5 (issue 17, ninth pass) writes the article texts compressed in zstd blocks
(text_blocks.py) and each BM25 segment's document numbers as one-byte gaps (posting_gaps.py).
This rewrites those two with the code on ``PYTHONPATH`` and hard-links every other file, so a
baseline (on the format-4 home) and this tree (on the copy) can be measured on the same index
without a second build of a million passages. The manifest gets format 5, the hashes of the
files as written and, where the source has them, this tree's splitting-rules and about-terms
fingerprints: they hash lexical.py, which this pass changed in how postings are stored, not
in how words are split (a snapshot built by this tree records the same ones).

    PYTHONPATH=src .venv/bin/python bench/as_format5.py /tmp/home-format4 /tmp/home-format5
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path

import numpy as np
from common import write_manifest

logger = logging.getLogger(__name__)


def convert(source_home: Path, target_home: Path) -> Path:
    from articleqa import posting_gaps, records
    from articleqa.about_terms import ABOUT_KEY, about_fingerprint
    from articleqa.lexical import Segment
    from articleqa.posting_gaps import GapDocs
    from articleqa.sentence_words import RULES_KEY, rules_fingerprint
    from articleqa.text_blocks import train_dictionary, write_blocks

    version = (source_home / "CURRENT").read_text().strip()
    source = source_home / "snapshots" / version
    target = target_home / "snapshots" / version
    target.mkdir(parents=True)
    (target_home / "CURRENT").write_text(version + "\n")
    for path in source.rglob("*"):
        relative = path.relative_to(source)
        if path.is_dir():
            (target / relative).mkdir(parents=True, exist_ok=True)
        elif path.name not in ("manifest.json", records.TEXTS, Segment.DOCS):
            os.link(path, target / relative)
    started = time.perf_counter()
    texts = records.load_columns(source).texts
    dictionary = train_dictionary(texts)
    trained = time.perf_counter()
    with open(target / records.COMPRESSED, "wb") as handle:
        table = write_blocks(handle, texts, dictionary)
    np.save(target / records.BLOCKS, table)
    if dictionary:
        (target / records.DICTIONARY).write_bytes(dictionary)
    logger.info(
        "texts: dictionary %d bytes in %.1f s, %d blocks compressed in %.1f s",
        len(dictionary),
        trained - started,
        len(table) - 1,
        time.perf_counter() - trained,
    )
    for docs in source.glob(f"lexical/*/{Segment.DOCS}"):
        segment = Segment.load(docs.parent, docs.parent.name)
        assert not isinstance(segment.docs, GapDocs)
        coded = GapDocs.encode(segment.indptr, segment.docs)
        folder = target / docs.parent.relative_to(source)
        for name, array in zip(
            posting_gaps.FILES, (coded.gaps, coded.escapes, coded.escape_starts), strict=True
        ):
            np.save(folder / name, array)
    manifest = json.loads((source / "manifest.json").read_text())
    manifest["format"] = 5
    # Stored words and about-terms the source's code used, this tree uses too (see above).
    for key, fingerprint in ((RULES_KEY, rules_fingerprint), (ABOUT_KEY, about_fingerprint)):
        if key in manifest:
            manifest[key] = fingerprint()
    write_manifest(target, manifest)
    return target


def main() -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source_home", type=Path)
    parser.add_argument("target_home", type=Path)
    args = parser.parse_args()
    logger.info("format-5 copy in %s", convert(args.source_home, args.target_home))


if __name__ == "__main__":
    main()
