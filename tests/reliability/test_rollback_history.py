"""Issue 15, item 5: rollback goes only to versions that were published.

A real ``kill -9`` of ``articleqa index`` between renaming its folder into ``snapshots/`` and
replacing ``CURRENT`` leaves a complete folder nobody ever served. It must never become
current through a rollback, never be a fallback, and never take one of the kept slots.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from articleqa import indexer as indexer_module
from articleqa.paths import HISTORY
from articleqa.snapshot import (
    VECTORS,
    current_version,
    list_versions,
    load_best,
    published_versions,
    rollback,
    snapshots_dir,
)
from tests.api.conftest import ARTICLES, add_articles, build_index, make_settings
from tests.reliability.helpers import generated_articles, run_cli, start_held


def test_a_snapshot_killed_before_publishing_is_never_rolled_back_to(tmp_path: Path) -> None:
    # Two kept slots: the orphan must not push the first published version out.
    settings = make_settings(tmp_path / "home", keep_snapshots=2)
    add_articles(settings, ARTICLES)
    first = build_index(settings).version
    add_articles(settings, generated_articles(2))
    held = start_held(settings.home, tmp_path / "crash", "renamed", "index", "--quiet")
    held.wait_at_stage()
    held.kill_9()
    [orphan] = [v for v in list_versions(settings.home) if v != first]
    assert current_version(settings.home) == first
    assert orphan not in published_versions(settings.home)

    add_articles(settings, generated_articles(1, start=7))
    result = run_cli(settings.home, "index", "--quiet", "--wait", "60")
    assert result.returncode == 0, result.stderr
    third = current_version(settings.home)
    assert third is not None and third > orphan
    # The orphan is removed by the next build, and the first version keeps its slot.
    assert list_versions(settings.home) == [first, third]

    rolled = run_cli(settings.home, "index", "--rollback")
    assert rolled.returncode == 0, rolled.stderr
    assert rolled.stdout.strip() == f"rolled back: {first} is current"
    assert current_version(settings.home) == first
    # In the order CURRENT named them.
    assert (settings.home / HISTORY).read_text().split() == [third, first]


def test_rollback_and_fallback_skip_a_folder_that_was_never_published(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings(tmp_path / "home")
    add_articles(settings, ARTICLES)
    first = build_index(settings).version
    # Pruning held off, so the never-published folder is still there when it matters.
    monkeypatch.setattr(indexer_module, "prune", lambda home, keep: [])
    add_articles(settings, generated_articles(1))
    with monkeypatch.context() as patch:
        patch.setattr(indexer_module, "publish", lambda home, version: None)
        orphan = build_index(settings).version
    add_articles(settings, generated_articles(1, start=5))
    third = build_index(settings).version
    assert list_versions(settings.home) == [first, orphan, third]
    with open(snapshots_dir(settings.home) / third / VECTORS, "r+b") as handle:
        handle.seek(64)
        handle.write(b"\xff" * 16)

    loaded = load_best(settings.home)
    assert loaded.snapshot.version == first and loaded.fallback_reason is not None
    assert rollback(settings.home) == first


def test_a_home_from_before_the_record_does_not_adopt_its_orphan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings(tmp_path / "home")
    add_articles(settings, ARTICLES)
    first = build_index(settings).version
    add_articles(settings, generated_articles(1))
    with monkeypatch.context() as patch:
        patch.setattr(indexer_module, "publish", lambda home, version: None)
        orphan = build_index(settings).version
    (settings.home / HISTORY).unlink()  # as a home written before PUBLISHED existed
    add_articles(settings, generated_articles(1, start=5))

    third = build_index(settings).version

    assert (settings.home / HISTORY).read_text().split() == [first, third]
    assert list_versions(settings.home) == [first, third]
    assert orphan not in published_versions(settings.home)
