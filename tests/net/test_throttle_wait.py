"""A 429 a check did not mean to cause is waited out when the check can afford it (issue 19, item 3, in
part): the stated Retry-After (or RateLimit reset), bounded by the run's wait bound and the check's
deadline; only a wait it cannot absorb ends the check `error`, saying why."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
from aiohttp import web
from launch_audit.checks import catalog
from launch_audit.checks.runner import run_checks
from launch_audit.findings import Status
from launch_audit.net.layer import throttle_wait
from launch_audit.profile_loader import load_profile

from tests.helpers import AiohttpThread, target_profile

ADDRESS = "127.0.46.1"


class ThrottlingAPI:
    """Answers the first request to /orders with 429 and the given headers, then 200."""

    def __init__(self, headers: dict[str, str]) -> None:
        self.headers, self.hits = headers, []

        async def orders(request: web.Request) -> web.Response:
            self.hits.append(time.monotonic())
            if len(self.hits) == 1:
                return web.json_response({"error": "slow down"}, status=429, headers=self.headers)
            return web.json_response({"orders": []})

        app = web.Application()
        app.add_routes([web.get("/orders", orders)])
        self._server = AiohttpThread(ADDRESS, app)

    def stop(self) -> None:
        self._server.stop()


def _profile(tmp_path):
    return load_profile(target_profile(tmp_path, "throttle", ADDRESS))


def _reader(url: str):
    async def run(ctx):
        resp = await ctx.net.get(url)
        yield ctx.finding(Status.PASS, url, f"answered {resp.status} after the wait")
    return replace(catalog.get("S3.security_headers"), run=run)


async def test_a_retry_after_within_the_bound_is_waited_out_and_the_check_gets_its_verdict(tmp_path):
    api = ThrottlingAPI({"Retry-After": "3"})
    try:
        url = f"http://{ADDRESS}:{api._server.port}/orders"
        [f] = await run_checks(_profile(tmp_path), [_reader(url)], timeout_s=60)
    finally:
        api.stop()
    assert f.status is Status.PASS and "answered 200" in f.evidence, f.evidence
    assert len(api.hits) == 2 and api.hits[1] - api.hits[0] >= 2.9


@pytest.mark.parametrize("headers, timeout_s, says", [
    ({"Retry-After": "60"}, 300, "longer than this run waits (15 s)"),
    ({"Retry-After": "10"}, 8, "the check's deadline cannot absorb a 10 s wait"),
    ({}, 300, "says no Retry-After or RateLimit-Reset"),
])
async def test_a_wait_the_check_cannot_absorb_is_an_error_that_says_why(headers, timeout_s, says, tmp_path):
    api = ThrottlingAPI(headers)
    try:
        url = f"http://{ADDRESS}:{api._server.port}/orders"
        started = time.monotonic()
        [f] = await run_checks(_profile(tmp_path), [_reader(url)], timeout_s=timeout_s)
    finally:
        api.stop()
    assert f.status is Status.ERROR and says in f.evidence and "429" in f.evidence, f.evidence
    assert time.monotonic() - started < 5 and len(api.hits) == 1          # nothing waited, nothing re-sent


@pytest.mark.parametrize("headers, wait", [
    ({"retry-after": "7"}, 7.0),
    ({"ratelimit-reset": "12"}, 12.0),
    ({"ratelimit": "limit=5, remaining=0, reset=30"}, 30.0),
    ({"x-ratelimit-reset": "9"}, 9.0),
    ({}, None),
])
def test_throttle_wait_reads_the_headers_a_shop_sends(headers, wait):
    assert throttle_wait(headers) == wait


def test_a_reset_given_as_a_unix_time_is_the_time_left():
    assert 40 <= throttle_wait({"x-ratelimit-reset": str(int(time.time()) + 42)}) <= 42
