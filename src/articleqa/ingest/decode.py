"""Turning bytes into text, refusing what is not text."""

from __future__ import annotations

import re
import zlib

from articleqa.errors import IngestError, SourceTooLarge

_BOMS = (("utf-8-sig", b"\xef\xbb\xbf"), ("utf-16", b"\xff\xfe"), ("utf-16", b"\xfe\xff"))
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE
)


def decode_text(data: bytes, what: str = "file", declared: str | None = None) -> str:
    """Decode UTF-8 (or BOM-marked UTF-16) text; raise IngestError for binary or other encodings.

    ``declared`` is an encoding the source itself names (an HTML page's meta charset); it is
    tried when the bytes are not UTF-8.
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
        raise IngestError(
            f"{what} is not UTF-8 text (invalid byte at position {exc.start}); "
            "convert it to UTF-8 first"
        ) from exc


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
