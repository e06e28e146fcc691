"""Issue 15: property-based fuzzing of the ingest readers.

Random bytes and random JSON structures go into `.json`, `.jsonl`, `.md`, `.html` and `.txt`
files, added together with one good file. The guarantee: nothing raises; every failure is one
line naming its source (a JSON list may fail record by record, every other file at most once);
the good file is always stored, and so is everything reported as stored.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from articleqa.config import Settings
from articleqa.service import ingest
from articleqa.store import ArticleStore

GOOD = "A good article\n\nThe ferry timetable changes on Monday, the council said.\n"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(
            st.sampled_from(["title", "text", "url", "date", "x"]), children, max_size=5
        )
    ),
    max_leaves=25,
)
records = st.fixed_dictionaries(
    {},
    optional={
        "title": st.text(max_size=30) | json_values,
        "text": st.text(max_size=200) | json_values,
        "url": st.text(max_size=30),
        "published": st.text(max_size=20) | st.integers(),
        "author": json_values,
    },
)
nesting = st.integers(1, 60_000).map(lambda depth: "[" * depth + "]" * depth)


def _json_text(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["values", "records", "list", "nesting", "text"]))
    if kind == "values":
        return json.dumps(draw(json_values))
    if kind == "records":
        return json.dumps(draw(records))
    if kind == "list":
        return json.dumps(draw(st.lists(records, max_size=6)))
    if kind == "nesting":
        return draw(nesting)
    return draw(st.text(max_size=300))


@st.composite
def sources(draw: st.DrawFn) -> tuple[str, bytes]:
    suffix = draw(st.sampled_from([".json", ".jsonl", ".md", ".html", ".txt"]))
    if draw(st.integers(0, 4)) == 0:
        return suffix, draw(st.binary(max_size=600))
    if suffix == ".json":
        text = _json_text(draw)
    elif suffix == ".jsonl":
        count = draw(st.integers(0, 5))
        text = "\n".join(
            draw(st.one_of(records.map(json.dumps), st.text(max_size=60), nesting))
            for _ in range(count)
        )
    else:
        text = draw(st.text(max_size=400))
        if suffix == ".html" and draw(st.booleans()):
            text = f"<html><body><h1>{text[:20]}</h1><p>{text}</p></body></html>"
    return suffix, text.encode("utf-8", errors="surrogatepass")


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(files=st.lists(sources(), min_size=1, max_size=5))
# Found by this test: two pages with the same text and different titles are one article.
@example(
    files=[
        (".html", b"0\xc2\x80"),
        (".html", b"<html><body><h1>0\xc2\x80</h1><p>0\xc2\x80</p></body></html>"),
    ]
)
def test_bad_sources_are_one_line_each_and_nothing_else_is_lost(
    files: list[tuple[str, bytes]],
) -> None:
    with tempfile.TemporaryDirectory(prefix="aqa-fuzz-") as folder:
        root = Path(folder)
        settings_ = Settings(home=root / "home", embedding_backend="fake", _env_file=None)  # type: ignore[call-arg]
        paths = []
        for number, (suffix, data) in enumerate(files):
            path = root / f"source-{number}{suffix}"
            path.write_bytes(data)
            paths.append(path)
        good = root / "good.txt"
        good.write_text(GOOD)
        store = ArticleStore(settings_.home)

        outcomes = ingest([*map(str, paths), str(good)], store, settings_)

        per_file: dict[str, list[str]] = {}
        stored_titles: dict[str, str | None] = {}
        for outcome in outcomes:
            owner = next(
                (str(p) for p in [*paths, good] if outcome.source.startswith(str(p.resolve()))),
                next((str(p) for p in [*paths, good] if outcome.source == str(p)), None),
            )
            assert owner is not None, outcome
            if outcome.failed:
                assert outcome.error and "\n" not in outcome.error, outcome
                per_file.setdefault(owner, []).append(outcome.error)
            else:
                assert outcome.article_id is not None
                # Two sources with the same text are one article: the later one is stored.
                stored_titles[outcome.article_id] = outcome.title
        for article_id, title in stored_titles.items():
            assert store.get(article_id).title == title
        for owner, errors in per_file.items():
            if not owner.endswith(".json"):
                assert len(errors) == 1, (owner, errors)
        assert str(good) not in per_file
        assert any(a.title == "A good article" for a in store.list(0, 1000))
