"""JSON and JSON Lines: one article per object (title, text, url, author, published)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from articleqa.config import Settings
from articleqa.errors import IngestError
from articleqa.ingest import read_file
from articleqa.models import RawArticle
from tests.conftest import SAMPLE_ARTICLES

RECORD = {
    "title": "Chocolate maker to hire 140",
    "text": "Halloran's will build a second factory.\n\nProduction starts in 2028.",
    "url": "https://ledger.example/business/hallorans",
    "author": "Niall Brennan",
    "published": "2026-10-21",
}


def _write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_sample_jsonl_holds_two_articles_with_all_fields(settings: Settings) -> None:
    results = list(read_file(SAMPLE_ARTICLES / "ledger-business-and-technology.jsonl", settings))

    articles = [r for _, r in results]
    assert all(isinstance(a, RawArticle) for a in articles)
    assert [a.title for a in articles if isinstance(a, RawArticle)] == [
        "Halloran's to build second chocolate factory and hire 140",
        "Fibre broadband reaches 4,800 rural homes in west Lakeshore",
    ]
    first = articles[0]
    assert isinstance(first, RawArticle)
    assert first.url == "https://lakeshoreledger.example/business/2026/10/hallorans-second-factory"
    assert first.author == "Niall Brennan"
    assert first.published == dt.date(2026, 10, 21)
    assert [label.rsplit(":", 1)[1] for label, _ in results] == ["1", "2"]


def test_a_bad_line_fails_the_whole_file_naming_the_first_bad_line(
    tmp_path: Path, settings: Settings
) -> None:
    # All or nothing per file (issue 15): records around a bad line are not added either.
    path = _write_lines(
        tmp_path / "feed.jsonl",
        [
            json.dumps(RECORD),
            "{not json",
            json.dumps({"title": "No text here"}),
            "",
            json.dumps({"text": "A body without a title."}),
            json.dumps(["not", "an", "object"]),
            json.dumps({**RECORD, "url": "https://ledger.example/other", "title": "Second"}),
        ],
    )

    [(label, error)] = list(read_file(path, settings))

    assert label == str(path.resolve())
    assert isinstance(error, IngestError)
    assert error.message.startswith("line 2: invalid JSON")
    assert "3 more bad line(s): 3, 5, 6" in error.message
    assert error.message.endswith("nothing from this file was added")


def test_a_record_without_a_title_is_named_by_its_line(tmp_path: Path, settings: Settings) -> None:
    path = _write_lines(tmp_path / "feed.jsonl", [json.dumps(RECORD), json.dumps({"text": "x"})])

    [(_, error)] = list(read_file(path, settings))

    assert isinstance(error, IngestError)
    assert error.message.startswith("line 2: record has no title")


def test_json_file_with_a_list_or_a_single_object(tmp_path: Path, settings: Settings) -> None:
    many = tmp_path / "many.json"
    many.write_text(json.dumps([RECORD, {**RECORD, "title": "Other"}]), encoding="utf-8")
    one = tmp_path / "one.json"
    one.write_text(json.dumps(RECORD), encoding="utf-8")

    many_results = list(read_file(many, settings))
    [(one_label, one_result)] = list(read_file(one, settings))

    assert [label for label, _ in many_results] == [f"{many.resolve()}[0]", f"{many.resolve()}[1]"]
    assert all(isinstance(r, RawArticle) for _, r in many_results)
    assert one_label == str(one.resolve())
    assert isinstance(one_result, RawArticle)
    assert one_result.title == RECORD["title"]


def test_alternative_field_names(tmp_path: Path, settings: Settings) -> None:
    path = _write_lines(
        tmp_path / "alt.jsonl",
        [
            json.dumps(
                {
                    "title": "Alt",
                    "content": "Body from content.",
                    "date": "Tue, 21 Oct 2025 08:00:00 +0000",
                }
            )
        ],
    )

    [(_, raw)] = list(read_file(path, settings))

    assert isinstance(raw, RawArticle)
    assert raw.text == "Body from content."
    assert raw.published == dt.date(2025, 10, 21)
    assert raw.url is None


def test_unparseable_date_is_left_empty_not_an_error(tmp_path: Path, settings: Settings) -> None:
    path = _write_lines(tmp_path / "d.jsonl", [json.dumps({**RECORD, "published": "last Tuesday"})])

    [(_, raw)] = list(read_file(path, settings))

    assert isinstance(raw, RawArticle)
    assert raw.published is None


def test_invalid_json_document_is_one_error(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "broken.json"
    path.write_text('[{"title": "x",', encoding="utf-8")

    [(label, result)] = list(read_file(path, settings))

    assert label == str(path.resolve())
    assert isinstance(result, IngestError)
    assert "invalid JSON" in result.message


def test_empty_json_list_is_reported_not_silently_skipped(
    tmp_path: Path, settings: Settings
) -> None:
    path = tmp_path / "nothing.json"
    path.write_text("[]", encoding="utf-8")

    [(label, result)] = list(read_file(path, settings))

    assert label == str(path.resolve())
    assert isinstance(result, IngestError)
    assert "holds no articles" in result.message
