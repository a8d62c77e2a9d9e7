"""report.html and handover.html in real headless Chromium, with the network off."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]

if CHROMIUM is None and not os.environ.get("CI"):
    pytest.skip("chromium is not installed (.ci/run installs it)", allow_module_level=True)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    assert CHROMIUM, "CI must have chromium: .ci/run installs Debian's package"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


def open_offline(browser, path: Path):
    """A page with the network off: every request that is not the file itself is refused and recorded."""
    context = browser.new_context(offline=True, viewport={"width": 1100, "height": 1000})
    page = context.new_page()
    problems: list[str] = []
    outside: list[str] = []
    page.on("console", lambda m: problems.append(f"console.{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))

    def gate(route):
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", gate)
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, problems, outside


def test_report_renders_offline_with_scorecard_and_charts(browser, demo_run):
    _, _, run_dir = demo_run
    page, problems, outside = open_offline(browser, run_dir / "report.html")
    page.wait_for_selector(".la-plot .main-svg", timeout=15000)
    assert problems == [] and outside == []
    rows = page.locator("#scorecard tbody tr")
    assert rows.count() == 5
    states = [rows.nth(i).locator(".la-badge").inner_text() for i in range(5)]
    assert set(states) <= {"MET", "NOT MET", "UNKNOWN"} and "NOT MET" in states
    # the latency charts are drawn: plotly made SVG with traces in them
    drawn = page.evaluate("""() => [...document.querySelectorAll('.la-plot')].map(
        d => d.querySelectorAll('.scatterlayer .trace, .barlayer .trace').length)""")
    assert len(drawn) >= 3 and sum(1 for n in drawn if n > 0) >= 3
    titles = page.evaluate("() => [...document.querySelectorAll('.la-plot .gtitle')].map(t => t.textContent)")
    assert any("Latency percentiles" in t for t in titles) and any("distribution" in t for t in titles)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
    assert (ARTIFACTS / "report.png").stat().st_size > 50_000


def test_handover_renders_offline(browser, demo_run):
    _, _, run_dir = demo_run
    page, problems, outside = open_offline(browser, run_dir / "handover.html")
    assert problems == [] and outside == []
    assert "Handover: brightbrew.test" in page.locator("h1").inner_text()
    assert page.locator("table.la-dns tbody tr").count() >= 4       # the domain map from stage 2
    page.screenshot(path=str(ARTIFACTS / "handover.png"), full_page=True)
