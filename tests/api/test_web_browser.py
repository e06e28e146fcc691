"""The web pages in a real headless Chromium: ask, show in context, abstain, XSS, add and
rebuild with the token, nothing writable without it, offline /docs, phone width.

Every test fails if the page made any request outside the app's origin or broke its CSP.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from articleqa.config import Settings
from articleqa.models import RawArticle
from articleqa.store import ArticleStore
from tests.api.browser import Browser, open_browser, replaced, require_chromium
from tests.api.conftest import (
    ARTICLES,
    WRITE_TOKEN,
    LiveServer,
    add_articles,
    build_index,
    make_settings,
    serve,
)

REPO = Path(__file__).resolve().parents[2]
SCREENSHOT = REPO / "docs" / "ask-page.png"

_PLACES = ["bakery", "library", "stadium", "museum", "station", "garden", "bridge", "school"]
_EVENTS = ["reopened", "was repainted", "hosted a concert", "lost its roof", "gained a cafe"]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _long_text() -> str:
    """Many distinct paragraphs, the answer near the end: the view must scroll to it."""
    paragraphs = []
    for i in range(40):
        place, event, day = _PLACES[i % 8], _EVENTS[i % 5], _DAYS[i % 7]
        paragraphs.append(
            f"On {day} the {place} number {i} {event}, and {i * 7 + 3} neighbours came to look. "
            f"Paragraph {i} also notes that the {place} counted {i * 13 + 1} visitors that week."
        )
    paragraphs.append(
        "The lighthouse keeper, Marta Olsen, repainted the lamp room of the lighthouse in "
        "cobalt blue after the winter storms. The work took her three weeks."
    )
    paragraphs.append("Closing remarks about the coast and the weather followed.")
    return "\n\n".join(paragraphs)


LONG = RawArticle(
    title="A year along the coast",
    text=_long_text(),
    author="Ines Lund",
    published=dt.date(2025, 6, 1),
)

XSS_MARKERS = (
    "<script>window.__xss = 'script'</script>",
    '<img src="x" onerror="window.__xss = \'img\'">',
    "<a href=\"javascript:window.__xss = 'link'\">click me</a>",
)
XSS = RawArticle(
    title="<script>window.__xss = 'title'</script>Hostile harbour festival",
    text=(
        "The harbour festival drew a hostile crowd of pranksters this year. "
        f"One of them wrote {XSS_MARKERS[0]} on the festival board. "
        f"Another posted {XSS_MARKERS[1]} and {XSS_MARKERS[2]} on the festival website."
    ),
    author='<img src="x" onerror="window.__xss = \'author\'">',
    published=dt.date(2025, 8, 15),
)


@dataclass
class Web:
    server: LiveServer
    ids: list[str]

    @property
    def base_url(self) -> str:
        return self.server.base_url

    @property
    def settings(self) -> Settings:
        return self.server.settings


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Web]:
    require_chromium()
    home = tmp_path_factory.mktemp("web") / "home"
    home.mkdir()
    # The fake embedder never abstains on its own; this bar makes unrelated questions abstain
    # while questions sharing words with a passage are answered. Private URLs: the URL form
    # is tried on a page of this very server.
    settings = make_settings(home, abstain_threshold=0.3, allow_private_urls=True)
    ids = add_articles(settings, [*ARTICLES, LONG, XSS])
    build_index(settings)
    with serve(settings) as server:
        yield Web(server, ids)


@pytest.fixture
def browser(web: Web) -> Iterator[Browser]:
    with open_browser(web.base_url) as opened:
        yield opened
        assert opened.foreign_requests() == [], "the page reached outside the app"
        assert opened.csp_violations() == [], "the page broke its own CSP"


def _ask(browser: Browser, question: str) -> None:
    browser.get("/")
    box = browser.find("#q")
    assert browser.js("return document.activeElement.id") == "q", "the question box has focus"
    box.send_keys(question)
    old = browser.find("html")
    box.send_keys(Keys.ENTER)
    # The answer page, fully loaded: an element found while it is still parsing or while its
    # script runs can leave the document under the test ("Node ... does not belong").
    browser.wait_until(replaced(old), "the answer page")
    browser.wait_for("#answer-heading")
    browser.wait_until(
        lambda d: d.execute_script("return document.readyState") == "complete", "page load"
    )
    browser.record()


def _store(settings: Settings) -> ArticleStore:
    return ArticleStore(settings.home)


def test_ask_shows_quotes_with_highlight_title_author_date(web: Web, browser: Browser) -> None:
    _ask(browser, "Who won the regional science fair?")
    quotes = browser.find_all("li.quote")
    assert quotes, browser.driver.page_source
    first = quotes[0]
    mark = first.find_element(By.CSS_SELECTOR, "blockquote mark")
    assert "won the regional science fair" in mark.text
    assert first.find_element(By.CSS_SELECTOR, "cite").text == ARTICLES[0].title
    assert "by Ana Ruiz" in first.text
    assert first.find_element(By.CSS_SELECTOR, "time").get_attribute("datetime") == "2024-05-04"
    assert "Show in context" in first.find_element(By.CSS_SELECTOR, "a.context").text
    assert browser.driver.title.startswith("Who won the regional science fair?")
    # An article with a URL gets its title linked to it (and the link tells it nothing).
    _ask(browser, "How much will the harbour tram extension cost?")
    link = browser.find("li.quote .source a")
    assert link.get_attribute("href") == "https://news.example.org/harbour-tram"
    assert "noreferrer" in (link.get_attribute("rel") or "")
    if os.environ.get("ARTICLEQA_UPDATE_SCREENSHOT"):
        _screenshot(browser)


def _screenshot(browser: Browser) -> None:
    """The README's picture of the answer page (ARTICLEQA_UPDATE_SCREENSHOT=1 refreshes it)."""
    browser.set_width(760, 820)
    _ask(browser, "Who won the regional science fair?")
    SCREENSHOT.parent.mkdir(exist_ok=True)
    assert browser.driver.save_screenshot(str(SCREENSHOT))


