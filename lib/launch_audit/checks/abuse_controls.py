"""Controls against abuse of the public doors: S4.user_enumeration (login and reset answer the same for
real and unknown accounts) and the rate limits on login, chat and password reset.

Rate-limit probes run last in stage 4 (they drain the target's buckets), send at most the intended
limit × 1.5 + 5 requests, stop at the first 429 or lockout, and use the test account only: login with a
wrong password, reset for the test address.
"""

from __future__ import annotations

import json
import re
import statistics
import time

from ..findings import Status
from ..profile import MissingSecret
from .api_calls import UNKNOWN_EMAIL, UNKNOWN_USERNAME, call, excerpt, token_of, values_for
from .base import CheckContext, Unanswered

SAMPLES = 3
DEFAULT_LIMITS = {"login": 10, "chat": 30, "password_reset": 5}
_LOCKED = re.compile(r"(?i)\b(?:locked|too many|try again later)\b")


def _norm(text: str, email: str) -> str:
    """An answer with the address taken out, so echoing the input does not count as a difference."""
    return re.sub(r"\s+", " ", text.replace(email, "<email>")).strip()


def judge_enumeration(known: list[tuple[int, str, float]], unknown: list[tuple[int, str, float]],
                      known_email: str, unknown_email: str = UNKNOWN_EMAIL) -> list[str]:
    """Pure: (status, body, ms) samples for a real and an unknown account → the differences an attacker
    can see (status, body, or a timing gap larger than both spreads)."""
    diffs = []
    ks, us = {s for s, _, _ in known}, {s for s, _, _ in unknown}
    if ks != us:
        diffs.append(f"status {'/'.join(map(str, sorted(ks)))} for the real account vs "
                     f"{'/'.join(map(str, sorted(us)))} for an unknown one")
    kb = {_norm(b, known_email) for _, b, _ in known}
    ub = {_norm(b, unknown_email) for _, b, _ in unknown}
    if kb != ub and ks == us:
        diffs.append(f"different answers: {sorted(kb)[0][:80]!r} vs {sorted(ub)[0][:80]!r}")
    km, um = statistics.median(t for *_, t in known), statistics.median(t for *_, t in unknown)
    spread = max(max(t for *_, t in known) - min(t for *_, t in known),
                 max(t for *_, t in unknown) - min(t for *_, t in unknown))
    if abs(km - um) > max(100.0, 3 * spread):
        diffs.append(f"timing: median {km:.0f} ms for the real account vs {um:.0f} ms")
    return diffs


async def check_user_enumeration(ctx: CheckContext):
    api = ctx.profile.api
    doors = [e for e in (api.endpoints if api else []) if e.kind in ("login", "password_reset")]
    if not doors or api is None or api.users is None or not (api.users.a.email or api.users.a.username):
        yield ctx.finding(Status.SKIP, ctx.profile.domain, "no login/reset endpoint, or no email or username for "
                          "the test account (api.users.a)")
        return

    async def one(name: str):
        ep = next(e for e in doors if e.name == name)
        field, known, unknown = identity(ctx.profile, ep)
        if known is None:
            return ctx.finding(Status.SKIP, name, f"{ep.name} takes {{{field}}}: set api.users.a.{field}")
        samples: dict[str, list[tuple[int, str, float]]] = {"known": [], "unknown": []}
        for _ in range(SAMPLES):
            for label, who in (("known", known), ("unknown", unknown)):
                started = time.perf_counter()
                resp = await call(ctx, ep, values=values_for(ctx.profile, "a", **{field: who}))
                samples[label].append((resp.status, resp.text, (time.perf_counter() - started) * 1000))
        diffs = judge_enumeration(samples["known"], samples["unknown"], known, unknown)
        where = f"{ep.method} {api.url(ep.path)}"
        if diffs:
            return ctx.finding(Status.WARN, name, f"{where} tells a real account from an unknown one: "
                               f"{'; '.join(diffs)}. Answer the same way for both")
        return ctx.finding(Status.PASS, name, f"{where} answers the same for a real and an unknown account "
                           f"({samples['known'][0][0]}, {SAMPLES} samples each)")

    async for f in ctx.each([e.name for e in doors], one):
        yield f


def identity(profile, endpoint) -> tuple[str, str | None, str]:
    """(the body's identity placeholder, the test account's value for it, an unknown account's): logins by
    username fill ``{username}``, the others ``{email}``."""
    text = json.dumps(endpoint.body) if endpoint.body is not None else ""
    user = profile.api.users.a if profile.api and profile.api.users else None
    if "{username}" in text and "{email}" not in text:
        return "username", (user.username if user else None), UNKNOWN_USERNAME
    return "email", (user.email if user else None), UNKNOWN_EMAIL


