"""A full stage 5 run (the whole probe set, S1.prompt_leak_quick included) against the demo bot, with the
demo profile's own pacing (50 requests/s per host) and budget (300 requests per check).

    python3 benchmarks/red_team.py [repeats]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _demo import start_shop  # noqa: E402

from launch_audit.checks import catalog  # noqa: E402
from launch_audit.checks.runner import run_checks  # noqa: E402
from launch_audit.redteam.probes import load_probes  # noqa: E402

IDS = [c.id for c in catalog.for_stage(5)] + ["S1.prompt_leak_quick"]


def main(repeats: int) -> None:
    shop, profile = start_shop(max_rps=50)           # the demo profile's rate, not lifted
    try:
        walls, sent = [], []
        for _ in range(repeats):
            before = shop.state.hits[f"api.{profile.domain}"]
            started = time.perf_counter()
            findings = asyncio.run(run_checks(profile, [catalog.get(i) for i in IDS]))
            walls.append(time.perf_counter() - started)
            sent.append(shop.state.hits[f"api.{profile.domain}"] - before)
    finally:
        shop.stop()
    budget = profile.scope.max_requests_per_check * len(IDS)
    failed = len({f.target for f in findings if f.status.value == "fail"})
    print(f"{len(load_probes())} probes (+ the quick subset), {len(IDS)} checks, median of {repeats}:")
    print(f"  wall time        {statistics.median(walls):6.1f} s   (goal: under 30 s)")
    print(f"  requests served  {statistics.median(sent):6.0f}     (budget {budget}: {profile.scope.max_requests_per_check}"
          f" per check; pacing {profile.scope.max_requests_per_second:g}/s per host)")
    print(f"  failing probes   {failed}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