def test_more_quotes_asks_for_more(web: Web, browser: Browser) -> None:
    browser.get("/?q=How+many+neighbours+came+to+look+and+how+many+visitors+came+that+week%3F&k=1")
    assert len(browser.find_all("li.quote")) == 1
    browser.click_and_load("a.more")
    browser.wait_for("li.quote")
    assert "k=4" in browser.driver.current_url
    assert len(browser.find_all("li.quote")) > 1


def test_show_in_context_marks_the_quote_at_its_offsets(web: Web, browser: Browser) -> None:
    _ask(browser, "What colour did the lighthouse keeper paint the lamp room?")
    expected_mark = browser.find("li.quote blockquote mark").text
    browser.click_and_load("li.quote a.context")
    browser.wait_for("#article-text")
    url = browser.driver.current_url
    article_id = url.split("/articles/")[1].split("/")[0]
    params = dict(p.split("=") for p in url.split("?")[1].split("&"))
    start, end = int(params["start"]), int(params["end"])
    hl_start, hl_end = int(params["hl_start"]), int(params["hl_end"])
    stored = _store(web.settings).get(article_id).text

    # The page's text is the stored text, character for character...
    assert browser.js("return document.getElementById('article-text').textContent") == stored
    # ...and the marks sit exactly at the offsets: count the characters before each.
    before = (
        "const r = document.createRange();"
        "r.setStart(document.getElementById('article-text'), 0);"
        "r.setEndBefore(arguments[0]); return r.toString().length;"
    )
    quote, mark = browser.find("#quote"), browser.find("#highlight")
    assert browser.js(before, quote) == start
    assert browser.js(before, mark) == hl_start
    assert quote.get_attribute("textContent") == stored[start:end]
    assert mark.get_attribute("textContent") == stored[hl_start:hl_end]
    assert "cobalt blue" in mark.text
    assert mark.text == expected_mark
    # Scrolled into view (the article is long, the quote near its end) and focused.
    assert browser.js("return window.scrollY") > 0
    top, bottom = browser.js(
        "const b = arguments[0].getBoundingClientRect(); return [b.top, b.bottom];", mark
    )
    assert top >= 0 and bottom <= browser.js("return window.innerHeight")
    assert browser.js("return document.activeElement.id") == "highlight"


