"""Headless Chromium (Debian's, driven by Playwright) with the network off, shared by the report tests."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


# the browser is a system package (Playwright's own download needs a CDN this project does not rely on):
# without it these tests skip and say what to run; in CI (.ci/run installs it) its absence fails them
NO_BROWSER = "the browser-driven report tests need Chromium: run `apt-get install chromium`, then the tests again"


def skip_without_chromium() -> None:
    if CHROMIUM is None and not os.environ.get("CI"):
        pytest.skip(NO_BROWSER, allow_module_level=True)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have chromium: .ci/run installs Debian's package")
        pytest.skip(NO_BROWSER)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


def open_offline(browser, path: Path | None = None, *, html: str | None = None):
    """A page with the network off: every request that is not the file itself is refused and recorded.
    Console messages that mention 'pwned' and dialogs (alert, confirm) count as problems too."""
    context = browser.new_context(offline=True, viewport={"width": 1100, "height": 1000})
    page = context.new_page()
    problems: list[str] = []        # console errors and warnings, page errors, dialogs
    outside: list[str] = []
    page.on("console", lambda m: problems.append(f"console.{m.type}: {m.text}")
            if m.type in ("error", "warning") or "pwned" in m.text else None)
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))

    def gate(route):
        if route.request.url.startswith(("file://", "about:", "data:")) and "outside.test" not in route.request.url:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", gate)
    if html is not None:
        page.set_content(html)
    else:
        page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, problems, outside
