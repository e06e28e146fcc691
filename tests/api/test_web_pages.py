"""The web pages over plain HTTP: offsets, escaping helpers, headers, sign-in cookies, CSRF,
read tokens, and the offline docs' assets. The browser tests show the same pages in Chromium."""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from articleqa.api.routes.pages import CSP, _safe_link, article_marks, quote_view
from articleqa.models import ArticleRef, Highlight, Quote
from articleqa.store import ArticleStore
from tests.api.conftest import (
    ARTICLES,
    READ_TOKEN,
    WRITE_TOKEN,
    LiveServer,
    add_articles,
    build_index,
    make_settings,
    serve,
    wait_until,
)

TEXT = "Alpha beta. Gamma delta epsilon. Zeta eta."


def _csrf(client: httpx.Client, path: str = "/library") -> str:
    """The CSRF value a page's forms carry (the same as its HttpOnly cookie)."""
    page = client.get(path)
    cookie = client.cookies["articleqa_csrf"]
    match = re.search(r'name="csrf" value="([^"]+)"', page.text)
    if match:  # a page without forms has no field, only the cookie
        assert match.group(1) == cookie
    return cookie


def _sign_in(client: httpx.Client, token: str) -> httpx.Response:
    csrf = _csrf(client)
    return client.post("/session", data={"token": token, "csrf": csrf, "next": "/library"})


def test_article_marks_cut_at_exact_offsets() -> None:
    marks = article_marks(TEXT, 12, 32, 18, 31)
    parts = (marks.before, marks.quote_before, marks.highlight, marks.quote_after, marks.after)
    assert "".join(parts) == TEXT
    assert marks.quote == (12, 32) and marks.mark == (18, 31)
    assert marks.quote_before + marks.highlight + marks.quote_after == TEXT[12:32]
    assert marks.highlight == TEXT[18:31]
    assert marks.note is None


def test_article_marks_tolerate_missing_and_bad_offsets() -> None:
    assert article_marks(TEXT).quote is None
    assert article_marks(TEXT).before == TEXT
    beyond = article_marks(TEXT, 5, 999)
    assert beyond.quote is None and beyond.note and beyond.before == TEXT
    only_highlight = article_marks(TEXT, hl_start=0, hl_end=5)
    assert only_highlight.quote == (0, 5) and only_highlight.highlight == "Alpha"
    # A highlight reaching outside its quote is cut back to the quote.
    clipped = article_marks(TEXT, 12, 20, 0, 40)
    assert clipped.mark == (12, 20)
    assert "".join((clipped.before, clipped.quote_before, clipped.highlight)) == TEXT[:20]


def test_quote_link_follows_the_shared_url_contract() -> None:
    ref = ArticleRef(id="abc123", title="t")
    quote = Quote(
        text=TEXT[12:32],
        highlight=Highlight(text=TEXT[18:31], start=18, end=31),
        start=12,
        end=32,
        score=1.0,
        passage_id="p:1",
        article=ref,
    )
    view = quote_view(quote)
    assert view.context_url == "/articles/abc123/view?start=12&end=32&hl_start=18&hl_end=31"
    assert view.before + view.highlight + view.after == quote.text
    assert view.highlight == TEXT[18:31]
    no_highlight = quote_view(quote.model_copy(update={"highlight": None}))
    assert no_highlight.context_url == "/articles/abc123/view?start=12&end=32"


def test_only_http_links_are_clickable() -> None:
    assert _safe_link("https://example.org/a") == "https://example.org/a"
    assert _safe_link("javascript:alert(1)") is None
    assert _safe_link(" JavaScript:alert(1)") is None
    assert _safe_link("data:text/html,<script>") is None
    assert _safe_link(None) is None


