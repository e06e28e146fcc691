"""Issue 15, item 7: production refuses weak tokens; the service says once at start when
writes are disabled."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path

import pytest

from articleqa.config import Settings
from tests.api.conftest import make_settings, serve

WEAK = ["x", "password", "admin", "changeme", "a" * 43, "password" * 4, "0123" * 10]


@pytest.mark.parametrize("token", WEAK)
@pytest.mark.parametrize("name", ["api_token", "read_token"])
def test_production_refuses_weak_tokens(tmp_path: Path, token: str, name: str) -> None:
    strong = {"api_token": secrets.token_urlsafe(32), name: token}
    settings = make_settings(tmp_path, environment="production", **strong)
    with pytest.raises(ValueError, match=f"ARTICLEQA_{name.upper()} .*token_urlsafe"):
        settings.check_secrets()


@pytest.mark.parametrize("token", [secrets.token_urlsafe(32), secrets.token_hex(16)])
def test_production_accepts_generated_tokens(tmp_path: Path, token: str) -> None:
    make_settings(tmp_path, environment="production", api_token=token).check_secrets()


def test_development_accepts_any_token(tmp_path: Path) -> None:
    make_settings(tmp_path, api_token="x").check_secrets()


def test_the_service_logs_once_at_start_that_writes_are_disabled(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="articleqa")
    settings: Settings = make_settings(tmp_path / "home", api_token=None)
    with serve(settings) as live, live.client() as client:
        for _ in range(3):
            assert client.get("/health").status_code in (200, 503)
    disabled = [r for r in caplog.records if "writes are disabled" in r.getMessage()]
    assert len(disabled) == 1
    assert disabled[0].levelno == logging.WARNING


def test_no_such_line_when_a_token_is_set(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="articleqa")
    with serve(make_settings(tmp_path / "home")) as live, live.client() as client:
        client.get("/health")
    assert not [r for r in caplog.records if "writes are disabled" in r.getMessage()]
