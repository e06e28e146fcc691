"""Bytes to text: UTF-8 (and BOM-marked UTF-16) accepted, 8-bit text read in its encoding;
binary, empty, and JSON that is not UTF-8 refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from articleqa.config import Settings
from articleqa.errors import IngestError, SourceTooLarge, UnsupportedFormat
from articleqa.ingest import read_file
from articleqa.ingest.decode import decode_html, decode_text
from articleqa.models import RawArticle

STORY = "Café owners on Quay Road say the tram works will cost them customers."


def test_utf8_is_decoded() -> None:
    assert decode_text(STORY.encode("utf-8")) == STORY


def test_utf8_byte_order_mark_is_stripped() -> None:
    assert decode_text(b"\xef\xbb\xbf" + STORY.encode("utf-8")) == STORY


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_with_a_byte_order_mark_is_decoded(encoding: str) -> None:
    bom = b"\xff\xfe" if encoding.endswith("le") else b"\xfe\xff"

    assert decode_text(bom + STORY.encode(encoding)) == STORY


@pytest.mark.parametrize("encoding", ["latin-1", "windows-1252"])
def test_western_8bit_text_is_read(encoding: str) -> None:
    story = "“Café” owners on Quay Road say the tram works – costing them customers…"
    if encoding == "latin-1":
        story = STORY + " Der Bürgermeister sagte: Straße gesperrt."

    assert decode_text(story.encode(encoding)) == story


def test_a_byte_windows_1252_leaves_undefined_is_read_as_latin_1() -> None:
    # 0x81 has no windows-1252 meaning: the whole text is then Latin-1 (a C1 control here).
    data = STORY.encode("latin-1") + b" \x81"

    assert decode_text(data) == STORY + " \x81"


def test_every_latin_1_letter_is_read_as_written() -> None:
    # A FIGlet font file's sample line: every Latin-1 letter, as a charset guess mistakes it
    # for Central European (0xE3 is "ã" there, "ă" in windows-1250).
    letters = "".join(chr(c) for c in range(0xC0, 0x100) if chr(c).isalpha())
    text = f"The font holds these letters: {letters}. Each is 8 rows high.\n" * 3

    assert decode_text(text.encode("latin-1")) == text


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (
            "Городской совет одобрил продление трамвайной линии до набережной. "
            "Работы начнутся весной и продлятся два года, сообщил мэр города.",
            "cp1251",
        ),
        (
            "Το δημοτικό συμβούλιο ενέκρινε την επέκταση της γραμμής του τραμ προς την "
            "προκυμαία. Οι εργασίες θα ξεκινήσουν την άνοιξη.",
            "cp1253",
        ),
    ],
)
def test_8bit_text_of_another_script_is_read_in_its_encoding(text: str, encoding: str) -> None:
    assert decode_text(text.encode(encoding)) == text


def test_json_that_is_not_utf8_is_refused_with_the_position() -> None:
    # JSON is UTF-8 by its standard: other bytes there are a broken file.
    data = STORY.encode("latin-1")

    with pytest.raises(IngestError, match=r"not UTF-8 text \(invalid byte at position 3\)"):
        decode_text(data, legacy=False)


def test_8bit_bytes_full_of_control_codes_are_binary() -> None:
    data = bytes(range(1, 256)) * 8

    with pytest.raises(IngestError, match="looks binary"):
        decode_text(data)


def test_binary_is_refused() -> None:
    with pytest.raises(IngestError, match="looks binary"):
        decode_text(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n  "])
def test_empty_is_refused(data: bytes) -> None:
    with pytest.raises(IngestError, match="is empty"):
        decode_text(data, what="page")


def test_the_error_names_what_was_read() -> None:
    with pytest.raises(IngestError, match=r"^https://news\.example/a is empty$"):
        decode_text(b"", what="https://news.example/a")


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "latin1.json",
            b'{"title": "Caf\xe9", "text": "' + STORY.encode("latin-1") + b'"}',
            "not UTF-8",
        ),
        ("image.txt", b"GIF89a\x01\x00\x01\x00\x00\xff\x00", "looks binary"),
        ("empty.md", b"", "is empty"),
        ("blank.html", b"\n\n   \n", "is empty"),
    ],
)
def test_bad_files_give_one_error_each(
    tmp_path: Path, settings: Settings, name: str, data: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)

    results = list(read_file(path, settings))

    assert len(results) == 1
    label, error = results[0]
    assert label == str(path)
    assert isinstance(error, IngestError)
    assert message in error.message


def test_oversized_file_is_refused_before_it_is_read(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "huge.txt"
    path.write_bytes(b"Title\n\n" + b"word " * (settings.max_article_bytes // 5 + 1))

    [(_, error)] = list(read_file(path, settings))

    assert isinstance(error, SourceTooLarge)
    assert "ARTICLEQA_MAX_ARTICLE_BYTES" in error.message


def test_file_exactly_at_the_limit_is_accepted(tmp_path: Path, home: Path) -> None:
    settings = Settings(home=home, embedding_backend="fake", max_article_bytes=1000, _env_file=None)
    path = tmp_path / "limit.txt"
    body = b"Title\n\n" + b"x" * (1000 - len(b"Title\n\n") - 1) + b"."
    path.write_bytes(body)
    assert path.stat().st_size == 1000

    [(_, raw)] = list(read_file(path, settings))

    assert isinstance(raw, RawArticle)


@pytest.mark.parametrize("name", ["report.pdf", "notes.docx", "README"])
def test_unknown_extension_is_refused(tmp_path: Path, settings: Settings, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"%PDF-1.7 whatever")

    [(label, error)] = list(read_file(path, settings))

    assert label == str(path)
    assert isinstance(error, UnsupportedFormat)
    assert ".txt" in error.message


LEGACY_PAGE = (
    '<html><head><meta charset="windows-1252"><title>Café reopens</title></head><body><article>'
    "<p>The café on Quay Road reopened on Saturday after a fire in March, and the owner, "
    "Zoë Mahon, served 400 customers on the first day – twice the usual number.</p>"
    "</article></body></html>"
)


def test_html_in_the_charset_its_meta_declares_is_decoded() -> None:
    assert decode_html(LEGACY_PAGE.encode("windows-1252")) == LEGACY_PAGE


def test_html_meta_http_equiv_charset_is_honoured() -> None:
    page = LEGACY_PAGE.replace(
        '<meta charset="windows-1252">',
        '<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">',
    ).replace("–", "-")

    assert decode_html(page.encode("latin-1")) == page


@pytest.mark.parametrize(
    "page",
    [
        LEGACY_PAGE.replace('<meta charset="windows-1252">', ""),
        LEGACY_PAGE.replace("windows-1252", "no-such-codec"),
    ],
)
def test_html_without_a_usable_declaration_is_read_as_windows_1252(page: str) -> None:
    # What browsers do with a page that declares no encoding (HTML's standard).
    assert decode_html(page.encode("windows-1252")) == page


def test_a_latin_1_file_is_added_with_its_letters(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "figfont.txt"
    path.write_bytes(
        ("Cafe notes\n\n" + STORY + " Zoë Mahon served 400 customers.\n").encode("latin-1")
    )

    [(_, article)] = list(read_file(path, settings))

    assert isinstance(article, RawArticle)
    assert "Café owners" in article.text and "Zoë Mahon" in article.text


def test_a_declared_charset_does_not_rescue_binary() -> None:
    with pytest.raises(IngestError, match="looks binary"):
        decode_html(b'<meta charset="latin-1">\x00\x01\x02')


def test_legacy_html_file_is_read(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "cafe.html"
    path.write_bytes(LEGACY_PAGE.encode("windows-1252"))

    [(_, raw)] = list(read_file(path, settings))

    assert isinstance(raw, RawArticle)
    assert raw.title == "Café reopens"
    assert "Zoë Mahon" in raw.text