def test_pages_send_a_strict_csp_and_escape_the_question(live: LiveServer) -> None:
    with live.client() as client:
        page = client.get("/", params={"q": "<script>alert(1)</script> science fair"})
    assert page.status_code == 200
    assert page.headers["content-security-policy"] == CSP
    assert "'unsafe-inline'" not in CSP and "default-src 'self'" in CSP
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert '<html lang="en">' in page.text


def test_article_view_of_unknown_article_is_a_404_page(live: LiveServer) -> None:
    with live.client() as client:
        page = client.get("/articles/no-such-article/view")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")


def test_ask_page_without_an_index_says_how_to_build_one(empty_live: LiveServer) -> None:
    with empty_live.client() as client:
        page = client.get("/", params={"q": "anything"})
    assert page.status_code == 503
    assert "no index has been built yet" in page.text


def test_sign_in_sets_only_a_derived_httponly_strict_cookie(live: LiveServer) -> None:
    with live.client() as client:
        response = _sign_in(client, WRITE_TOKEN)
        assert response.status_code == 303
        assert response.headers["location"] == "/library"
        cookie = next(
            c for c in response.headers.get_list("set-cookie") if "articleqa_session" in c
        )
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
        assert WRITE_TOKEN not in cookie
        # Signed in: the write controls are there.
        assert 'action="/library/add"' in client.get("/library").text
        # The token is never taken from a URL.
        assert client.get("/session", params={"token": WRITE_TOKEN}).status_code == 405


def test_sign_in_redirects_only_within_the_site(live: LiveServer) -> None:
    with live.client() as client:
        csrf = _csrf(client)
        for target in ("//evil.example/", "/\\evil.example/", "https://evil.example/"):
            response = client.post(
                "/session", data={"token": WRITE_TOKEN, "csrf": csrf, "next": target}
            )
            assert response.headers["location"] == "/library", target
        response = client.post(
            "/session", data={"token": WRITE_TOKEN, "csrf": csrf, "next": "/?q=tram"}
        )
        assert response.headers["location"] == "/?q=tram"


@pytest.fixture
def writer(live: LiveServer) -> Iterator[httpx.Client]:
    with live.client() as client:
        assert _sign_in(client, WRITE_TOKEN).status_code == 303
        yield client


def _add(client: httpx.Client, csrf: str, **headers: str) -> httpx.Response:
    return client.post(
        "/library/add",
        data={"csrf": csrf, "title": "Csrf probe", "text": "A probe article about kites."},
        headers=headers,
    )


