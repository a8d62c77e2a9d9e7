"""The four first checks against the demo shop: concurrently (as the runner does) vs one after another.

    python3 benchmarks/first_checks.py [repeats]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _demo import median_ms, start_shop  # noqa: E402

from launch_audit.checks import catalog  # noqa: E402
from launch_audit.checks.runner import run_checks  # noqa: E402
from launch_audit.net import Network  # noqa: E402

IDS = ["S2.dns_records", "S2.https_redirect", "S2.tls_certificate", "S6.health_endpoint"]


async def concurrent(profile) -> float:
    started = time.perf_counter()
    await run_checks(profile, [catalog.get(i) for i in IDS])
    return time.perf_counter() - started


async def sequential(profile) -> float:
    started = time.perf_counter()
    async with Network(profile) as net:
        for check_id in IDS:
            await run_checks(profile, [catalog.get(check_id)], net=net, concurrency=1)
    return time.perf_counter() - started


def measure(max_rps: int, repeats: int) -> None:
    shop, profile = start_shop(max_rps)
    try:
        for warm in (concurrent, sequential):
            asyncio.run(warm(profile))
        conc = [asyncio.run(concurrent(profile)) for _ in range(repeats)]
        seq = [asyncio.run(sequential(profile)) for _ in range(repeats)]
    finally:
        shop.stop()
    print(f"4 first checks x 4 hosts, per-host pacing {max_rps}/s, {repeats} runs (median)")
    print(f"  concurrent (runner): {median_ms(conc)}")
    print(f"  one after another:   {median_ms(seq)}")
    print(f"  ratio sequential/concurrent: {statistics.median(seq) / statistics.median(conc):.2f}x")


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 9
    # with real pacing (the demo profile's 50/s per host) concurrency overlaps the waits on different hosts;
    # on loopback without pacing there is nothing to overlap and the figure shows the runner's overhead
    measure(50, repeats)
    print()
    measure(1000, repeats)


if __name__ == "__main__":
    main()
