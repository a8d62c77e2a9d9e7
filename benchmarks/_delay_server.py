"""A loopback HTTP server with known delays, run as its own process (so it never shares our GIL).

    python3 benchmarks/_delay_server.py ADDRESS PORT

GET /fixed   sleeps 20 ms
GET /mixed   sleeps 10 ms nine times in ten, 60 ms the tenth (true p50 10 ms, p95 and p99 60 ms)
"""

from __future__ import annotations

import asyncio
import itertools
import sys

from aiohttp import web

COUNTER = itertools.count()


async def fixed(request: web.Request) -> web.Response:
    await asyncio.sleep(0.020)
    return web.Response(text="ok")


async def mixed(request: web.Request) -> web.Response:
    await asyncio.sleep(0.060 if next(COUNTER) % 10 == 9 else 0.010)
    return web.Response(text="ok")


def main() -> None:
    app = web.Application()
    app.router.add_get("/fixed", fixed)
    app.router.add_get("/mixed", mixed)
    web.run_app(app, host=sys.argv[1], port=int(sys.argv[2]), access_log=None, print=None)


if __name__ == "__main__":
    main()
