"""Shared helpers for the benchmark scripts: deterministic text, machine facts, tables."""

from __future__ import annotations

import json
import os
import platform
import random
import re
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ARTICLES = REPO / "articles"
DEV_SAMPLE = REPO.parent / "shared" / "data" / "squad2-dev-sample.json"

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(])")


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        memory = f"{memory_kb / 2**20:.1f} GiB RAM"
    except (OSError, StopIteration):
        memory = "unknown RAM"
    return f"{os.cpu_count()} cores ({cpu}), {memory}, Python {platform.python_version()}"


def dev_paragraphs() -> list[str]:
    """The SQuAD dev-sample paragraphs when the shared data is there, else nothing."""
    if not DEV_SAMPLE.is_file():
        return []
    data = json.loads(DEV_SAMPLE.read_text())
    return [p["context"] for article in data["data"] for p in article["paragraphs"]]


def _article_paragraphs() -> list[str]:
    paragraphs: list[str] = []
    for path in sorted(ARTICLES.iterdir()):
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".jsonl":
            text = "\n\n".join(
                json.loads(line).get("text", "") for line in text.splitlines() if line
            )
        text = re.sub(r"<[^>]+>", " ", text)
        paragraphs.extend(p for p in re.split(r"\n\s*\n", text) if len(p.split()) > 8)
    return paragraphs


def sentence_pool() -> tuple[list[str], str]:
    """Real sentences to compose passages from, and where they came from."""
    dev = dev_paragraphs()
    paragraphs = _article_paragraphs() + dev
    sentences = [
        " ".join(s.split())
        for p in paragraphs
        for s in _SENTENCE_END.split(p)
        if 4 <= len(s.split()) <= 60
    ]
    source = "articles/ + SQuAD dev sample sentences" if dev else "articles/ sentences"
    return sentences, source


def make_passages(count: int, seed: int = 0, words: tuple[int, int] = (100, 130)) -> list[str]:
    """``count`` passages of ``words`` words, each a seeded shuffle of real sentences."""
    sentences, _ = sentence_pool()
    rng = random.Random(seed)
    passages = []
    for _ in range(count):
        target = rng.randint(*words)
        picked: list[str] = []
        while len(picked) < target:
            picked.extend(rng.choice(sentences).split())
        passages.append(" ".join(picked[:target]))
    return passages


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def note(message: str) -> None:
    """Progress on stderr, so stdout stays the table."""
    print(message, file=sys.stderr, flush=True)


def write_manifest(snapshot: Path, manifest: dict[str, object]) -> None:
    """A converted snapshot's manifest, with the checksum of every file as the loader checks."""
    from articleqa.hashing import file_sha256

    manifest["files"] = {
        str(p.relative_to(snapshot)): file_sha256(p)
        for p in sorted(snapshot.rglob("*"))
        if p.is_file() and p.name != "manifest.json"
    }
    (snapshot / "manifest.json").write_text(json.dumps(manifest, indent=2))
