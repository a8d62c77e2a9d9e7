"""A demo shop for benchmarks, on its own loopback prefix (never the tests' or --serve's)."""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path

from launch_audit.demo import DemoShop, Layout
from launch_audit.profile_loader import load_profile

LAYOUT = Layout(prefix="127.0.30")


def start_shop(max_rps: int = 1000) -> tuple[DemoShop, object]:
    """The demo profile, with the per-host pacing lifted so timings measure the work, not the limiter."""
    shop = DemoShop(Path(tempfile.mkdtemp(prefix="la-bench-")), LAYOUT).start()
    path = shop.write_profile()
    path.write_text(path.read_text().replace("max_requests_per_second: 50", f"max_requests_per_second: {max_rps}"))
    return shop, load_profile(path)


def median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:8.1f} ms"
