"""Issue 15, item 9: with no articles, `index` and `ask` say so instead of "not answered"."""

from __future__ import annotations

from pathlib import Path

from articleqa.snapshot import current_version
from articleqa.store import ArticleStore
from tests.api.conftest import ARTICLES, add_articles, make_settings, serve
from tests.reliability.helpers import run_cli

MESSAGE = "no articles yet: add some first"


def test_index_on_an_empty_store_is_one_line_and_publishes_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"

    result = run_cli(home, "index", "--quiet")

    assert result.returncode == 1
    assert result.stderr == f"error: {MESSAGE}\n"
    assert current_version(home) is None


def test_ask_over_an_emptied_store_says_there_are_no_articles(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "home")
    ids = add_articles(settings, ARTICLES[:1])
    assert run_cli(settings.home, "index", "--quiet").returncode == 0
    ArticleStore(settings.home).remove(ids[0])
    assert run_cli(settings.home, "index", "--quiet").returncode == 0

    asked = run_cli(settings.home, "ask", "Who won the regional science fair?")
    assert asked.returncode == 0, asked.stderr
    assert asked.stdout == f"{MESSAGE}\n"
    with serve(settings) as live, live.client() as client:
        response = client.post("/ask", json={"question": "Who won the science fair?"})
    assert response.status_code == 200, response.text
    assert response.json()["answered"] is False
    assert response.json()["message"] == MESSAGE
