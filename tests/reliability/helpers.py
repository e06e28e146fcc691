"""Helpers for the reliability tests: CLI subprocesses with crash points, corpora, disk checks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from articleqa.models import RawArticle
from articleqa.paths import SNAPSHOTS
from articleqa.snapshot import current_version, list_versions, load_snapshot
from tests.api.conftest import wait_until

CRASHPOINT = Path(__file__).with_name("crashpoint.py")
REPO = Path(__file__).resolve().parents[2]

_TOPICS = [
    ("harbour", "ferry", "dock workers", "cargo cranes"),
    ("orchard", "apple harvest", "pickers", "cider press"),
    ("library", "reading room", "archivists", "rare maps"),
    ("stadium", "football club", "supporters", "floodlights"),
    ("observatory", "telescope", "astronomers", "comet"),
    ("bakery", "sourdough", "bakers", "stone oven"),
]


def generated_articles(count: int, start: int = 0) -> list[RawArticle]:
    """Distinct news-like articles of a few paragraphs each, so each yields several passages."""
    articles = []
    for n in range(start, start + count):
        place, thing, people, detail = _TOPICS[n % len(_TOPICS)]
        paragraphs = [
            f"The {place} of district {n} reopened on a cold Monday morning after {n + 3} months "
            f"of work. Local {people} said the new {thing} had changed their routine. "
            f"The project cost {n * 7 + 11} thousand euros and was paid by the region.",
            f"Visitors queued from dawn to see the {detail} at the {place} of district {n}. "
            f"One of the {people} explained that the {detail} had been restored by hand. "
            f"Officials expect {n * 13 + 40} visitors a day during the first summer.",
            f"Critics of the {place} in district {n} say the {thing} is too expensive to run. "
            f"The council will review the budget in {2030 + n % 7}, after a public hearing "
            f"where {people} and residents can ask questions about the {detail}.",
        ]
        articles.append(
            RawArticle(title=f"District {n} {place} reopens", text="\n\n".join(paragraphs))
        )
    return articles


def cli_env(home: Path, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "ARTICLEQA_HOME": str(home),
        "ARTICLEQA_EMBEDDING_BACKEND": "fake",
        "PYTHONPATH": str(REPO),
    }
    env.pop("ARTICLEQA_API_TOKEN", None)
    env.update(extra)
    return env


def run_cli(home: Path, *args: str, timeout_s: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "articleqa", *args],
        env=cli_env(home),
        capture_output=True,
        text=True,
        timeout=timeout_s,
    )


@dataclass
class HeldProcess:
    """An ``articleqa`` subprocess stopped at a crash point (see crashpoint.py)."""

    process: subprocess.Popen[str]
    folder: Path
    stage: str

    def wait_at_stage(self, timeout_s: float = 120) -> None:
        reached = self.folder / f"{self.stage}.reached"
        # A hang guard, not a speed check: the process is slow on a loaded machine.
        arrived = wait_until(lambda: reached.exists() or self.process.poll() is not None, timeout_s)
        if not reached.exists():
            self.process.kill()
            out, err = self.process.communicate(timeout=30)
            raise AssertionError(
                f"never reached {self.stage} (arrived={arrived}, rc={self.process.returncode}):"
                f"\n{out}\n{err}"
            )

    def kill_9(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.communicate(timeout=60)
        assert self.process.returncode == -signal.SIGKILL

    def release(self, timeout_s: float = 300) -> tuple[int, str, str]:
        (self.folder / "release").touch()
        out, err = self.process.communicate(timeout=timeout_s)
        return self.process.returncode, out, err


def start_held(home: Path, folder: Path, stage: str, *args: str) -> HeldProcess:
    folder.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [sys.executable, str(CRASHPOINT), *args],
        env=cli_env(home, ARTICLEQA_CRASHPOINT=stage, ARTICLEQA_CRASHPOINT_DIR=str(folder)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return HeldProcess(process, folder, stage)


def staging_folders(home: Path) -> list[str]:
    root = home / SNAPSHOTS
    return sorted(p.name for p in root.glob(".*")) if root.is_dir() else []


def assert_every_visible_snapshot_is_complete(home: Path) -> list[str]:
    """Each folder a reader can see (not hidden) has a manifest and files matching its hashes."""
    versions = list_versions(home)
    for version in versions:
        snapshot = load_snapshot(home, version, verify=True)
        assert snapshot.version == version
    current = current_version(home)
    assert current is None or current in versions
    return versions
