"""What each article says it is about (its title, file name and opening), as BM25 terms,
computed once when a snapshot is built.

The subject check asks, for a candidate passage that does not name a question's subject itself,
whether its article's framing does. Stemming the article's opening for that was the largest
part of the check on a first ask (BENCHMARKS.md, "Scale, eighth pass"); the terms depend only
on the article and the splitting rules, so a build stores them and the searcher reads them.

Files (in the snapshot folder; one row per article, in the order of ``articles.npy``)::

    about.npy   (articles,) int64: the end byte of each article's terms in about.bin (the
                start is the previous row's end; 0 for the first)
    about.bin   UTF-8: each article's distinct terms, sorted, separated by NUL

Stored terms are used only by code that would compute the same ones (``about_fingerprint``,
recorded in the manifest); other code, and snapshots from before them, compute them.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import logging
import mmap
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import numpy as np

from articleqa.arrays import load_array
from articleqa.lexical import terms
from articleqa.records import ArticleRecord, Records, load_columns
from articleqa.sentence_words import rules_fingerprint

logger = logging.getLogger(__name__)

ABOUT_KEY = "about_terms"  # the manifest's record of the rules they were made with
ABOUT_ENDS = "about.npy"
ABOUT_TERMS = "about.bin"
# An article's opening: about its first two paragraphs, where it names what it is about.
OPENING_CHARS = 1000
_SEPARATOR = "\x00"  # no term holds it (terms are runs of word characters)


# File names that say what a document is, not what it is about: a project's NEWS, README or
# FAQ is named by the folder it ships in (/usr/share/doc/chrony/NEWS).
_GENERIC_NAME = re.compile(
    r"(?:readme|news|changes|changelog|history|faq|install|authors|thanks|todo|index|"
    r"release[-_]?notes)",
    re.IGNORECASE,
)


def source_names(source: str | None) -> str:
    """What the file an article was read from is named, in words: its name (a word for each
    part of a name joined by underscores, "chrony_news.txt", as well as the name as written)
    and, for a file under a generic name (``.../chrony/NEWS``), its folder's. A URL's folder is
    not a name: a page's folder on a site may be anything."""
    where = urlsplit(source or "")
    path = PurePosixPath(where.path)
    names = f"{path.name}\n{path.name.replace('_', ' ')}"
    if not where.netloc and _GENERIC_NAME.fullmatch(path.name.split(".")[0]):
        names = f"{names}\n{path.parent.name}"
    return names


def about_terms(article: ArticleRecord) -> frozenset[str]:
    """What an article says it is about: its title, its file name (``source_names``) and its
    opening (news and documentation name their subject there; a passing mention later does not
    count): chrony's NEWS never says "chrony" in its title or its first entries."""
    opening = article.text[:OPENING_CHARS]
    named = terms(f"{article.title}\n{source_names(article.source)}\n{opening}")
    return frozenset(named) | recurring_terms(article.text)


# A term an article names again and again is what it is about wherever it first names it
# (PuTTY in a guide to playing over SSH that opens on the game): in this many of its
# paragraphs, and in this share of them; "see also grep(1)" is one.
_RECURRING_PARAGRAPHS = 4
_RECURRING_SHARE = 0.1


def recurring_terms(text: str) -> frozenset[str]:
    """The terms named in many of ``text``'s paragraphs (``_RECURRING_PARAGRAPHS``, and
    ``_RECURRING_SHARE`` of them)."""
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    least = max(_RECURRING_PARAGRAPHS, _RECURRING_SHARE * len(paragraphs))
    counts = Counter(term for paragraph in paragraphs for term in set(terms(paragraph)))
    return frozenset(term for term, count in counts.items() if count >= least)


@functools.cache
def about_fingerprint() -> str:
    """The splitting rules and the functions that make the terms: stored terms made by other
    code are not used. Only those functions' sources and limits count, not this whole file's,
    so that an edit elsewhere in the module (storage, a comment) does not send every snapshot
    back to stemming."""
    digest = hashlib.sha256(rules_fingerprint().encode())
    limits = (OPENING_CHARS, _RECURRING_PARAGRAPHS, _RECURRING_SHARE, _GENERIC_NAME.pattern)
    digest.update(repr(limits).encode())
    for making in (about_terms, source_names, recurring_terms):
        digest.update(inspect.getsource(making).encode())
    return digest.hexdigest()[:16]


