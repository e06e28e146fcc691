"""Run a document set (docs/, docs.json, questions.json) exactly as a user would.

`articleqa add` and `articleqa index` (the CLI) into a fresh data directory, `articleqa serve`
on 127.0.0.1, every question through `POST /ask`, and each quote checked against the stored
text from `GET /articles/{id}`. Prints one table row, scored like `articleqa eval` with every
rule on (what a user gets; `articleqa eval` turns the abstention rules off to measure ranking):
hit@1 / hit@3 / highlight@1 over answerable questions (an unanswered question is a miss),
answered, and the share of near / off questions declined.

    .venv/bin/python eval/ask_as_a_user.py eval/realdocs
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from articleqa.evaluation import contains_verbatim, load_document_set

ROOT = Path(__file__).resolve().parent.parent
CLI = Path(sys.executable).parent / "articleqa"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _run(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run([str(CLI), *args], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"articleqa {' '.join(args)} failed: {done.stderr.strip()}")


def _wait_ready(client: httpx.Client, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("articleqa serve exited")
        try:
            if client.get("/health").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise SystemExit("articleqa serve did not become ready")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    options = parser.parse_args()
    documents = load_document_set(options.folder)
    with tempfile.TemporaryDirectory(prefix="articleqa-user-") as home:
        env = {**os.environ, "ARTICLEQA_HOME": home, "HF_HUB_OFFLINE": "1"}
        env.pop("ARTICLEQA_DATABASE_URL", None)
        _run(["add", *(str(options.folder / "docs" / f) for f in documents.groups)], env)
        _run(["index", "--quiet"], env)
        port = _free_port()
        server = subprocess.Popen(
            [str(CLI), "serve", "--port", str(port), "--no-access-log"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
                _wait_ready(client, server)
                print(_row(client, documents))
        finally:
            server.terminate()
            server.wait(timeout=30)


def _ask(client: httpx.Client, question: str) -> dict[str, Any]:
    response = client.post("/ask", json={"question": question, "k": 3})
    response.raise_for_status()
    answer: dict[str, Any] = response.json()
    return answer


def _row(client: httpx.Client, documents: Any) -> str:
    texts: dict[str, str] = {}
    hit1 = hit3 = highlight1 = answered = 0
    lengths: list[int] = []
    for question in documents.questions:
        answer = _ask(client, question.text)
        quotes = answer["quotes"] if answer["answered"] else []
        for quote in quotes:
            article_id = quote["article"]["id"]
            if article_id not in texts:
                texts[article_id] = client.get(f"/articles/{article_id}").json()["text"]
            if texts[article_id][quote["start"] : quote["end"]] != quote["text"]:
                raise SystemExit(f"quote not verbatim: {question.text!r}")
            lengths.append(len(quote["text"]))
        answered += bool(answer["answered"])
        hit1 += bool(quotes) and contains_verbatim(quotes[0]["text"], question.answers)
        hit3 += any(contains_verbatim(q["text"], question.answers) for q in quotes[:3])
        highlight = quotes[0]["highlight"] if quotes else None
        highlight1 += bool(highlight) and contains_verbatim(highlight["text"], question.answers)
    declined: dict[str, str] = {}
    for kind in ("near", "off"):
        asked = [u for u in documents.unanswerable if u.kind == kind]
        if asked:
            share = sum(not _ask(client, u.text)["answered"] for u in asked) / len(asked)
            declined[kind] = f"{share:.3f}"
    n = len(documents.questions)
    return json.dumps(
        {
            "questions": n,
            "hit@1": round(hit1 / n, 3),
            "hit@3": round(hit3 / n, 3),
            "highlight@1": round(highlight1 / n, 3),
            "answered": round(answered / n, 3),
            "median quote": statistics.median(lengths) if lengths else 0,
            "declined near": declined.get("near"),
            "declined off": declined.get("off"),
            "every quote verbatim": True,
        }
    )


if __name__ == "__main__":
    main()
