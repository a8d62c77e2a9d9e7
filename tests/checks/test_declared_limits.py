"""The shop's declared rate limits as budgets the run keeps (issue 19): the sliding window, shared by the run's
processes through a folder; whose attempts a limit counts; and a whole stage 4 and 5 against a shop that
enforces exactly what its profile declares, per client, with nobody exempt."""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import pytest
from launch_audit.checks import catalog
from launch_audit.checks.runner import run_checks
from launch_audit.demo import DemoShop, Layout
from launch_audit.demo.style import Style
from launch_audit.findings import Status
from launch_audit.net.declared_limits import (WINDOW_S, Accounts, DeclaredLimits, LimitUnreachable, identity_of, named_in,
                                              next_slot)
from launch_audit.profile_loader import load_profile


@pytest.mark.parametrize("times, per_minute, expected", [
    ([], 3, 100.0),                                    # nothing booked: now
    ([90.0, 95.0], 3, 100.0),                          # room left in the window
    ([30.0, 90.0, 95.0], 3, 100.0),                    # 30 fell out of the window ending now (61 s)
    ([60.0, 90.0, 95.0], 3, 60.0 + WINDOW_S),          # full: when the oldest of the last three leaves
    ([90.0, 95.0, 130.0], 3, 90.0 + WINDOW_S),         # a reserved future slot counts too
])
def test_next_slot(times, per_minute, expected):
    assert next_slot(times, per_minute, 100.0) == pytest.approx(expected)


async def test_the_window_is_shared_through_the_run_folder(tmp_path):
    # two stage processes of one run: each its own DeclaredLimits on the same folder
    first, second = DeclaredLimits({"password_reset": 3}, tmp_path), DeclaredLimits({"password_reset": 3}, tmp_path)
    assert await first.take("password_reset", "client") == 0 and await first.take("password_reset", "client") == 0
    assert await second.take("password_reset", "client") == 0
    with pytest.raises(LimitUnreachable, match=r"password_reset limit \(3/min\) has no free slot for 6\d s"):
        await second.take("password_reset", "client", deadline=time.monotonic() + 5)
    # another identity, and a kind the profile declares no limit for, are not held back
    assert await second.take("password_reset", "named-x", deadline=time.monotonic() + 1) == 0
    assert await second.take("signup", "client", deadline=time.monotonic() + 1) == 0


async def test_a_rate_limit_probe_is_recorded_without_waiting_and_the_rest_then_wait(tmp_path):
    limits = DeclaredLimits({"login": 2}, tmp_path)
    for _ in range(5):                          # the burst means to reach the shop's limit
        assert await limits.take("login", "client", probe=True) == 0
    with pytest.raises(LimitUnreachable):
        await limits.take("login", "client", deadline=time.monotonic() + 30)


async def test_the_window_keeps_the_time_a_request_was_answered(tmp_path):
    # a shop counts a request when it arrives: after our connection set-up or its own queue. The window
    # keeps the answer's time, so the request a minute later is a minute after the shop counted this one
    limits = DeclaredLimits({"login": 1}, tmp_path)
    slot = await limits.book("login", "client")
    limits.settle("login", "client", slot, slot + 5)
    assert limits.next_free("login", "client") == pytest.approx(slot + 5 + WINDOW_S)
    limits.settle("login", "client", slot + 5, slot + 1)          # never earlier than booked
    assert limits.next_free("login", "client") == pytest.approx(slot + 5 + WINDOW_S)


def test_a_limit_counts_the_account_however_its_credential_came():
    # the shop counts user A's chat whether A's token comes as a bearer token, in a cookie, or as a session
    # a login as A answered with: so must the run, or a check's cookie request starves another's slot
    accounts = Accounts(("authorization", "cookie"))
    accounts.know("token-of-user-a-123", "a")
    assert accounts.of({"Authorization": "Bearer token-of-user-a-123"}) == "account-a"
    assert accounts.of({"Cookie": "sid=token-of-user-a-123"}) == "account-a"
    jwt = ".".join(["eyJhbGciOiJIUzI1NiJ9", "eyJzdWIiOiJiIn0", "sig"])     # built here: no secret-shaped literal
    accounts.learn_session("b", ["sid=fresh-session-of-b-42; Path=/; HttpOnly"],
                           {"token": jwt, "user": {"name": "Bo Smith"}})
    assert accounts.of({"Cookie": "sid=fresh-session-of-b-42"}) == "account-b"
    assert accounts.of({"Authorization": f"Bearer {jwt}"}) == "account-b"
    stranger = accounts.of({"Authorization": "Bearer someone-else"})
    assert stranger.startswith("account-") and "someone" not in stranger and accounts.of({}) == "client"
    accounts.know("Bo", "a")                                   # too short to tell accounts apart: ignored
    assert accounts.of({"Authorization": "Bearer Bob"}) != "account-a"


def test_whose_attempts_a_limit_counts():
    names = ("authorization", "cookie")
    a, b = identity_of({"Authorization": "Bearer aaa"}, names), identity_of({"Authorization": "Bearer bbb"}, names)
    assert a != b and a.startswith("account-") and "aaa" not in a
    assert identity_of({"Accept": "x"}, names) == "client"
    assert named_in({"email": "Alice@x.test", "password": "p"}) == named_in({"email": "alice@x.test"})
    assert named_in({"email": "a@x.test"}) != named_in({"email": "b@x.test"}) != named_in("not json")


def _statuses(found) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for f in found:
        out[f.check_id].add(f.status.value)
    return dict(out)


def _run(strict: dict[str, int] | None, prefix: str):
    shop = DemoShop(Path(tempfile.mkdtemp(prefix="la-limits-")), Layout(prefix=prefix), hardened=True,
                    style=Style(limits="ip"), strict_limits=strict).start()
    try:
        profile = load_profile(shop.write_profile())
        checks = [*catalog.for_stage(4), *catalog.for_stage(5)]
        found = asyncio.run(run_checks(profile, checks))
        return profile, found, list(shop.state.throttled)
    finally:
        shop.stop()


@pytest.mark.slow
def test_a_shop_that_enforces_exactly_its_declared_limits_is_audited_to_the_end():
    # per client (ip style), nobody exempt: every account of ours shares each limit
    strict = {"login": 30, "password_reset": 20, "chat": 120}
    profile, found, throttled = _run(strict, "127.0.48")
    assert profile.api.rate_limits == strict and not profile.chat.exempt_from_limit
    assert profile.api.limit_counts("password_reset") == "client"
    # the shop's own log: only the rate-limit probes were answered 429
    assert throttled and {ua.split("check ")[-1].rstrip(")") for ua, _ in throttled} <= {
        "S4.rate_limit_login", "S4.rate_limit_reset", "S4.rate_limit_chat"}
    # nothing ended for lack of a slot or a 429 the shop gave it
    starved = [(f.check_id, f.status.value, f.evidence[:120]) for f in found if f.status in (Status.SKIP, Status.ERROR)
               and any(w in f.evidence.lower() for w in ("throttled by the target", "no free slot", "throttled the"))]
    assert starved == []
    # the same verdicts as without strict limits
    _, relaxed, _ = _run(None, "127.0.49")
    assert _statuses(found) == _statuses(relaxed)
