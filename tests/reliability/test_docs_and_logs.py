"""Issue 15, item 11: the README says what the code does; quiet means quiet; folders say what
they skipped; /metrics names the docs routes; tokens in query strings stay out of the logs."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from bench.load import ServerProcess, prepare_home, start_server

from articleqa import onnx_embedding
from articleqa.config import Settings
from tests.api.conftest import make_settings, serve
from tests.conftest import REPO
from tests.reliability.helpers import run_cli

README = (REPO / "README.md").read_text()
API_TOKEN = "api-token-Vb2mX8kQ4nR7tY1wP9sL3dF6"


def _readme_defaults() -> dict[str, str]:
    """``ARTICLEQA_X`` -> the default the README's configuration table gives."""
    rows = re.findall(r"^\| `ARTICLEQA_([A-Z0-9_]+)` \| `([^`]*)` \|", README, re.MULTILINE)
    return {name.lower(): default for name, default in rows}


def test_the_readme_settings_table_gives_the_real_defaults() -> None:
    defaults = _readme_defaults()
    assert "embedding_backend" in defaults
    checked = 0
    for name, documented in defaults.items():
        field = Settings.model_fields.get(name)
        if field is None or not isinstance(field.default, str | int | float | bool):
            continue
        if isinstance(field.default, bool):
            assert documented.lower() == str(field.default).lower(), name
        elif isinstance(field.default, int | float):
            assert float(documented.replace(",", "").replace("_", "")) == field.default, name
        else:
            assert documented == field.default, name
        checked += 1
    assert checked > 10


def test_the_readme_says_how_to_run_the_installed_command() -> None:
    section = README.split("## Command line", 1)[1].split("\n## ", 1)[0]
    assert ".venv/bin/articleqa" in section and "source .venv/bin/activate" in section


def test_the_onnx_export_notice_is_not_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    class Stop(Exception):
        pass

    def stop(*args: object) -> None:
        raise Stop

    monkeypatch.setattr(onnx_embedding, "_export_fp32", stop)
    caplog.set_level(logging.DEBUG, logger="articleqa")
    with pytest.raises(onnx_embedding.OnnxExportError):
        onnx_embedding._export(tmp_path / "models", tmp_path / "source", "hash")
    notices = [r for r in caplog.records if "about a minute" in r.getMessage()]
    assert [r.levelno for r in notices] == [logging.INFO]


def test_a_folder_add_says_which_files_it_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "story.txt").write_text("A story\n\nThe ferry timetable changes on Monday.\n")
    (folder / "scan.pdf").write_bytes(b"%PDF-1.4")
    (folder / "photo.jpg").write_bytes(b"\xff\xd8")
    (folder / ".hidden.pdf").write_bytes(b"%PDF-1.4")

    result = run_cli(tmp_path / "home", "add", str(folder))

    assert result.returncode == 0, result.stderr
    skipped = [line for line in result.stderr.splitlines() if "skipped" in line]
    assert len(skipped) == 1, result.stderr
    assert "skipped 2 unsupported file(s) (1 .jpg, 1 .pdf)" in skipped[0]


def test_metrics_name_the_docs_routes(tmp_path: Path) -> None:
    with serve(make_settings(tmp_path / "home")) as live, live.client() as client:
        assert client.get("/docs").status_code == 200
        assert client.get("/openapi.json").status_code == 200
        assert client.get("/no-such-path").status_code == 404
        metrics = client.get("/metrics").text
    assert 'route="/docs"' in metrics and 'route="/openapi.json"' in metrics
    assert 'route="unmatched"' in metrics  # still there for paths nothing serves


@pytest.fixture(scope="module")
def verbose_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    home = tmp_path_factory.mktemp("redact") / "home"
    prepare_home(home, "fake")
    process = start_server(home, "fake", {"ARTICLEQA_API_TOKEN": API_TOKEN}, verbose=True)
    try:
        yield process
    finally:
        process.stop()


def test_a_token_in_a_query_string_is_redacted_in_the_access_log(
    verbose_server: ServerProcess,
) -> None:
    secrets = {"token": "qs-secret-1a2b3c", "access_token": "qs-secret-4d5e6f"}
    with httpx.Client(base_url=verbose_server.base_url, timeout=60) as client:
        for name, value in secrets.items():
            assert client.get("/ask", params={"q": "ferry", name: value}).status_code == 200
        client.get("/index", params={"api_key": "qs-secret-7g8h9i"})
        client.get("/health", params={"x": API_TOKEN})
    log = verbose_server.log_path.read_text(errors="replace")
    assert "GET /ask?q=ferry&token=[redacted]" in log, log[-2000:]
    for value in [*secrets.values(), "qs-secret-7g8h9i", API_TOKEN]:
        assert value not in log