def stopped_by(status: int, body: str) -> str | None:
    """Pure: how an answer stops a burst ("throttled": a 429; "locked out": a 423, or a 401/403 that says
    so), or None when it does not."""
    if status == 429:
        return "throttled"
    if status == 423 or (status in (401, 403) and _LOCKED.search(body)):
        return "locked out"
    return None


def judge_burst(where: str, limit: int, declared: bool, sent: int, stopped: str | None, headers: dict[str, str],
                seconds: float, last_answer: str) -> tuple[Status, str, dict]:
    """Pure: a burst of ``sent`` requests that ended at a throttle or lockout (``stopped``) or at the cap.
    Stopped within the intended limit (+1: the request that meets it) passes, later warns; never stopped
    fails."""
    if stopped:
        shown = ", ".join(f"{k}: {v}" for k, v in headers.items()) or "no Retry-After"
        within = sent <= limit + 1
        when = f"within the intended {limit}/min" if within else f"after {sent - 1}, above the intended {limit}/min"
        return (Status.PASS if within else Status.WARN,
                f"{where}: {stopped} at request {sent} ({when}; {shown}) after {seconds:.1f}s",
                {"throttled_at": sent, "headers": headers, "limit": limit})
    basis = "the profile's" if declared else "a default"
    return (Status.FAIL, f"{where}: {sent} requests in {seconds:.1f}s, none throttled ({basis} intended limit is "
            f"{limit}/min; last answer {last_answer}). Add a per-account and per-IP limit that answers 429 with "
            "Retry-After", {"sent": sent, "limit": limit})


def burst_cap(limit: int) -> int:
    """Never more than the intended limit × 1.5 + 5 requests."""
    return int(limit * 1.5) + 5


def _burst_token(ctx: CheckContext) -> str:
    try:
        return token_of(ctx.profile, "b")
    except MissingSecret:
        return token_of(ctx.profile, "a")


async def _burst(ctx: CheckContext, kind: str, who_token: bool):
    api = ctx.profile.api
    endpoint = next((e for e in (api.endpoints if api else []) if e.kind == kind), None)
    if api is None or endpoint is None:
        yield ctx.finding(Status.SKIP, ctx.profile.domain, f"no endpoint with kind: {kind} in the profile")
        return
    if not endpoint.writable:
        yield ctx.finding(Status.SKIP, endpoint.name, endpoint.why_not_writable())
        return
    field, known, _ = identity(ctx.profile, endpoint)
    if kind in ("login", "password_reset") and not known:
        yield ctx.finding(Status.SKIP, endpoint.name, f"needs the test account's {field} (api.users.a.{field})")
        return
    declared = api.rate_limits.get(kind)  # type: ignore[call-overload]
    limit = declared or DEFAULT_LIMITS[kind]
    cap = burst_cap(limit)
    # the chat burst talks as user B: the other checks chat as A (and stage 5 as the red-team account), so the
    # window the burst spends holds nobody else up (user B's only other chat is stage 6's early, capped series)
    token = _burst_token(ctx) if who_token else None
    values = values_for(ctx.profile, "a")
    where = f"{endpoint.method} {api.url(endpoint.path)}"
    started = time.monotonic()
    for n in range(1, cap + 1):
        # the burst means to reach the shop's limit: it takes no slot of the declared budget, but what it
        # spends is recorded, so the rest of the run waits the window out instead of meeting a 429
        resp = await ctx.attempt(call(ctx, endpoint, token=token, values=values, expect_throttle=True,
                                      limit_probe=True))
        if isinstance(resp, Unanswered):
            yield ctx.from_error(endpoint.name, resp, f"request {n} of the burst")
            return
        stopped = stopped_by(resp.status, resp.text)
        if stopped or n == cap:
            headers = {k: v for k, v in resp.headers.items() if k.lower() == "retry-after"
                       or k.lower().startswith(("ratelimit", "x-ratelimit"))}
            status, evidence, details = judge_burst(where, limit, bool(declared), n, stopped, headers,
                                                    time.monotonic() - started, excerpt(resp, 80))
            yield ctx.finding(status, endpoint.name, evidence, details=details)
            return


async def check_rate_limit_login(ctx: CheckContext):
    async for f in _burst(ctx, "login", who_token=False):
        yield f


async def check_rate_limit_chat(ctx: CheckContext):
    async for f in _burst(ctx, "chat", who_token=True):
        yield f


async def check_rate_limit_reset(ctx: CheckContext):
    async for f in _burst(ctx, "password_reset", who_token=False):
        yield f
