"""A whole `launch-audit run` (the stage notebooks, in parallel kernels) against a shop that defends itself:
the hardened demo shop enforcing exactly the limits its profile declares, nobody exempt, per client for
login and reset, per account for chat, beside the same shop as the demo runs it.

    python3 benchmarks/strict_limits_run.py [--limits login=5,password_reset=3,chat=30] [--time-budget S]

Prints, per shop: stage 5's plan as the run prints it before starting, and how long stage 5 and the whole
run really took; the 429s the shop answered, by the check that asked (only S4.rate_limit_* may appear);
findings that ended skip or error because of throttling; and whether every check's statuses agree.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

from launch_audit.checks.redteam import stage_plan
from launch_audit.demo import DemoShop, Layout
from launch_audit.demo.style import Style
from launch_audit.findings import Status
from launch_audit.profile_loader import load_profile
from launch_audit.workbook.pipeline import run_pipeline

THROTTLING = ("throttled by the target", "no free slot", "throttled the", "did not fit the time budget")


def audit(strict: dict[str, int] | None, prefix: str, time_budget_s: float | None = None) -> dict:
    """One full run against a fresh hardened shop; what the shop saw and what the run found."""
    folder = Path(tempfile.mkdtemp(prefix="la-strict-run-"))
    shop = DemoShop(folder / "shop", Layout(prefix=prefix), hardened=True, style=Style(limits="ip"),
                    strict_limits=strict).start()
    try:
        profile_path = shop.write_profile()
        plan = stage_plan(load_profile(profile_path), time_budget_s)
        started = time.perf_counter()
        result = run_pipeline(profile_path, folder / "outputs", time_budget_s=time_budget_s)
        took = time.perf_counter() - started
        statuses: dict[str, set[str]] = defaultdict(set)
        for f in result.findings:
            statuses[f.check_id].add(f.status.value)
        return {
            "plan": plan.line() if plan else "no chat", "planned_s": plan.expected_s if plan else 0.0,
            "took_s": took, "stages": {r.stage: r.seconds for r in result.stage_runs},
            "broken": [r.stage for r in result.broken],
            "429 by check": Counter(ua.split("check ")[-1].rstrip(")") for ua, _ in shop.state.throttled),
            "starved": [(f.check_id, f.status.value, f.evidence[:160]) for f in result.findings
                        if f.status in (Status.SKIP, Status.ERROR) and not f.check_id.startswith("S4.rate_limit_")
                        and any(w in f.evidence.lower() for w in THROTTLING)],
            "statuses": dict(statuses), "run_dir": result.run_dir,
        }
    finally:
        shop.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limits", default="login=5,password_reset=3,chat=30")
    parser.add_argument("--time-budget", type=float, default=None)
    args = parser.parse_args()
    strict = {k: int(v) for k, v in (kv.split("=") for kv in args.limits.split(","))}
    runs = {"demo (red team exempt)": audit(None, "127.0.35"),
            f"strict {args.limits}": audit(strict, "127.0.36", args.time_budget)}
    for name, r in runs.items():
        print(f"\n{name}")
        print(f"  printed before the run: {r['plan']}")
        print(f"  stage 5: planned {r['planned_s']:.0f} s, took {r['stages'].get(5, 0):.0f} s;"
              f" whole run {r['took_s']:.0f} s; stages {r['stages']}")
        print(f"  429 answers by check: {dict(r['429 by check']) or 'none'}")
        print(f"  throttling skip/error outside S4.rate_limit_*: {r['starved'] or 'none'}; broken stages: "
              f"{r['broken'] or 'none'}")
    demo, strict_run = runs.values()
    differ = sorted(c for c in demo["statuses"].keys() | strict_run["statuses"].keys()
                    if demo["statuses"].get(c) != strict_run["statuses"].get(c))
    print(f"\nchecks whose statuses differ: {differ or 'none'}")
    for check in differ:
        print(f"  {check}: demo {sorted(demo['statuses'].get(check, []))}, "
              f"strict {sorted(strict_run['statuses'].get(check, []))}")


if __name__ == "__main__":
    main()
