"""Sampler accuracy and overhead: our p50/p95/p99 vs the true server delay and vs wrk, same endpoint, same run.

    python3 benchmarks/sampler.py [requests] [repeats]

The endpoint runs in its own process on loopback (benchmarks/_delay_server.py):
/fixed sleeps 20 ms; /mixed sleeps 10 ms nine times in ten and 60 ms the tenth.
wrk (Debian package) is the peer: HdrHistogram percentiles through a Lua hook.
Client and server share this machine's 2 cores, as they would on a laptop.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from launch_audit.demo.dns_server import DemoDNS
from launch_audit.monitoring import SeriesPlan, nearest_rank, sample_series
from launch_audit.net import Network
from launch_audit.profile_loader import load_profile

HERE = Path(__file__).resolve().parent
ADDRESS, PORT, DNS = "127.0.31.1", 8099, ("127.0.31.53", 5353)
HOST = "delay.bench.test"
ZONE = f"""bench.test. 60 IN SOA ns.bench.test. admin.bench.test. 1 60 60 60 60
{HOST}. 60 IN A {ADDRESS}
"""
PROFILE = f"""
client: bench
founder: {{name: B, email: b@bench.test}}
domain: bench.test
canonical: https://{HOST}
scope: {{hosts: [bench.test, {HOST}], max_requests_per_second: 1000, max_requests_per_check: 100000}}
network: {{nameservers: ["{DNS[0]}:{DNS[1]}"], timeout_s: 5}}
"""


def wrk(path: str, concurrency: int, seconds: int = 4) -> dict[str, float]:
    out = subprocess.run(["wrk", "-t1", f"-c{concurrency}", f"-d{seconds}s", "-s", str(HERE / "wrk_percentiles.lua"),
                          f"http://{ADDRESS}:{PORT}{path}"], capture_output=True, text=True, check=True).stdout
    m = re.search(r"WRK p50=([\d.]+) p95=([\d.]+) p99=([\d.]+)", out)
    assert m, out
    return {"p50": float(m[1]), "p95": float(m[2]), "p99": float(m[3])}


async def client_view(profile, path: str, concurrency: int, n: int) -> dict[str, float]:
    """The same requests timed around httpx's send and body read (what the sampler did before wire timing)."""
    url = f"http://{HOST}:{PORT}{path}"
    gate = asyncio.Semaphore(concurrency)
    async with Network(profile) as net:
        check = net.for_check(10 * n)

        async def one() -> float:
            async with gate:
                return (await check.get(url)).elapsed_ms

        await asyncio.gather(*(one() for _ in range(concurrency * 2)))
        ms = await asyncio.gather(*(one() for _ in range(n)))
    return {p: nearest_rank(list(ms), q) for p, q in (("p50", 50), ("p95", 95), ("p99", 99))}


async def ours(profile, path: str, concurrency: int, n: int) -> dict[str, float]:
    plan = SeriesPlan("bench", "page", "GET", f"http://{HOST}:{PORT}{path}", n=n)
    async with Network(profile) as net:
        check = net.for_check(10 * n)
        await sample_series(check, SeriesPlan("warm", "page", "GET", plan.url, n=concurrency * 2), 0.01,
                            asyncio.Semaphore(concurrency))     # connections open, as wrk's are
        samples = await sample_series(check, plan, 0.001, asyncio.Semaphore(concurrency))
    ms = [s.ms for s in samples if s.ms is not None and s.status == 200]
    assert len(ms) == n, f"{n - len(ms)} failed"
    return {p: nearest_rank(ms, q) for p, q in (("p50", 50), ("p95", 95), ("p99", 99))}


def median_of(runs: list[dict[str, float]]) -> dict[str, float]:
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]}


def main(n: int, repeats: int) -> None:
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk")
    folder = Path(tempfile.mkdtemp(prefix="la-bench-sampler-"))
    (folder / "bench.yaml").write_text(PROFILE)
    profile = load_profile(folder / "bench.yaml")
    dns = DemoDNS(DNS[0], DNS[1], ZONE)
    dns.start()
    server = subprocess.Popen([sys.executable, str(HERE / "_delay_server.py"), ADDRESS, str(PORT)])
    time.sleep(1.5)
    try:
        print(f"sampler vs wrk, {n} requests per measurement, median of {repeats} (ms, nearest-rank / HdrHistogram)")
        print(f"{'endpoint':8} {'c':>3} {'truth':>17} | {'wrk p50/p95/p99':>22} | {'ours p50/p95/p99':>22} | "
              "ours − wrk        | httpx client view − wrk")
        truth = {"/fixed": (20, 20, 20), "/mixed": (10, 60, 60)}
        for path in ("/fixed", "/mixed"):
            for c in (1, 10):
                w_runs, o_runs, v_runs = [], [], []
                for _ in range(repeats):
                    w_runs.append(wrk(path, c))
                    o_runs.append(asyncio.run(ours(profile, path, c, n)))
                    v_runs.append(asyncio.run(client_view(profile, path, c, n)))
                w, o, v = median_of(w_runs), median_of(o_runs), median_of(v_runs)
                t = "/".join(str(x) for x in truth[path])
                fmt = lambda d: f"{d['p50']:6.2f} {d['p95']:6.2f} {d['p99']:6.2f}"  # noqa: E731
                delta = f"{o['p50'] - w['p50']:+5.2f} {o['p95'] - w['p95']:+5.2f} {o['p99'] - w['p99']:+5.2f}"
                view = f"{v['p50'] - w['p50']:+5.2f} {v['p95'] - w['p95']:+5.2f} {v['p99'] - w['p99']:+5.2f}"
                print(f"{path:8} {c:>3} {t:>17} | {fmt(w):>22} | {fmt(o):>22} | {delta} | {view}")
    finally:
        server.terminate()
        server.wait(5)
        dns.stop()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 400, int(sys.argv[2]) if len(sys.argv) > 2 else 3)