def test_abstaining_question_says_so_plainly(web: Web, browser: Browser) -> None:
    _ask(browser, "What is the capital of Mongolia?")
    assert browser.find(".abstain").text == "The articles don't answer this."
    assert browser.find_all("li.quote") == []


def test_filters_since_until_and_one_article(web: Web, browser: Browser) -> None:
    question = "Who won the regional science fair?"  # answered by the 2024 article alone
    browser.get("/")
    browser.find("details summary").click()
    browser.find("#q").send_keys(question)
    # Typed as a person would, in the date picker's own order (en-US: month, day, year).
    browser.find("#since").send_keys("01012025")
    browser.click_and_load("button[type=submit]")
    browser.wait_for("#answer-heading")
    assert "since=2025-01-01" in browser.driver.current_url
    assert browser.find_all(".abstain"), "an article from 2024 is outside since=2025-01-01"
    assert browser.find("details").get_attribute("open") is not None  # filters stay visible
    browser.find("#since").clear()
    browser.find("#until").send_keys("12312024")
    browser.click_and_load("button[type=submit]")
    browser.wait_for("li.quote")
    assert {c.text for c in browser.find_all("li.quote cite")} == {ARTICLES[0].title}

    ids = web.ids
    browser.get(f"/?q=Who+won+the+regional+science+fair%3F&article={ids[2]}")
    assert browser.find_all(".abstain"), "only the storm article was searched"
    assert browser.find("#article option:checked").text == ARTICLES[2].title
    browser.get(f"/?q=Who+won+the+regional+science+fair%3F&article={ids[0]}")
    assert {c.text for c in browser.find_all("li.quote cite")} == {ARTICLES[0].title}


def test_article_text_with_markup_executes_nothing(web: Web, browser: Browser) -> None:
    ids = web.ids
    pages = [
        f"/articles/{ids[-1]}/view?start=0&end=40",
        "/?q=What+did+the+pranksters+write+at+the+harbour+festival%3F",
        "/?q=%3Cimg+src%3Dx+onerror%3Dwindow.__xss%3D1%3E+festival",
        "/library?search=hostile",
    ]
    for page in pages:
        browser.get(page)
        assert browser.js("return window.__xss === undefined"), page
        assert browser.js("return document.images.length") == 0, page
        scripts = browser.js("return [...document.scripts].map(s => s.src)")
        assert scripts == [web.base_url + "/static/app.js"], page
        assert browser.js("return document.querySelectorAll('a[href^=\"javascript\"]').length") == 0
    browser.get(f"/articles/{ids[-1]}/view")
    text = browser.find("#article-text").text
    for marker in XSS_MARKERS:
        assert marker in text  # shown as the text it is
    assert "<script>" in browser.find("h1").text
    assert browser.js("return window.__xss === undefined")


def _sign_in(browser: Browser, token: str) -> None:
    browser.get("/library")
    browser.find("#token").send_keys(token)
    browser.click_and_load("form.signin button")
    browser.wait_for("h1")
    browser.record()


