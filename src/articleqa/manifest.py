"""The snapshot manifest (``snapshots/<version>/manifest.json``) as a typed record.

Manifests written by older code lack some keys (article hashes, the store generation, the
passage sizes); they read with defaults, so every data directory made so far still loads. Keys
this code does not know are kept in ``extra`` and written back unchanged.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger(__name__)

# 2: sentence vectors int8 with a scale a row, listed in sentence_arrays.json (a snapshot may
# still link float16 files of format 1 in it: snapshot.load_sentences reads both).
# 3: a sentence met again is stored once, a file's row map (.rows.npy) saying which stored row
# is each sentence's; the files listed in sentence_vectors.json, so code of format 2 finds no
# list and embeds the sentences it needs instead of reading rows by the wrong numbers.
# 4: where sentences repeat, their terms are stored once too (a .words.npy of four columns,
# sentence_words.py); code of format 3 does not use such a file and computes the words.
# Also in 4: each article's about-terms stored (about.npy, about.bin; about_terms.py): optional
# files, so code of format 3 reads them as before, and this code a snapshot without them.
# 5: article texts compressed in zstd blocks (texts.zst, texts.blocks.npy, texts.dict;
# text_blocks.py) instead of texts.bin, and a BM25 segment's document numbers as one-byte gaps
# (gaps.npy, escapes.npy, escape_starts.npy; posting_gaps.py) instead of docs.npy. Code of
# format 4 finds neither texts.bin nor docs.npy and cannot load such a snapshot (it falls back
# to an earlier one); this code loads every earlier format, and a segment of format 4 linked
# into a later snapshot keeps its docs.npy.
FORMAT_VERSION = 5
METRIC = "inner_product"

_KNOWN = frozenset(
    {
        "model",
        "dimension",
        "metric",
        "index_type",
        "built_at",
        "counts",
        "articles",
        "passage_words",
        "store_generation",
        "format",
        "version",
        "files",
    }
)


@dataclass(frozen=True, slots=True)
class SnapshotManifest:
    """What a snapshot was built from and with; ``files`` maps each file to its sha256."""

    model: str | None = None
    dimension: int | None = None
    metric: str = METRIC
    index_type: str | None = None
    built_at: dt.datetime | None = None
    article_count: int = 0
    passage_count: int = 0
    # Article id -> content hash of every article quoted; None in manifests from before they
    # were recorded (a rollback then cannot check the store against them).
    article_hashes: Mapping[str, str] | None = None
    passage_words: tuple[int, int] | None = None
    store_generation: int | None = None
    format: int = FORMAT_VERSION
    version: str | None = None
    files: Mapping[str, str] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SnapshotManifest:
        """Read a decoded manifest; a key missing or of the wrong type gets its default."""
        counts = _dict(data.get("counts")) or {}
        hashes = _dict(data.get("articles"))
        words = data.get("passage_words")
        return cls(
            model=_str(data.get("model")),
            dimension=_int(data.get("dimension")),
            metric=_str(data.get("metric")) or METRIC,
            index_type=_str(data.get("index_type")),
            built_at=_datetime(data.get("built_at")),
            article_count=_int(counts.get("articles")) or 0,
            passage_count=_int(counts.get("passages")) or 0,
            article_hashes=(
                {str(k): str(v) for k, v in hashes.items()} if hashes is not None else None
            ),
            passage_words=(
                (int(words[0]), int(words[1]))
                if isinstance(words, list | tuple)
                and len(words) == 2
                and all(_int(w) is not None for w in words)
                else None
            ),
            store_generation=_int(data.get("store_generation")),
            format=_int(data.get("format")) or FORMAT_VERSION,
            version=_str(data.get("version")),
            files={str(k): str(v) for k, v in (_dict(data.get("files")) or {}).items()},
            extra={k: v for k, v in data.items() if k not in _KNOWN},
        )

    def to_json(self) -> dict[str, Any]:
        """The manifest as written: the same keys, in the same order, as before it was typed."""
        data: dict[str, Any] = {
            "model": self.model,
            "dimension": self.dimension,
            "metric": self.metric,
            "index_type": self.index_type,
            "built_at": self.built_at.isoformat() if self.built_at else None,
            "counts": {"articles": self.article_count, "passages": self.passage_count},
        }
        if self.article_hashes is not None:
            data["articles"] = dict(self.article_hashes)
        if self.passage_words is not None:
            data["passage_words"] = list(self.passage_words)
        if self.store_generation is not None:
            data["store_generation"] = self.store_generation
        data.update(self.extra)
        data["format"] = self.format
        if self.version is not None:
            data["version"] = self.version
        data["files"] = dict(self.files)
        return data


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _int(value: object) -> int | None:
    # bool is an int to Python, never to a manifest.
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _dict(value: object) -> dict[str, Any] | None:
    return value if isinstance(value, dict) else None


def _datetime(value: object) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        logger.warning("manifest built_at %r is not a date; ignored", value)
        return None