@dataclass(frozen=True, slots=True, eq=False)
class AboutTerms:
    """Every article's about-terms, by the article's row in the snapshot's columns."""

    ends: np.ndarray  # (articles,): end of each article's terms in ``data``
    data: bytes | mmap.mmap  # UTF-8; mapped when loaded
    rows: Mapping[str, int] = field(default_factory=dict)  # article id -> row (when loaded)

    def __len__(self) -> int:
        return len(self.ends)

    def get(self, article_id: str) -> frozenset[str]:
        """The terms of the article ``article_id`` (KeyError for one not in the snapshot)."""
        return self.of(self.rows[article_id])

    def of(self, row: int) -> frozenset[str]:
        held = self.stored(row)
        return frozenset(held.decode("utf-8").split(_SEPARATOR)) if held else frozenset()

    @classmethod
    def of_articles(
        cls, articles: Iterable[ArticleRecord], earlier: Earlier | None = None
    ) -> AboutTerms:
        """The terms of ``articles``, in order; those ``earlier`` holds for an unchanged
        article are copied, not stemmed again (a build that adds one article to a large
        corpus would otherwise stem every opening)."""
        parts: list[bytes] = []
        ends: list[int] = []
        size = 0
        for article in articles:
            data = earlier.stored(article) if earlier is not None else None
            if data is None:
                data = _SEPARATOR.join(sorted(about_terms(article))).encode("utf-8")
            parts.append(data)
            size += len(data)
            ends.append(size)
        return cls(np.asarray(ends, dtype=np.int64), b"".join(parts))

    def stored(self, row: int) -> bytes:
        """Row ``row``'s terms as stored."""
        begin = int(self.ends[row - 1]) if row else 0
        return bytes(self.data[begin : int(self.ends[row])])

    def save(self, folder: Path) -> None:
        np.save(folder / ABOUT_ENDS, self.ends, allow_pickle=False)
        (folder / ABOUT_TERMS).write_bytes(self.data)

    @classmethod
    def load(cls, folder: Path, rows: Mapping[str, int]) -> AboutTerms | None:
        """The terms stored in ``folder``, mapped; None when there are none (a snapshot from
        before them) or they do not match its articles (``rows``: id -> row)."""
        ends_file, terms_file = folder / ABOUT_ENDS, folder / ABOUT_TERMS
        if not (ends_file.is_file() and terms_file.is_file()):
            return None
        ends = np.asarray(load_array(ends_file, mapped=True))
        size = terms_file.stat().st_size
        if ends.ndim != 1 or len(ends) != len(rows) or (len(ends) and int(ends[-1]) != size):
            logger.warning("%s does not match the snapshot's articles: not used", ABOUT_ENDS)
            return None
        with open(terms_file, "rb") as handle:
            # An empty file cannot be mapped (no articles, or none with a term).
            data: bytes | mmap.mmap = (
                mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
            )
        return cls(ends, data, rows)


@dataclass(frozen=True, slots=True)
class Earlier:
    """An earlier snapshot's about-terms, for the articles it holds unchanged: the same content
    hash (title, text...) and the same source (which the hash leaves out)."""

    about: AboutTerms
    articles: Mapping[str, ArticleRecord]
    hashes: Mapping[str, str]  # its articles' content hashes
    now: Mapping[str, str]  # the content hashes of the articles being built

    def stored(self, article: ArticleRecord) -> bytes | None:
        hashed = self.hashes.get(article.id)
        if hashed is None or hashed != self.now.get(article.id):
            return None
        if self.articles[article.id].source != article.source:
            return None
        return self.about.stored(self.about.rows[article.id])


def earlier_about(
    folder: Path,
    about_key: object,
    earlier_hashes: Mapping[str, str] | None,
    now: Mapping[str, str] | None,
) -> Earlier | None:
    """``folder``'s about-terms as an ``Earlier``, when made by this code and its articles'
    hashes are known; else None (everything is stemmed)."""
    if about_key != about_fingerprint() or earlier_hashes is None or now is None:
        return None
    articles = Records.of(load_columns(folder)).articles
    about = AboutTerms.load(folder, articles.ordinals)
    return None if about is None else Earlier(about, articles, earlier_hashes, now)
