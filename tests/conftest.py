"""Shared fixtures: the demo shop (and its hardened twin) on test-only loopback addresses."""

from __future__ import annotations

import pytest

from launch_audit.demo import DemoShop, Layout
from launch_audit.profile import Profile
from launch_audit.profile_loader import load_profile

from tests.browser import browser  # noqa: F401 - headless Chromium, a fixture for the report tests

# test shops live on their own prefixes so a consultant's `launch-audit demo --serve` never collides
TEST_LAYOUT = Layout(prefix="127.0.20")
HARDENED_LAYOUT = Layout(prefix="127.0.21")


@pytest.fixture(scope="session")
def shop(tmp_path_factory: pytest.TempPathFactory):
    with DemoShop(tmp_path_factory.mktemp("demo"), TEST_LAYOUT) as running:
        yield running


@pytest.fixture(scope="session")
def hardened_shop(tmp_path_factory: pytest.TempPathFactory):
    with DemoShop(tmp_path_factory.mktemp("demo-hardened"), HARDENED_LAYOUT, hardened=True) as running:
        yield running


@pytest.fixture(scope="session")
def demo_profile(shop: DemoShop) -> Profile:
    return load_profile(shop.write_profile())


@pytest.fixture(scope="session")
def hardened_profile(hardened_shop: DemoShop) -> Profile:
    return load_profile(hardened_shop.write_profile())


class DemoRun(tuple):
    """(exit code, outputs folder, run folder) of one `launch-audit run` of the demo, plus what the terminal
    showed and every request the shop served during it."""

    terminal: str
    requests: list[tuple[float, str, str]]


@pytest.fixture(scope="session")
def demo_run(shop, tmp_path_factory) -> DemoRun:
    """`launch-audit run` of the demo profile in its own process, as a consultant types it: all seven
    stages, the profile's real sampling window."""
    import subprocess
    import sys

    out = tmp_path_factory.mktemp("outputs")
    first = len(shop.state.request_log)
    done = subprocess.run([sys.executable, "-m", "launch_audit", "run", str(shop.write_profile()), "--out", str(out)],
                          capture_output=True, timeout=600)
    run = DemoRun((done.returncode, out, (out / "demo-shop" / "latest").resolve()))
    run.terminal = (done.stdout + done.stderr).decode("utf-8", "replace")
    run.requests = shop.state.request_log[first:]
    return run


# the fast tier (`pytest -m "not slow"`, under a minute) leaves out whole modules that run notebooks,
# subprocesses, browsers or the catalog many times, and every test that uses the full demo run
SLOW_MODULES = ("tests/workbook/", "tests/hostile/", "tests/test_run_and_demo.py",
                "tests/checks/test_no_pass_without_evidence.py", "tests/checks/test_variation_matrix.py")
SLOW_FIXTURES = {"demo_run", "browser"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        where = item.nodeid.split("::", 1)[0]
        if where.startswith(SLOW_MODULES) or SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
