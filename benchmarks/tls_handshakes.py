"""Certificate fetches: our reused SSL context vs a fresh context per connection vs `openssl s_client`.

Why contexts are built once per run: each ssl.create_default_context() loads the
system trust store. The peer tool is openssl s_client, what a consultant would
otherwise script.

    python3 benchmarks/tls_handshakes.py [handshakes]
"""

from __future__ import annotations

import asyncio
import shutil
import ssl
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _demo import LAYOUT, median_ms, start_shop  # noqa: E402

from launch_audit.demo import DOMAIN  # noqa: E402
from launch_audit.net import Network  # noqa: E402
from launch_audit.net.tls import handshake  # noqa: E402

HOST = f"www.{DOMAIN}"


async def ours(profile, n: int) -> list[float]:
    times = []
    async with Network(profile) as net:
        for _ in range(n):
            started = time.perf_counter()
            await net.for_check(budget=n + 1).tls_handshake(HOST)
            times.append(time.perf_counter() - started)
    return times


async def fresh_context(ca: str, n: int) -> list[float]:
    times = []
    for _ in range(n):
        started = time.perf_counter()
        ctx = ssl.create_default_context()
        ctx.load_verify_locations(cafile=ca)
        await handshake(LAYOUT.hosts[HOST], LAYOUT.https_port, HOST, ctx, 5)
        times.append(time.perf_counter() - started)
    return times


def openssl(ca: str, n: int) -> list[float]:
    times = []
    for _ in range(n):
        started = time.perf_counter()
        subprocess.run(["openssl", "s_client", "-connect", f"{LAYOUT.hosts[HOST]}:{LAYOUT.https_port}",
                        "-servername", HOST, "-CAfile", ca, "-verify_return_error"],
                       input=b"", capture_output=True, check=True, timeout=10)
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    shop, profile = start_shop()
    ca = str(shop.state_dir / "ca.pem")
    try:
        mine = asyncio.run(ours(profile, n))
        fresh = asyncio.run(fresh_context(ca, n))
        peer = openssl(ca, n) if shutil.which("openssl") else []
    finally:
        shop.stop()
    print(f"verified TLS handshake + certificate read of {HOST}, {n} times (median per handshake)")
    print(f"  launch-audit (context reused):   {median_ms(mine)}")
    print(f"  new context each time:           {median_ms(fresh)}   ({statistics.median(fresh) / statistics.median(mine):.1f}x)")
    if peer:
        print(f"  openssl s_client (peer tool):    {median_ms(peer)}   ({statistics.median(peer) / statistics.median(mine):.1f}x)")


if __name__ == "__main__":
    main()
