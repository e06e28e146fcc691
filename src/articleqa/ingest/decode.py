"""Turning bytes into text, refusing what is not text."""

from __future__ import annotations

import logging
import re
import unicodedata
import zlib

from articleqa.errors import IngestError, SourceTooLarge

logger = logging.getLogger(__name__)

_BOMS = (("utf-8-sig", b"\xef\xbb\xbf"), ("utf-16", b"\xff\xfe"), ("utf-16", b"\xfe\xff"))
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE
)


# Western text in an 8-bit encoding is mostly ASCII letters (French, German or Spanish prose:
# 2-5 % of its letters accented). Text of another script read as windows-1252 is mostly
# accented Latin letters: Cyrillic or Greek bytes all land in 0xC0-0xFF. Half-way between.
_FOREIGN_LETTERS = 0.3
# Text holds next to no control characters besides line and page breaks and tabs; a quarter
# of random bytes (65 of 256) are one.
_CONTROLS = 0.05


def decode_text(
    data: bytes, what: str = "file", declared: str | None = None, legacy: bool = True
) -> str:
    """Decode UTF-8 (or BOM-marked UTF-16) text; raise IngestError for binary data.

    ``declared`` is an encoding the source itself names (an HTML page's meta charset); it is
    tried when the bytes are not UTF-8. Text that is neither (a Debian package's Latin-1
    README, a page that declares nothing) is read as an 8-bit encoding (``_legacy_text``)
    unless ``legacy`` is False: JSON must be UTF-8 (RFC 8259), so other bytes there are a
    broken file, not an old one.
    """
    if not data.strip():
        raise IngestError(f"{what} is empty")
    for encoding, bom in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise IngestError(f"{what} is not valid {encoding} text: {exc.reason}") from exc
    if b"\x00" in data[:8192]:
        raise IngestError(f"{what} looks binary (it contains NUL bytes), not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if declared:
            try:
                return data.decode(declared)
            except (LookupError, UnicodeDecodeError):
                pass
        if not legacy:
            raise IngestError(
                f"{what} is not UTF-8 text (invalid byte at position {exc.start}); "
                "convert it to UTF-8 first"
            ) from exc
        return _legacy_text(data, what)


def _legacy_text(data: bytes, what: str) -> str:
    """Bytes that are not UTF-8, read as windows-1252 (what HTML's standard reads a page
    that declares no encoding as; a superset of Latin-1's letters), or Latin-1 where a byte
    has no windows-1252 meaning. Where that reading is mostly accented letters, the text is of
    another script, and charset-normalizer's guess from the bytes is taken instead."""
    try:
        text, encoding = data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        text, encoding = data.decode("latin-1"), "ISO-8859-1"
    letters = [c for c in text if c.isalpha()]
    if letters and sum(c > "\x7f" for c in letters) > _FOREIGN_LETTERS * len(letters):
        import charset_normalizer

        guess = charset_normalizer.from_bytes(data).best()
        if guess is not None:
            text, encoding = str(guess), guess.encoding
    controls = sum(unicodedata.category(c) == "Cc" and c not in "\t\n\r\f\v" for c in text)
    if controls > _CONTROLS * len(text):
        raise IngestError(f"{what} looks binary (it contains control bytes), not text")
    logger.info("%s is not UTF-8: read as %s", what, encoding)
    return text


def decode_html(data: bytes, what: str = "file") -> str:
    """Decode an HTML page: UTF-8, else the charset its own ``<meta>`` declares."""
    match = _META_CHARSET.search(data[:4096])
    declared = match.group(1).decode("ascii") if match else None
    return decode_text(data, what=what, declared=declared)


def gunzip(data: bytes, limit: int, what: str = "file") -> bytes:
    """The bytes a gzip file holds (Debian ships its documentation and manual pages so),
    refusing more than ``limit`` of them: a small file can hold gigabytes of zeros."""
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # gzip header and trailer
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as exc:
        raise IngestError(f"{what} is not a valid gzip file ({exc})") from exc
    if len(out) > limit:
        raise SourceTooLarge(
            f"{what} holds over {limit:,} bytes once decompressed, the limit "
            "(ARTICLEQA_MAX_ARTICLE_BYTES)"
        )
    if not inflater.eof:
        raise IngestError(f"{what} is not a valid gzip file (it ends too soon)")
    return out
