"""A 429 a check did not mean to cause is waited out when the check can afford it (issue 19, item 3): the
stated Retry-After (or RateLimit reset), bounded by a per-minute window plus a margin and by the check's
deadline; only a wait it cannot absorb ends the check `error`, saying why. And where the profile declares
no limit, the 429 teaches one (item 5): the rest of the check keeps to it instead of being refused again."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
from aiohttp import web
from launch_audit.checks import catalog
from launch_audit.checks.runner import run_checks
from launch_audit.findings import Status
from launch_audit.net.declared_limits import DeclaredLimits, LimitUnreachable, learned_kind
from launch_audit.net.layer import limit_per_minute, throttle_wait
from launch_audit.profile_loader import load_profile

from tests.helpers import AiohttpThread, target_profile

ADDRESS = "127.0.46.1"


class ThrottlingAPI:
    """Answers request number ``refuse`` to /orders (the first, by default) with 429 and the given headers;
    with ``allow``, every request past the first ``allow`` of the last minute."""

    def __init__(self, headers: dict[str, str], allow: int | None = None) -> None:
        self.headers, self.hits, self.refused = headers, [], 0

        answered: list[float] = []

        async def orders(request: web.Request) -> web.Response:
            now = time.monotonic()
            self.hits.append(now)
            if (allow is None and len(self.hits) == 1) or (allow is not None and
                                                           len([t for t in answered if t > now - 60]) >= allow):
                self.refused += 1
                return web.json_response({"error": "slow down"}, status=429, headers=self.headers)
            answered.append(now)
            return web.json_response({"orders": []})

        app = web.Application()
        app.add_routes([web.get("/orders", orders)])
        self._server = AiohttpThread(ADDRESS, app)

    def stop(self) -> None:
        self._server.stop()


def _profile(tmp_path):
    return load_profile(target_profile(tmp_path, "throttle", ADDRESS))


def _requests(url: str, count: int = 1):
    """A check that GETs ``url`` ``count`` times, one finding per answer."""
    async def run(ctx):
        for n in range(1, count + 1):
            resp = await ctx.net.get(url)
            yield ctx.finding(Status.PASS, f"request {n}", f"answered {resp.status} after the wait")
    return replace(catalog.get("S3.security_headers"), run=run)


async def _against(api: ThrottlingAPI, tmp_path, timeout_s: float, count: int = 1):
    """The findings of a check that sends ``count`` requests to the throttling API, which is then stopped."""
    try:
        return await run_checks(_profile(tmp_path), [_requests(f"http://{ADDRESS}:{api._server.port}/orders", count)],
                                timeout_s=timeout_s)
    finally:
        api.stop()


@pytest.mark.parametrize("retry_after, timeout_s, waited", [
    ("3", 60, (2.9, None)),
    # the wait a shop with a per-minute limit asks for: longer than a quick retry, within its window
    pytest.param("20", 120, (19.9, 25), marks=pytest.mark.slow),
])
async def test_a_retry_after_within_the_bound_is_waited_out_and_the_check_gets_its_verdict(
        retry_after, timeout_s, waited, tmp_path):
    api = ThrottlingAPI({"Retry-After": retry_after})
    [f] = await _against(api, tmp_path, timeout_s)
    assert f.status is Status.PASS and "answered 200" in f.evidence, f.evidence
    low, high = waited
    assert len(api.hits) == 2 and api.hits[1] - api.hits[0] >= low
    assert high is None or api.hits[1] - api.hits[0] < high


@pytest.mark.parametrize("headers, timeout_s, says", [
    ({"Retry-After": "120"}, 300, "longer than this run waits (65 s)"),
    ({"Retry-After": "10"}, 8, "the check's deadline cannot absorb a 10 s wait"),
    ({}, 300, "says no Retry-After or RateLimit-Reset"),
])
async def test_a_wait_the_check_cannot_absorb_is_an_error_that_says_why(headers, timeout_s, says, tmp_path):
    api = ThrottlingAPI(headers)
    started = time.monotonic()
    [f] = await _against(api, tmp_path, timeout_s)
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


@pytest.mark.parametrize("headers, per_minute", [
    ({"ratelimit-policy": "5;w=60"}, 5),
    ({"ratelimit-policy": "10;w=3600"}, 1),             # 10 an hour: at most one a minute
    ({"ratelimit-policy": "2;w=1"}, 120),
    ({"ratelimit": "limit=7, remaining=0, reset=30"}, 7),
    ({"ratelimit-limit": "30"}, 30),
    ({"x-ratelimit-limit": "100, 100;w=60"}, 100),
    ({"retry-after": "5"}, None),
])
def test_the_limit_a_429_states(headers, per_minute):
    assert limit_per_minute(headers) == per_minute


@pytest.mark.slow
async def test_an_undeclared_limit_is_learned_from_the_429_and_kept(tmp_path):
    # 3 a minute, not in the profile, and a Retry-After that understates it: the 4th is refused; the check
    # learns "3 a minute" from what got through, sends the rest in the next window's slots and is refused
    # no more, though its own 30 s would have run out while it waited for them
    api = ThrottlingAPI({"Retry-After": "1"}, allow=3)
    found = await _against(api, tmp_path, 30, count=6)
    assert [f.status for f in found] == [Status.PASS] * 6, [f.evidence for f in found]
    assert len(api.hits) == 7 and api.refused == 1
    assert api.hits[4] - api.hits[0] >= 60                     # the 4th again only when the first left the window


async def test_a_learned_limit_is_shared_by_the_runs_processes(tmp_path):
    first, second = DeclaredLimits({}, tmp_path), DeclaredLimits({}, tmp_path)
    kind = learned_kind("GET", "https://api.example.test/orders?page=2")
    assert kind == learned_kind("get", "https://api.example.test/orders") and not second.has_limit(kind)
    for _ in range(3):
        first.sent(kind, "client")
    assert first.learn(kind, "client", None) == 2              # the third was the one refused
    assert second.has_limit(kind) and second.limits[kind] == 2
    with pytest.raises(LimitUnreachable, match="learned from the shop's 429"):
        await second.take(kind, "client", deadline=time.monotonic() + 5)
    assert first.learn(kind, "client", 10) == 2                # a learned limit only ever tightens