def test_with_token_add_article_rebuild_and_ask(web: Web, browser: Browser) -> None:
    _sign_in(browser, WRITE_TOKEN)
    cookies = {c["name"]: c for c in browser.driver.get_cookies()}
    session = cookies["articleqa_session"]
    assert session["httpOnly"] and session["sameSite"] == "Strict"
    assert WRITE_TOKEN not in session["value"]
    assert cookies["articleqa_csrf"]["httpOnly"]
    # The add form fits a phone too.
    browser.set_width(390, 844)
    assert browser.js("return document.documentElement.scrollWidth") <= 390
    browser.set_width(1000, 900)

    # Paste.
    browser.find("#add-title").send_keys("Zeppelin lands at the county show")
    browser.find("#add-text").send_keys(
        "A silver zeppelin landed at the county show on Sunday. The pilot, Oskar Brandt, "
        "said the zeppelin burns hydrogen made from rain water."
    )
    browser.find("#add-author").send_keys("Lena Park")
    browser.click_and_load("form.add button[type=submit]")
    notice = browser.wait_for(".notice")
    assert "Zeppelin lands at the county show" in notice.text and "created" in notice.text

    # Upload a Markdown file.
    upload = web.settings.home.parent / "upload.md"
    upload.write_text(
        "---\ntitle: Otters return to the mill pond\nauthor: Sam Reed\n---\n\n"
        "Three otters returned to the mill pond this spring, the first in forty years.\n"
    )
    browser.find("#add-file").send_keys(str(upload))
    browser.click_and_load("form.add button[type=submit]")
    assert "Otters return to the mill pond" in browser.wait_for(".notice").text

    # A URL (here a page of this server: private addresses are allowed in this test).
    ids = web.ids
    browser.find("#add-url").send_keys(f"{web.base_url}/articles/{ids[2]}/view")
    browser.click_and_load("form.add button[type=submit]")
    browser.wait_for(".notice, .error")
    assert browser.find_all(".notice"), browser.find(".error").text

    # Rebuild, and follow it until the new index is live.
    browser.click_and_load("#rebuild-button")
    browser.wait_for("#rebuild-message")
    browser.wait_until(
        lambda d: browser.find("#rebuild-message").get_attribute("data-live") == "true",
        "the new index to go live",
    )
    assert "is live" in browser.find("#rebuild-message").text

    _ask(browser, "What does the zeppelin burn?")
    assert "Zeppelin lands at the county show" in [c.text for c in browser.find_all("cite")]
    _ask(browser, "When did the otters return to the mill pond?")
    assert "Otters return to the mill pond" in [c.text for c in browser.find_all("cite")]
    # The token went in one form body, never into a URL.
    assert not [u for u in browser.record() if WRITE_TOKEN in u]


