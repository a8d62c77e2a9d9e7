"""What the demo audit does to the shop, and what its backtracking trap costs the run.

    python3 benchmarks/do_no_harm.py [repeats]

Runs the full pipeline (seven stage notebooks, the demo profile's pacing and 15 s window) against the
unhardened demo shop with its backtracking email check, then with that check made linear, and prints
median wall times and their ratio, how long the trap froze the API, and what reached the shop: requests
that could change state, by method and path, and calls of the destructive setup route (must be 0).
With ``allow_active: false`` the same counts must be 0 altogether.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _demo import start_shop  # noqa: E402
from launch_audit.workbook.pipeline import run_pipeline  # noqa: E402


def run(shop, profile_path: Path, out: Path) -> tuple[float, list[dict]]:
    started = time.perf_counter()
    result = run_pipeline(profile_path, out)
    took = time.perf_counter() - started
    findings = json.loads(result.findings_json.read_text())["findings"]
    return took, [f for f in findings if f.get("details", {}).get("outage")]


def main(repeats: int) -> None:
    shop, profile = start_shop(max_rps=50)
    out = Path(tempfile.mkdtemp(prefix="la-bench-harm-"))
    try:
        times: dict[str, list[float]] = {"with the trap": [], "without": []}
        frozen = []
        for _ in range(repeats):
            for label, trap in (("with the trap", True), ("without", False)):
                shop.state.redos_trap = trap
                before, reseeds = dict(shop.state.state_changing), shop.state.reseeds
                took, outages = run(shop, profile.source, out)
                times[label].append(took)
                frozen += [o["details"]["outage"]["seconds"] for o in outages]
                assert shop.state.reseeds == reseeds, "the destructive setup route was called"
                sent = {k: v - before.get(k, 0) for k, v in shop.state.state_changing.items() if v != before.get(k, 0)}
        shop.state.redos_trap = True
        passive = profile.source.with_name("passive.yaml")
        passive.write_text(profile.source.read_text().replace("allow_active: true", "allow_active: false"))
        before, reseeds = sum(shop.state.state_changing.values()), shop.state.reseeds
        took_passive, _ = run(shop, passive, out)
        print(f"full demo run, median of {repeats}:")
        for label, values in times.items():
            print(f"  {label:14} {statistics.median(values):6.1f} s")
        ratio = statistics.median(times["with the trap"]) / statistics.median(times["without"])
        print(f"  ratio          {ratio:6.2f}x (the bar: 1.5x)")
        print(f"  the trap froze the API for {statistics.median(frozen) if frozen else 0:.1f} s (median), "
              f"{len(frozen)} outage findings in {repeats} runs")
        print(f"  state-changing requests of the last allow_active run: {sum(sent.values())} "
              f"({', '.join(f'{k} ×{v}' for k, v in sorted(sent.items()))})")
        print(f"allow_active: false run ({took_passive:.1f} s): state-changing requests "
              f"{sum(shop.state.state_changing.values()) - before}, setup route calls {shop.state.reseeds - reseeds}")
    finally:
        shop.stop()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
