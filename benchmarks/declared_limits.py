"""What keeping the shop's declared rate limits costs: stages 4 and 5 against the hardened twin as it runs
for the demo (its red-team account exempt from the chat limit), and against the same shop enforcing
exactly its declared limits per client with nobody exempt.

    python3 benchmarks/declared_limits.py [repeats] [--limits login=30,password_reset=20,chat=120]

Prints, per shop, the median wall time, how long requests waited for a slot per limit, the 429s the shop
answered by the check that asked (only S4.rate_limit_* may appear), and the verdicts' agreement.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

from launch_audit.checks import catalog
from launch_audit.checks.runner import run_checks
from launch_audit.demo import DemoShop, Layout
from launch_audit.demo.style import Style
from launch_audit.net import Network
from launch_audit.profile_loader import load_profile


def once(strict: dict[str, int] | None, prefix: str) -> tuple[float, dict, Counter, dict]:
    shop = DemoShop(Path(tempfile.mkdtemp(prefix="la-bench-limits-")), Layout(prefix=prefix), hardened=True,
                    style=Style(limits="ip"), strict_limits=strict).start()
    try:
        profile = load_profile(shop.write_profile())
        checks = [*catalog.for_stage(4), *catalog.for_stage(5)]

        async def run():
            async with Network(profile) as net:
                started = time.perf_counter()
                found = await run_checks(profile, checks, net=net)
                return time.perf_counter() - started, dict(net.declared.waited_s), found
        took, waited, found = asyncio.run(run())
        asked = Counter(ua.split("check ")[-1].rstrip(")") for ua, _ in shop.state.throttled)
        statuses = {f.check_id: f.status.value for f in found}
        return took, waited, asked, statuses
    finally:
        shop.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repeats", nargs="?", type=int, default=1)
    parser.add_argument("--limits", default="login=30,password_reset=20,chat=120")
    args = parser.parse_args()
    strict = {k: int(v) for k, v in (kv.split("=") for kv in args.limits.split(","))}
    rows = {}
    for name, limits, prefix in (("demo (red team exempt)", None, "127.0.33"), (f"strict {args.limits}", strict,
                                                                              "127.0.34")):
        runs = [once(limits, prefix) for _ in range(args.repeats)]
        rows[name] = runs
        took = statistics.median(r[0] for r in runs)
        waited = {k: round(statistics.median(r[1].get(k, 0.0) for r in runs), 1) for k in ("login", "password_reset",
                                                                                          "chat")}
        print(f"{name:40} {took:6.1f} s   waited for slots {waited}   429s by check {dict(runs[-1][2])}")
    a, b = (rows[k][-1][3] for k in rows)
    print("same verdict per check id:", a == b)


if __name__ == "__main__":
    main()
