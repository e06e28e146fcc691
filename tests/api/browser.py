"""A real headless Chromium (Debian's ``chromium`` + ``chromium-driver``) driven by Selenium,
recording every network request the pages make.

``make browser`` (part of ``make test``) installs the two packages when they are missing and
we are root. Nothing here downloads a browser: Selenium gets both paths, so its browser
manager is never asked.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

logger = logging.getLogger(__name__)

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
# A hang guard for waits, not a speed expectation: a busy 2-core machine is slow.
WAIT_S = 120.0

LOCAL_SCHEMES = ("data:", "blob:", "about:", "chrome:", "chrome-untrusted:")

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    # Without these Chromium phones Google at start and stalls on this offline machine.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--metrics-recording-only",
    # Date inputs are typed in the locale's order (month, day, year for en-US).
    "--lang=en-US",
    # Belt and braces: a page request for any other host cannot even resolve. The recorded
    # requests (below) still show it, so a test fails rather than silently losing an asset.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
)


def require_chromium() -> None:
    """Skip (fail on CI) when the browser is missing: `make test` installs it as root."""
    if CHROMIUM.exists() and CHROMEDRIVER.exists():
        return
    message = (
        "chromium and chromium-driver are not installed: run `make browser` as root "
        "(apt-get install chromium chromium-driver)"
    )
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def replaced(element: WebElement) -> Callable[[Any], bool]:
    """True once ``element``'s page has been replaced. Like selenium's ``staleness_of``, but
    Chrome sometimes reports a node of the replaced page as "does not belong to the document"
    (a plain WebDriverException) rather than as stale: that, too, means it is gone."""

    def gone(_driver: Any) -> bool:
        try:
            element.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException as exc:
            if "does not belong to the document" in str(exc):
                return True
            raise
        return False

    return gone


@dataclass
class Browser:
    driver: webdriver.Chrome
    base_url: str
    requests: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)

    def get(self, path: str) -> None:
        self.driver.get(self.base_url + path)
        self.record()

    def record(self) -> list[str]:
        """Drain Chromium's logs: every request sent (by the page or its scripts) and the
        console messages (CSP violations show there)."""
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"] == "Network.requestWillBeSent":
                self.requests.append(message["params"]["request"]["url"])
            elif message["method"] == "Network.webSocketCreated":
                self.requests.append(message["params"]["url"])
        self.console.extend(entry["message"] for entry in self.driver.get_log("browser"))
        return self.requests

    def foreign_requests(self) -> list[str]:
        self.record()
        own = self.base_url + "/"
        # data:/blob: URLs are decoded in the page and chrome:// ones are the browser's own
        # (its new-tab page): none is fetched over a network. Everything else must be ours.
        return [u for u in self.requests if not u.startswith((own, *LOCAL_SCHEMES))]

    def csp_violations(self) -> list[str]:
        self.record()
        return [m for m in self.console if "Content Security Policy" in m]

    def find(self, css: str) -> WebElement:
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css: str) -> list[WebElement]:
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def wait_for(self, css: str) -> WebElement:
        WebDriverWait(self.driver, WAIT_S).until(
            lambda d: d.find_elements(By.CSS_SELECTOR, css), f"nothing matches {css!r}"
        )
        return self.find(css)

    def click_and_load(self, css: str) -> None:
        """Click what submits a form or follows a link, and wait for the next page: until
        then, elements of the old page would still be found."""
        old = self.find("html")
        self.find(css).click()
        WebDriverWait(self.driver, WAIT_S).until(replaced(old), "the next page")
        self.wait_until(
            lambda d: d.execute_script("return document.readyState") == "complete", "page load"
        )
        self.record()

    def wait_until(self, condition: Any, what: str) -> None:
        WebDriverWait(self.driver, WAIT_S, poll_frequency=0.1).until(condition, what)

    def js(self, script: str, *args: Any) -> Any:
        return self.driver.execute_script(script, *args)

    def set_width(self, width: int, height: int = 900) -> None:
        self.driver.set_window_size(width, height)


@contextlib.contextmanager
def open_browser(base_url: str, width: int = 1000, height: int = 900) -> Iterator[Browser]:
    require_chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--window-size={width},{height}")
    profile = tempfile.mkdtemp(prefix="articleqa-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    driver.set_page_load_timeout(WAIT_S)
    try:
        browser = Browser(driver, base_url)
        # What Chromium loaded for its own start page (chrome:// resources) is not the app's.
        browser.record()
        browser.requests.clear()
        browser.console.clear()
        yield browser
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
