"""read_sources: files, folders (recursively) and URLs, never stopping at a bad one."""

from __future__ import annotations

import gzip
from pathlib import Path

from articleqa.config import Settings
from articleqa.errors import IngestError, SourceTooLarge, UnsafeURL
from articleqa.ingest import is_url, iter_folder, read_sources
from articleqa.models import RawArticle
from tests.conftest import SAMPLE_ARTICLES


def _tree(root: Path) -> None:
    (root / "news" / "2026").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "a.txt").write_text("First\n\nBody one.", "utf-8")
    (root / "news" / "b.md").write_text("# Second\n\nBody two.", "utf-8")
    (root / "news" / "2026" / "c.html").write_text(
        "<html><head><title>Third</title></head><body><article><p>Body three is a paragraph "
        "long enough to count as the main text of this small page.</p></article></body></html>",
        "utf-8",
    )
    (root / "news" / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00")
    (root / ".git" / "notes.txt").write_text("Hidden\n\nNever read.", "utf-8")
    (root / ".draft.txt").write_text("Draft\n\nNever read either.", "utf-8")


def test_folder_is_read_recursively_in_a_stable_order_skipping_hidden_and_unsupported(
    tmp_path: Path,
) -> None:
    _tree(tmp_path)

    assert [p.relative_to(tmp_path).as_posix() for p in iter_folder(tmp_path)] == [
        "a.txt",
        "news/2026/c.html",
        "news/b.md",
    ]


def test_read_sources_goes_on_after_bad_sources(tmp_path: Path, settings: Settings) -> None:
    _tree(tmp_path)
    empty_folder = tmp_path / "empty"
    empty_folder.mkdir()

    results = list(
        read_sources(
            [
                str(tmp_path / "missing.txt"),
                "http://127.0.0.1:9/",
                str(empty_folder),
                str(tmp_path),
            ],
            settings,
        )
    )

    labels = [label for label, _ in results]
    assert labels[:3] == [str(tmp_path / "missing.txt"), "http://127.0.0.1:9/", str(empty_folder)]
    missing, url, empty = (r for _, r in results[:3])
    assert isinstance(missing, IngestError) and "no such file" in missing.message
    assert isinstance(url, UnsafeURL)
    assert isinstance(empty, IngestError) and "no supported article files" in empty.message
    titles = [r.title for _, r in results[3:] if isinstance(r, RawArticle)]
    assert titles == ["First", "Third", "Second"]


def test_the_sample_corpus_reads_without_errors(settings: Settings) -> None:
    results = list(read_sources([str(SAMPLE_ARTICLES)], settings))

    errors = [(label, r) for label, r in results if isinstance(r, IngestError)]
    assert errors == []
    assert len(results) == 9


def test_is_url() -> None:
    assert is_url("https://news.example/a")
    assert is_url("http://news.example/a")
    assert not is_url("ftp://news.example/a")
    assert not is_url("articles/http-notes.txt")


def test_gzip_compressed_documents_are_read_as_the_file_they_hold(
    tmp_path: Path, settings: Settings
) -> None:
    # Debian ships READMEs and every manual page compressed ("README.md.gz", "scp.1.gz"): a
    # folder of them was skipped whole as unsupported ".gz" files.
    (tmp_path / "README.md.gz").write_bytes(gzip.compress(b"# Zstandard\n\nA fast compressor."))
    (tmp_path / "frob.1.gz").write_bytes(
        gzip.compress(b".TH FROB 1\n.SH NAME\nfrob \\- frobnicate files\n")
    )
    (tmp_path / "changelog.gz").write_bytes(gzip.compress(b"frob (1.0) unstable"))

    assert [p.name for p in iter_folder(tmp_path)] == ["README.md.gz", "frob.1.gz"]
    results = dict(read_sources([str(tmp_path)], settings))
    readme = results[str(tmp_path / "README.md.gz")]
    manual = results[str(tmp_path / "frob.1.gz")]
    assert isinstance(readme, RawArticle) and readme.title == "Zstandard"
    assert readme.text == "A fast compressor."
    assert isinstance(manual, RawArticle) and manual.title == "FROB(1)"


def test_a_compressed_file_too_large_or_broken_is_refused_with_a_reason(
    tmp_path: Path, settings: Settings
) -> None:
    bomb = tmp_path / "bomb.txt.gz"
    bomb.write_bytes(gzip.compress(b"x" * (settings.max_article_bytes + 1)))
    broken = tmp_path / "broken.md.gz"
    broken.write_bytes(gzip.compress(b"# Title\n\nSome text.")[:-12])
    garbage = tmp_path / "garbage.txt.gz"
    garbage.write_bytes(b"not gzip at all")

    results = dict(read_sources([str(bomb), str(broken), str(garbage)], settings))

    too_large = results[str(bomb)]
    assert isinstance(too_large, SourceTooLarge) and "once decompressed" in too_large.message
    for path in (broken, garbage):
        error = results[str(path)]
        assert isinstance(error, IngestError) and "not a valid gzip file" in error.message


def test_a_manual_page_s_section_suffix_is_read_as_a_manual_page(
    tmp_path: Path, settings: Settings
) -> None:
    # /usr/share/man holds "Digest::SHA.3perl.gz", "openssl-req.1ssl.gz", "printf.1p.gz": a
    # folder walk skipped them as unsupported.
    page = b".TH FROB 3perl\n.SH NAME\nFrob \\- frobnicate in Perl\n"
    (tmp_path / "Frob.3perl").write_bytes(page)
    (tmp_path / "frob-req.1ssl.gz").write_bytes(gzip.compress(page))
    (tmp_path / "archive.7z").write_bytes(b"7z\xbc\xaf\x27\x1c")

    assert [p.name for p in iter_folder(tmp_path)] == ["Frob.3perl", "frob-req.1ssl.gz"]
    results = dict(read_sources([str(tmp_path)], settings))
    assert all(isinstance(r, RawArticle) and r.title == "FROB(3perl)" for r in results.values())
