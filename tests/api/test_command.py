"""`articleqa serve` as a user runs it: a subprocess on a free loopback port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx

from tests.api.conftest import ARTICLES, add_articles, assert_error, make_settings, wait_until


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_starts_without_an_index_and_picks_one_up(home: Path, tmp_path: Path) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "ARTICLEQA_HOME": str(home),
        "ARTICLEQA_EMBEDDING_BACKEND": "fake",
        "ARTICLEQA_RELOAD_INTERVAL_S": "0.2",
    }
    log_path = tmp_path / "serve.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "articleqa", "serve", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:

        def responding() -> bool:
            if process.poll() is not None:
                return True
            try:
                httpx.get(f"{base}/health", timeout=2)
            except httpx.TransportError:
                return False
            return True

        assert wait_until(responding, 120), "serve did not start"
        assert process.poll() is None, log_path.read_text()
        with httpx.Client(base_url=base, timeout=30) as client:
            error = assert_error(client.get("/health"), 503, "index_not_built")
            assert "articleqa index" in error["message"]
            assert_error(client.get("/ask", params={"q": "tram"}), 503, "index_not_built")

            add_articles(make_settings(home), ARTICLES)
            built = subprocess.run(
                [sys.executable, "-m", "articleqa", "index", "--quiet"],
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert built.returncode == 0, built.stderr
            assert wait_until(lambda: client.get("/health").status_code == 200)
            answer = client.get("/ask", params={"q": "Who won the regional science fair?"})
            assert answer.json()["answered"] is True
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    output = log_path.read_text()
    assert process.returncode == 0, output
    # The web page comes first in the banner; curl after it.
    assert output.index(f"articleqa on http://127.0.0.1:{port}/ ") < output.index("curl -s")
    assert f"curl -s 'http://127.0.0.1:{port}/ask?q=" in output
    assert "Traceback" not in output
