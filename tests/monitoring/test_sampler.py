"""The sampler against real loopback servers: known delays, 5xx, a host that never answers, pacing."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime

import pytest
from aiohttp import web
from launch_audit.demo.layout import DOMAIN
from launch_audit.monitoring import SeriesPlan, sample_series
from launch_audit.net import Network
from launch_audit.profile_loader import load_profile

from tests.conftest import TEST_LAYOUT
from tests.helpers import AiohttpThread, RawServer, dns_records, never_answer, profile_text, write_profile

DELAY = f"delay.{DOMAIN}"
FLAKY = f"flaky.{DOMAIN}"
DEAD = f"dead.{DOMAIN}"
DELAY_S = 0.020


@pytest.fixture(scope="module")
def servers(shop):
    hits = {"flaky": 0}

    async def delayed(request: web.Request) -> web.Response:
        await asyncio.sleep(DELAY_S)
        return web.Response(text="ok")

    async def flaky(request: web.Request) -> web.Response:
        hits["flaky"] += 1
        return web.Response(status=503 if hits["flaky"] % 4 == 0 else 200, text="maybe")

    delay_app, flaky_app = web.Application(), web.Application()
    delay_app.router.add_get("/", delayed)
    flaky_app.router.add_get("/", flaky)
    running = {DELAY: AiohttpThread(TEST_LAYOUT.ip(110), delay_app), FLAKY: AiohttpThread(TEST_LAYOUT.ip(111), flaky_app)}
    dead = RawServer(TEST_LAYOUT.ip(112), never_answer).start()
    zone = "\n".join(f"{name}. IN A {server.address}" for name, server in [*running.items(), (DEAD, dead)])
    with dns_records(shop, zone):
        yield {**{k: v.port for k, v in running.items()}, DEAD: dead.port}
    for server in running.values():
        server.stop()
    dead.stop()


def _net(tmp_path, shop, timeout_s: float = 2) -> Network:
    text = profile_text(TEST_LAYOUT.nameserver, scope=[DELAY, FLAKY, DEAD], per_check=500, rps=500,
                        timeout_s=timeout_s, ca_bundle=str(shop.state_dir / "ca.pem"))
    return Network(load_profile(write_profile(tmp_path, text)))


async def test_latency_includes_the_server_delay_and_samples_are_paced(tmp_path, shop, servers):
    # Given an endpoint that always takes 20 ms
    plan = SeriesPlan("delay", "page", "GET", f"http://{DELAY}:{servers[DELAY]}/", n=12)
    async with _net(tmp_path, shop) as net:
        # When 12 samples are spread over 1.2 s, two at a time
        t0 = time.monotonic()
        samples = await sample_series(net.for_check(500), plan, 1.2, asyncio.Semaphore(2))
        took = time.monotonic() - t0
    # Then every sample is a 200 that took at least the server's delay, and they were spread over the window
    assert len(samples) == 12 and all(s.status == 200 for s in samples)
    assert all(s.ms is not None and DELAY_S * 1000 <= s.ms < 1000 for s in samples)
    starts = sorted(datetime.fromisoformat(s.started_at) for s in samples)
    assert (starts[-1] - starts[0]).total_seconds() >= 1.0 and took >= 1.1


async def test_5xx_are_kept_as_samples(tmp_path, shop, servers):
    from launch_audit.checks.monitoring import judge_error_rate
    plan = SeriesPlan("flaky", "page", "GET", f"http://{FLAKY}:{servers[FLAKY]}/", n=20)
    async with _net(tmp_path, shop) as net:
        samples = await sample_series(net.for_check(500), plan, 0.5, asyncio.Semaphore(4))
    assert sum(s.status == 503 for s in samples) == 5
    status, evidence = judge_error_rate(samples)
    assert status == "fail" and "5 of 20 answers were 5xx (25.00 %)" in evidence


async def test_a_host_that_never_answers_is_given_up_on(tmp_path, shop, servers):
    # Given a host that accepts and never answers, and a 0.5 s timeout
    plan = SeriesPlan("dead", "page", "GET", f"http://{DEAD}:{servers[DEAD]}/", n=40)
    async with _net(tmp_path, shop, timeout_s=0.5) as net:
        t0 = time.monotonic()
        samples = await sample_series(net.for_check(500), plan, 2.0, asyncio.Semaphore(4))
        took = time.monotonic() - t0
    # Then the series stops after a few failures instead of 40 timeouts, each failure saying why
    assert 5 <= len(samples) < 12 and all(s.status == "error" and s.ms is None for s in samples)
    assert all("no complete answer" in s.error or "Timeout" in s.error for s in samples)
    assert took < 10
