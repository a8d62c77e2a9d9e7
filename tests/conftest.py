"""Shared fixtures: the demo shop (and its hardened twin) on test-only loopback addresses."""

from __future__ import annotations

import pytest

from launch_audit.demo import DemoShop, Layout
from launch_audit.profile import Profile
from launch_audit.profile_loader import load_profile

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