def test_without_token_no_write_control_works(web: Web, browser: Browser) -> None:
    before = _store(web.settings).count()
    browser.get("/library")
    assert browser.find_all("form.add") == [] and browser.find_all("#rebuild-button") == []
    # A visitor who forges the forms anyway (with a valid CSRF value) is refused.
    forged = browser.driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        const csrf = document.querySelector('input[name=csrf]').value;
        const post = (path, fields) => {
          const body = new FormData();
          for (const [k, v] of Object.entries(fields)) body.append(k, v);
          return fetch(path, {method: 'POST', body}).then(r => r.status);
        };
        Promise.all([
          post('/library/add', {csrf, title: 'Forged', text: 'forged text'}),
          post('/library/rebuild', {csrf}),
          fetch('/articles', {method: 'POST', headers: {'Content-Type': 'application/json'},
                body: JSON.stringify({title: 'Forged', text: 'forged'})}).then(r => r.status),
          fetch('/index/rebuild', {method: 'POST'}).then(r => r.status),
        ]).then(done);
        """
    )
    assert forged == [403, 403, 401, 401]
    # A wrong token signs nobody in.
    _sign_in(browser, "not-the-token")
    assert "not valid" in browser.find(".error").text
    assert browser.find_all("form.add") == []
    assert _store(web.settings).count() == before


def test_docs_and_redoc_render_offline(web: Web, browser: Browser) -> None:
    browser.get("/docs")
    title = browser.wait_for(".swagger-ui .info .title")
    assert "articleqa" in title.text
    browser.wait_for(".opblock")  # the operations, read from /openapi.json
    assert browser.js("return typeof window.SwaggerUIBundle") == "function"
    browser.get("/redoc")
    browser.wait_until(
        lambda d: "articleqa" in browser.js("return document.body.innerText"), "ReDoc to render"
    )
    browser.wait_for("[data-section-id]")


@pytest.mark.parametrize("path", ["/", "/library", "/articles/{id}/view?start=0&end=30"])
def test_basics_title_lang_labels_and_390px(web: Web, browser: Browser, path: str) -> None:
    ids = web.ids
    browser.set_width(390, 844)
    browser.get(path.replace("{id}", ids[3]))
    if path == "/":
        _ask(browser, "What colour did the lighthouse keeper paint the lamp room?")
    assert browser.driver.title.strip()
    assert browser.js("return document.documentElement.lang") == "en"
    assert browser.find_all("meta[name=viewport]")
    unlabelled = browser.js(
        """
        return [...document.querySelectorAll('input, select, textarea')]
          .filter(e => e.type !== 'hidden')
          .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
          .map(e => e.outerHTML);
        """
    )
    assert unlabelled == []
    assert browser.find_all("main h1")
    # Nothing wider than the phone: no sideways scrolling.
    assert browser.js("return document.documentElement.scrollWidth") <= browser.js(
        "return window.innerWidth"
    )
    # Keyboard: the skip link comes first; after a question, focus is on the answer.
    first = browser.js(
        "return document.querySelector('a[href], button, input:not([type=hidden]), select, "
        'textarea, [tabindex]:not([tabindex="-1"])\').className'
    )
    assert first == "skip"
    if path == "/":
        assert browser.js("return document.activeElement.id") == "answer-heading"
    checked, low = browser.js(CONTRAST_JS)
    assert checked > 5 and low == [], "text below WCAG AA contrast (4.5:1)"


# Contrast of every visible text element against the first opaque background behind it.
CONTRAST_JS = """
const rgb = s => s.match(/[\\d.]+/g).map(Number);
const lum = c => {
  const [r, g, b] = c.slice(0, 3).map(v => {
    v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};
const background = el => {
  for (; el; el = el.parentElement) {
    const c = rgb(getComputedStyle(el).backgroundColor);
    if (c.length < 4 || c[3] > 0) return c;
  }
  return [255, 255, 255];
};
const low = [];
let checked = 0;
for (const el of document.querySelectorAll('body *')) {
  const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
  if (!own || !el.getClientRects().length || el.closest('.skip')) continue;
  checked += 1;
  const a = lum(rgb(getComputedStyle(el).color)), b = lum(background(el));
  const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  if (ratio < 4.5) low.push(el.tagName + '.' + el.className + ': ' + ratio.toFixed(2));
}
return [checked, low];
"""


def test_json_routes_still_answer(web: Web) -> None:
    ids = web.ids
    with httpx.Client(base_url=web.base_url) as client:
        article = client.get(f"/articles/{ids[0]}")
        assert article.status_code == 200
        assert article.json()["title"] == ARTICLES[0].title
        assert client.get("/articles").json()["total"] >= len(ids)


def test_screenshot_in_readme_exists() -> None:
    assert SCREENSHOT.is_file() and SCREENSHOT.stat().st_size < 200_000
    assert "docs/ask-page.png" in (REPO / "README.md").read_text()


def _ask_next(browser: Browser, question: str) -> None:
    """Ask on the answer page itself, as a reader going on with the conversation."""
    box = browser.find("#q")
    box.clear()
    box.send_keys(question)
    old = browser.find("html")
    box.send_keys(Keys.ENTER)
    browser.wait_until(replaced(old), "the answer page")
    browser.wait_for("#answer-heading")
    browser.record()


def test_the_page_keeps_the_conversation_until_a_new_topic(web: Web, browser: Browser) -> None:
    _ask(browser, "When will the harbour tram extension open?")
    assert not browser.find_all(".following-up")
    _ask_next(browser, "How much will the extension cost?")
    line = browser.find(".following-up").text
    assert line.startswith("Following up on:") and "tram" in line
    assert "84 million euros" in browser.wait_for("li.quote").text
    # Three turns: the page carries both earlier questions.
    fields = browser.find_all("input[name=context]")
    assert [f.get_attribute("value") for f in fields] == [
        "When will the harbour tram extension open?",
        "How much will the extension cost?",
    ]
    # "New topic" asks what is in the box on its own, and the conversation starts from it.
    box = browser.find("#q")
    box.clear()
    box.send_keys("Who paid for it?")
    browser.click_and_load("button.new-topic")
    browser.wait_for("#answer-heading")
    assert not browser.find_all(".following-up")
    assert [f.get_attribute("value") for f in browser.find_all("input[name=context]")] == [
        "Who paid for it?"
    ]