def test_writes_need_the_csrf_value_and_the_same_origin(
    live: LiveServer, writer: httpx.Client
) -> None:
    before = ArticleStore(live.settings.home).count()
    csrf = _csrf(writer)
    assert _add(writer, "wrong-value").status_code == 403
    assert _add(writer, csrf, Origin="https://evil.example").status_code == 403
    assert _add(writer, csrf, **{"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert ArticleStore(live.settings.home).count() == before
    added = _add(writer, csrf, Origin=live.base_url, **{"Sec-Fetch-Site": "same-origin"})
    assert added.status_code == 303, added.text
    assert added.headers["location"].startswith("/library?added=")
    assert ArticleStore(live.settings.home).count() == before + 1


def test_add_form_reports_bad_input_on_the_page(live: LiveServer, writer: httpx.Client) -> None:
    csrf = _csrf(writer)
    empty = writer.post("/library/add", data={"csrf": csrf})
    assert empty.status_code == 422 and "paste the article" in empty.text
    untitled = writer.post("/library/add", data={"csrf": csrf, "text": "Some text."})
    assert untitled.status_code == 422 and "title" in untitled.text
    too_big = writer.post(
        "/library/add",
        data={"csrf": csrf},
        files={"file": ("big.txt", b"x" * (live.settings.max_article_bytes + 1), "text/plain")},
    )
    assert too_big.status_code == 413
    wrong_type = writer.post(
        "/library/add", data={"csrf": csrf}, files={"file": ("a.exe", b"MZ", "application/x")}
    )
    assert wrong_type.status_code == 422 and "unsupported file type" in wrong_type.text


def test_rebuild_state_follows_the_job(live: LiveServer, writer: httpx.Client) -> None:
    started = writer.post("/library/rebuild", data={"csrf": _csrf(writer)})
    assert started.status_code == 303
    job_path = started.headers["location"]
    assert writer.get(job_path).status_code == 200
    state: dict[str, object] = {}

    def live_now() -> bool:
        state.update(writer.get(job_path + "/state").json())
        return state["status"] != "running"

    assert wait_until(live_now)
    assert state["status"] == "succeeded" and state["live"] is True, state
    assert writer.get("/library/rebuild/nope").status_code == 404


@pytest.fixture
def read_protected(home: Path) -> Iterator[LiveServer]:
    settings = make_settings(home, read_token=READ_TOKEN)
    add_articles(settings, ARTICLES)
    build_index(settings)
    with serve(settings) as server:
        yield server


def test_read_token_guards_the_pages(read_protected: LiveServer) -> None:
    with read_protected.client() as client:
        for path in ("/", "/library", "/articles/x/view", "/library/rebuild/x"):
            page = client.get(path)
            assert page.status_code == 401, path
            assert 'action="/session"' in page.text
        assert client.get("/library/rebuild/x/state").status_code == 401
        assert _sign_in(client, READ_TOKEN).status_code == 303
        assert client.get("/", params={"q": "Who won the science fair?"}).status_code == 200
        # A reader reads, but cannot write.
        library = client.get("/library").text
        assert 'action="/library/add"' not in library
        csrf = _csrf(client)
        assert _add(client, csrf).status_code == 403
        assert client.post("/library/rebuild", data={"csrf": csrf}).status_code == 403


def test_without_an_api_token_writes_are_disabled(home: Path) -> None:
    settings = make_settings(home, api_token=None)
    with serve(settings) as server, server.client() as client:
        assert "Adding articles is disabled" in client.get("/library").text
        assert _add(client, _csrf(client, "/")).status_code == 403
        assert _sign_in(client, WRITE_TOKEN).status_code == 401


def test_docs_assets_are_served_by_the_app(live: LiveServer) -> None:
    with live.client() as client:
        for path, asset_kind in (("/docs", "swagger-ui-bundle.js"), ("/redoc", "redoc")):
            page = client.get(path)
            assert page.status_code == 200
            assert asset_kind in page.text
            urls = re.findall(r'(?:src|href)="([^"]+)"', page.text)
            assert urls and all(u.startswith("/") for u in urls), urls
            assert "fonts.googleapis" not in page.text
        bundle = client.get("/docs-assets/swagger-ui-bundle.js")
        assert bundle.status_code == 200 and len(bundle.content) > 100_000
        assert client.get("/docs-assets/swagger-ui.css").status_code == 200
        redoc = client.get("/docs-assets/redoc.standalone.js")
        assert redoc.status_code == 200 and b"cdn.redoc.ly/redoc/logo" not in redoc.content
        assert client.get("/static/app.js").status_code == 200
        # The pages stay out of the JSON API's schema.
        schema_paths = client.get("/openapi.json").json()["paths"]
        assert "/" not in schema_paths and "/library" not in schema_paths


def test_a_compressed_upload_is_read_as_the_file_it_holds(
    live: LiveServer, writer: httpx.Client
) -> None:
    before = ArticleStore(live.settings.home).count()
    page = gzip.compress(b"# Kite festival\n\nThe kite festival moved to the dunes this year.")
    added = writer.post(
        "/library/add",
        data={"csrf": _csrf(writer)},
        files={"file": ("festival.md.gz", page, "application/gzip")},
    )
    assert added.status_code == 303, added.text
    titles = [a.title for a in ArticleStore(live.settings.home).list()]
    assert ArticleStore(live.settings.home).count() == before + 1
    assert "Kite festival" in titles
