"""One full demo run through the notebooks, shared by the pipeline and browser tests."""

from __future__ import annotations

import pytest
from launch_audit.cli import main


@pytest.fixture(scope="session")
def demo_run(shop, tmp_path_factory):
    """`launch-audit run` of the demo profile: all seven stages, the profile's real sampling window."""
    out = tmp_path_factory.mktemp("outputs")
    code = main(["run", str(shop.write_profile()), "--out", str(out)])
    return code, out, (out / "demo-shop" / "latest").resolve()
