"""The articleqa command end to end (CliRunner, fake embedder): add with bad files, articles
list/show/remove, index, ask --json, and the one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from articleqa.cli.main import main
from articleqa.models import Answer
from articleqa.snapshot import build_lock, current_version
from articleqa.store import ArticleStore
from tests.conftest import REPO, SAMPLE_ARTICLES

MAX_BYTES = 10_000


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner(
        env={
            "ARTICLEQA_EMBEDDING_BACKEND": "fake",
            "ARTICLEQA_MAX_ARTICLE_BYTES": str(MAX_BYTES),
            "ARTICLEQA_ALLOW_PRIVATE_URLS": "false",
        }
    )


def _run(runner: CliRunner, home: Path, *args: str) -> Result:
    return runner.invoke(main, ["--home", str(home), *args], catch_exceptions=False)


def _bad_and_good_files(folder: Path) -> tuple[list[Path], list[Path]]:
    folder.mkdir()
    good_text = folder / "tram.txt"
    good_text.write_text(
        "Council approves tram extension\n\nCouncillors voted 23 to 14 to extend the Harbour "
        "Line by 3.4 kilometres to the hospital at Fenwick Park.\n",
        "utf-8",
    )
    good_md = folder / "museum.md"
    good_md.write_text(
        "---\ntitle: Maritime museum reopens\nauthor: Clara Nwosu\npublished: 2026-06-06\n---\n\n"
        "The Lakeshore Maritime Museum reopened after three years with the lifeboat Grace Darcy.\n",
        "utf-8",
    )
    # JSON is UTF-8 by its standard (an 8-bit text file is read: tests/ingest/test_decode.py).
    latin1 = folder / "latin1.json"
    latin1.write_bytes('{"title": "Café reopens", "text": "The café reopened."}'.encode("latin-1"))
    binary = folder / "photo.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 4)
    empty = folder / "empty.md"
    empty.write_bytes(b"")
    oversized = folder / "huge.txt"
    oversized.write_text("Huge\n\n" + "word " * MAX_BYTES, "utf-8")
    unknown = folder / "report.pdf"
    unknown.write_bytes(b"%PDF-1.7")
    return [good_text, good_md], [latin1, binary, empty, oversized, unknown]


def test_add_reports_each_bad_file_on_one_line_and_keeps_the_good_ones(
    runner: CliRunner, home: Path, tmp_path: Path
) -> None:
    good, bad = _bad_and_good_files(tmp_path / "in")
    unknown = bad[-1]
    missing = tmp_path / "missing.txt"

    # The folder holds every file; unsupported ones are skipped in folders, so the PDF and a
    # missing path are also named explicitly, as a user would.
    result = _run(runner, home, "add", str(tmp_path / "in"), str(unknown), str(missing))

    assert result.exit_code == 1
    failed = [line for line in result.stderr.splitlines() if line.startswith("failed")]
    expected_bad = [*(p for p in bad if p != unknown), unknown, missing]
    assert len(failed) == len(expected_bad)
    for path in expected_bad:
        assert sum(line.split()[1] == f"{path}:" for line in failed) == 1, path
    messages = "\n".join(failed)
    for fragment in (
        "not UTF-8",
        "looks binary",
        "is empty",
        "byte limit",
        "unsupported file type",
        "no such file",
    ):
        assert fragment in messages
    assert "Traceback" not in result.output
    assert result.stderr.splitlines()[-1] == "2 added or checked, 6 failed"
    created = [line for line in result.stdout.splitlines() if line.startswith("created")]
    assert len(created) == len(good)
    store = ArticleStore(home)
    assert sorted(a.title for a in store.list()) == [
        "Council approves tram extension",
        "Maritime museum reopens",
    ]


def test_add_twice_reports_unchanged_and_succeeds(runner: CliRunner, home: Path) -> None:
    first = _run(runner, home, "add", str(SAMPLE_ARTICLES))
    second = _run(runner, home, "add", str(SAMPLE_ARTICLES))

    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    assert [line.split()[0] for line in first.stdout.splitlines()] == ["created"] * 9
    assert [line.split()[0] for line in second.stdout.splitlines()] == ["unchanged"] * 9


def test_add_json_prints_one_object_per_source(
    runner: CliRunner, home: Path, tmp_path: Path
) -> None:
    good, bad = _bad_and_good_files(tmp_path / "in")

    result = _run(runner, home, "add", "--json", str(good[0]), str(bad[0]))

    assert result.exit_code == 1
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["status"] for r in records] == ["created", "failed"]
    assert records[0]["article_id"] and records[0]["title"] == "Council approves tram extension"
    assert records[1]["error_code"] == "ingest_failed"
    assert records[1]["source"] == str(bad[0])


def test_add_refuses_a_loopback_url(runner: CliRunner, home: Path) -> None:
    result = _run(runner, home, "add", "http://127.0.0.1:9/story")

    assert result.exit_code == 1
    [line] = [line for line in result.stderr.splitlines() if line.startswith("failed")]
    assert "http://127.0.0.1:9/story" in line
    assert "refusing to fetch" in line


def test_articles_list_show_remove(runner: CliRunner, home: Path) -> None:
    assert _run(runner, home, "add", str(SAMPLE_ARTICLES)).exit_code == 0

    listed = _run(runner, home, "articles", "list")
    listed_json = json.loads(_run(runner, home, "articles", "list", "--json").stdout)
    page = json.loads(
        _run(runner, home, "articles", "list", "--json", "--offset", "2", "--limit", "3").stdout
    )

    assert listed.exit_code == 0
    assert len(listed.stdout.splitlines()) == 9
    assert listed.stderr.strip() == "9 of 9 articles"
    assert len(listed_json) == 9
    assert [a["id"] for a in page] == [a["id"] for a in listed_json[2:5]]
    assert all("text" not in a for a in listed_json)
    rovers = next(a for a in listed_json if a["title"].startswith("Lakeshore Rovers"))
    assert f"{rovers['id']}  2026-10-19  {rovers['title']}" in listed.stdout

    shown = _run(runner, home, "articles", "show", rovers["id"])
    shown_json = json.loads(_run(runner, home, "articles", "show", "--json", rovers["id"]).stdout)

    assert shown.exit_code == 0
    assert shown.stdout.startswith(f"{rovers['title']}\nid: {rovers['id']}\n")
    assert "author: Sean Gallagher" in shown.stdout
    assert shown_json["text"] in shown.stdout
    assert shown_json["text"] == ArticleStore(home).get(rovers["id"]).text

    removed = _run(runner, home, "articles", "remove", rovers["id"])
    assert removed.exit_code == 0
    assert removed.stdout.strip() == f"removed {rovers['id']}"
    assert len(json.loads(_run(runner, home, "articles", "list", "--json").stdout)) == 8


@pytest.mark.parametrize("command", [["articles", "show", "nope"], ["articles", "remove", "nope"]])
def test_unknown_article_is_one_error_line(
    runner: CliRunner, home: Path, command: list[str]
) -> None:
    result = _run(runner, home, *command)

    assert result.exit_code == 1
    assert result.stderr == "error: no article with id 'nope'\n"


def test_ask_before_any_index_is_a_clear_error(runner: CliRunner, home: Path) -> None:
    result = _run(runner, home, "ask", "Who won the regional science fair?")

    assert result.exit_code == 1
    assert result.stderr.startswith("error: no index has been built yet")
    assert len(result.stderr.splitlines()) == 1


def _indexed(runner: CliRunner, home: Path) -> None:
    assert _run(runner, home, "add", str(SAMPLE_ARTICLES)).exit_code == 0
    result = _run(runner, home, "index", "--quiet")
    assert result.exit_code == 0, result.output
    assert "published" in result.stdout


def test_ask_json_follows_the_contract(runner: CliRunner, home: Path) -> None:
    _indexed(runner, home)

    result = _run(runner, home, "ask", "Who won the regional science fair?", "--k", "3", "--json")

    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert set(payload) >= {"question", "answered", "quotes", "index_version", "took_ms"}
    assert payload["question"] == "Who won the regional science fair?"
    assert payload["answered"] is True
    assert payload["index_version"] == current_version(home)
    assert isinstance(payload["took_ms"], float | int)
    assert 1 <= len(payload["quotes"]) <= 3
    store = ArticleStore(home)
    for quote in payload["quotes"]:
        assert set(quote) >= {"text", "highlight", "start", "end", "score", "article"}
        assert set(quote["article"]) == {"id", "title", "url", "author", "published"}
        assert set(quote["highlight"]) == {"text", "start", "end"}
        text = store.get(quote["article"]["id"]).text
        assert quote["text"] == text[quote["start"] : quote["end"]]
    Answer.model_validate(payload)


def test_ask_readable_output_marks_the_highlight(runner: CliRunner, home: Path) -> None:
    _indexed(runner, home)

    result = _run(runner, home, "ask", "Who won the regional science fair?", "-k", "1")

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "[1] Westbrook student wins regional science fair with river-cleaning robot"
    assert any("»" in line and "Priya Raman" in line for line in lines)
    assert lines[-1].startswith(f"index {current_version(home)}")


def test_ask_readable_output_names_the_section(
    runner: CliRunner, home: Path, tmp_path: Path
) -> None:
    doc = tmp_path / "decoder.md"
    doc.write_text(
        "# String decoder\n\nDecodes buffers into strings.\n\n"
        "### stringDecoder.end([buffer])\n\n"
        "Returns any remaining input stored in the internal buffer as a string.\n"
    )
    assert _run(runner, home, "add", str(doc)).exit_code == 0
    assert _run(runner, home, "index", "--quiet").exit_code == 0

    result = _run(runner, home, "ask", "What returns the remaining input in the buffer?", "-k", "1")

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:2] == ["[1] String decoder", "    § stringDecoder.end([buffer])"]


@pytest.mark.parametrize("k", ["0", "11", "three"])
def test_ask_rejects_a_bad_k(runner: CliRunner, home: Path, k: str) -> None:
    result = runner.invoke(main, ["--home", str(home), "ask", "Who won?", "--k", k])

    assert result.exit_code == 2
    assert "Invalid value for '-k' / '--k'" in result.stderr


def test_index_while_another_rebuild_runs(runner: CliRunner, home: Path) -> None:
    assert _run(runner, home, "add", str(SAMPLE_ARTICLES)).exit_code == 0

    with build_lock(home):
        result = _run(runner, home, "index", "--quiet")

    assert result.exit_code == 1
    assert result.stderr.startswith("error: another index rebuild is running")
    assert current_version(home) is None


def test_index_rollback(runner: CliRunner, home: Path) -> None:
    _indexed(runner, home)
    first = current_version(home)
    # An added article, not a removed one: a snapshot quoting a removed article is not rolled
    # back to (tests/reliability/test_rollback_articles.py).
    extra = home.parent / "extra.txt"
    extra.write_text("Ferry timetable\n\nThe winter ferry timetable starts on Monday.\n")
    assert _run(runner, home, "add", str(extra)).exit_code == 0
    assert _run(runner, home, "index", "--quiet").exit_code == 0
    assert current_version(home) != first

    result = _run(runner, home, "index", "--rollback")

    assert result.exit_code == 0
    assert result.stdout.strip() == f"rolled back: {first} is current"
    assert current_version(home) == first
    again = _run(runner, home, "index", "--rollback")
    assert again.exit_code == 1
    assert again.stderr == "error: there is no earlier snapshot to roll back to\n"


def test_index_full_embeds_everything_again(runner: CliRunner, home: Path) -> None:
    _indexed(runner, home)
    again = _run(runner, home, "index", "--quiet")
    full = _run(runner, home, "index", "--quiet", "--full")

    assert again.exit_code == 0 and again.stdout.startswith("unchanged: ")
    assert "nothing changed since it was built" in again.stdout
    assert full.exit_code == 0 and " 0 reused)" in full.stdout
    refused = runner.invoke(main, ["--home", str(home), "index", "--full", "--rollback"])
    assert refused.exit_code == 2 and "--full builds" in refused.stderr


def test_status_says_what_is_stored_and_published(runner: CliRunner, home: Path) -> None:
    empty = _run(runner, home, "status")
    assert empty.exit_code == 0
    assert "0 articles" in empty.stdout and "none built yet" in empty.stdout

    _indexed(runner, home)
    current = current_version(home)
    ready = json.loads(_run(runner, home, "status", "--json").stdout)
    assert ready["up_to_date"] and ready["articles"] == ready["index"]["counts"]["articles"]
    assert ready["index"]["version"] == current and ready["backend"] == "embedded"

    extra = home.parent / "extra.txt"
    extra.write_text("Ferry timetable\n\nThe winter ferry timetable starts on Monday.\n")
    assert _run(runner, home, "add", str(extra)).exit_code == 0
    assert "run `articleqa index`" in _run(runner, home, "status").stdout

    (home / "snapshots" / str(current) / "manifest.json").write_text("not json")
    damaged = _run(runner, home, "status")
    assert damaged.exit_code == 0 and "unreadable manifest" in damaged.stdout


def test_real_process_exit_status_and_stderr(home: Path, tmp_path: Path) -> None:
    good, bad = _bad_and_good_files(tmp_path / "in")
    env = {
        **os.environ,
        "ARTICLEQA_HOME": str(home),
        "ARTICLEQA_EMBEDDING_BACKEND": "fake",
        "ARTICLEQA_MAX_ARTICLE_BYTES": str(MAX_BYTES),
    }

    completed = subprocess.run(
        [sys.executable, "-m", "articleqa", "add", *map(str, [*good, *bad])],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert completed.returncode == 1
    failed = [line for line in completed.stderr.splitlines() if line.startswith("failed")]
    assert len(failed) == len(bad)
    assert "Traceback" not in completed.stderr
    assert ArticleStore(home).count() == len(good)


def test_collection_option_scopes_add_index_ask_and_status(
    runner: CliRunner, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    folder = tmp_path / "club"
    folder.mkdir()
    (folder / "novel.txt").write_text(
        "Book club picks a lighthouse novel\n\nThe Thursday book club chose The Lighthouse "
        "Keeper's Daughter for December, meeting at the Alder Street library.\n",
        "utf-8",
    )
    assert _run(runner, home, "add", "--collection", "club", str(folder)).exit_code == 0
    assert _run(runner, home, "index", "-q", "--collection", "club").exit_code == 0
    answer = _run(
        runner, home, "ask", "--collection", "club", "Which novel did the club choose?", "--json"
    )
    assert answer.exit_code == 0 and Answer.model_validate_json(answer.stdout).answered
    status = json.loads(_run(runner, home, "status", "--collection", "club", "--json").stdout)
    assert status["collection"] == "club" and status["articles"] == 1 and status["up_to_date"]
    # The default collection saw none of it.
    assert json.loads(_run(runner, home, "status", "--json").stdout)["articles"] == 0
    assert current_version(home) is None

    unknown = _run(runner, home, "ask", "--collection", "nowhere", "Anything?")
    assert unknown.exit_code == 1
    assert unknown.stderr.strip().startswith("error: no collection named 'nowhere'")
    invalid = _run(runner, home, "add", "--collection", "Bad Name", str(folder))
    assert invalid.exit_code == 1 and "invalid collection name" in invalid.stderr
