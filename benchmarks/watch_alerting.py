"""`launch-audit watch` against the hardened demo shop (127.0.38.x) with a Slack-compatible receiver
(127.0.39.1): how long from a host going down to the alert, and from it coming back to the recovery notice,
and how many recorded rounds a SIGKILL loses.

    python3 benchmarks/watch_alerting.py [outages] [kills]

Each outage stops www's HTTPS listener (and its open connections) while `launch-audit watch` runs with a 1 s
interval and down_after 2; each kill is a SIGKILL at a random moment after at least three rounds. Medians.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from launch_audit.demo import DemoShop, Layout  # noqa: E402

from tests.helpers import AiohttpThread  # noqa: E402

WWW = "www.brightbrew.test"


def profile(shop: DemoShop, folder: Path) -> Path:
    text = shop.write_profile().read_text().replace("p95_budget_ms: 500", "p95_budget_ms: 5000")
    text += "\nwatch: {interval_s: 1, down_after: 2, window_rounds: 4, slack_webhook_env: BENCH_HOOK}\n"
    path = folder / "watch.yaml"
    path.write_text(text)
    return path


def rounds(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=10) as con:
            return con.execute("SELECT COUNT(*) FROM rounds").fetchone()[0]
    except sqlite3.Error:
        return 0


def wait(predicate, timeout: float) -> float:
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > timeout:
            raise TimeoutError("not within the timeout")
        time.sleep(0.05)
    return time.monotonic() - start


def main() -> None:
    outages = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    kills = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    posts: list[tuple[float, str]] = []

    async def hook(request):
        posts.append((time.monotonic(), (await request.json())["text"]))
        return web.json_response({})

    app = web.Application()
    app.add_routes([web.post("/hook", hook)])
    receiver = AiohttpThread("127.0.39.1", app)
    env = {**os.environ, "BENCH_HOOK": f"http://127.0.39.1:{receiver.port}/hook"}
    to_alert, to_recovery, lost, in_flight = [], [], [], []
    with tempfile.TemporaryDirectory() as tmp, DemoShop(Path(tmp) / "shop", Layout(prefix="127.0.38"),
                                                       hardened=True) as shop:
        path = profile(shop, Path(tmp))
        db = Path(tmp) / "outages.sqlite"
        watch = subprocess.Popen([sys.executable, "-m", "launch_audit.cli", "watch", str(path), "--db", str(db)],
                                 env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait(lambda: rounds(db) >= 3, 60)
            for i in range(outages):
                seen = len(posts)
                down_at = time.monotonic()
                shop.stop_host(WWW)
                wait(lambda: len(posts) > seen, 60)
                to_alert.append(posts[-1][0] - down_at)
                up_at = time.monotonic()
                shop.start_host(WWW)
                wait(lambda: len(posts) > seen + 1, 60)
                to_recovery.append(posts[-1][0] - up_at)
                print(f"outage {i + 1}: alert after {to_alert[-1]:.1f} s, "
                      f"recovery notice after {to_recovery[-1]:.1f} s")
                time.sleep(2)
        finally:
            watch.terminate()
            watch.wait(30)
        for i in range(kills):
            db = Path(tmp) / f"kill-{i}.sqlite"
            proc = subprocess.Popen([sys.executable, "-m", "launch_audit.cli", "watch", str(path), "--db", str(db)],
                                    env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            wait(lambda: rounds(db) >= 3, 60)
            time.sleep(random.uniform(0, 2.5))    # anywhere in a round, mid-write included
            proc.send_signal(signal.SIGKILL)
            out, _ = proc.communicate()
            said = sum(line.startswith("round ") for line in out.splitlines())
            kept = rounds(db)
            lost.append(max(0, said - kept))          # reported as recorded, then missing from the record
            in_flight.append(kept - said)             # recorded but killed before it printed the line
            print(f"kill {i + 1}: {said} rounds reported, {kept} in the record")
    receiver.stop()
    print()
    print(f"time from a host going down to the alert: median {statistics.median(to_alert):.1f} s "
          f"(min {min(to_alert):.1f}, max {max(to_alert):.1f}; interval 1 s, down_after 2)")
    print(f"time from it answering again to the recovery notice: median {statistics.median(to_recovery):.1f} s")
    print(f"rounds lost after SIGKILL: {sum(lost)} in {kills} kills "
          f"(recorded but not yet printed when killed: {sum(in_flight)})")


if __name__ == "__main__":
    main()
