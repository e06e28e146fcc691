"""Issue 15, item 8: a rollback never serves quotes of articles the store no longer holds."""

from __future__ import annotations

from pathlib import Path

from articleqa.snapshot import current_version, load_snapshot
from articleqa.store import ArticleStore
from tests.api.conftest import ARTICLES, add_articles, make_settings
from tests.reliability.helpers import run_cli


def test_rollback_to_a_snapshot_quoting_a_removed_article_is_refused(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "home")
    home = settings.home
    ids = add_articles(settings, ARTICLES[:3])
    assert run_cli(home, "index", "--quiet").returncode == 0
    first = current_version(home)
    removed = run_cli(home, "articles", "remove", ids[0])
    assert removed.returncode == 0, removed.stderr
    assert run_cli(home, "index", "--quiet").returncode == 0
    second = current_version(home)

    refused = run_cli(home, "index", "--rollback")

    assert refused.returncode == 1
    assert refused.stderr == (
        f"error: cannot roll back to {first}: it quotes 1 article(s) the store no longer holds "
        f"as they were ({ids[0]}); re-add them, or run `articleqa index`\n"
    )
    assert current_version(home) == second

    add_articles(settings, ARTICLES[:1])  # the same text: the same id and hash again
    rolled = run_cli(home, "index", "--rollback")
    assert rolled.returncode == 0, rolled.stderr
    assert current_version(home) == first
    store = ArticleStore(home)
    for article_id, record in load_snapshot(home).articles.items():
        assert store.get(article_id).text == record.text  # quote offsets index into it
