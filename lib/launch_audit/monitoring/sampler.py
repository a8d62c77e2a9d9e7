"""The latency and availability sampler: paced requests over a window, every sample kept.

Each series (a page, the health URL, a critical flow, normal chat requests) gets
``n`` requests spread evenly over ``window_s``, with at most ``concurrency`` in
flight across all series. A sample's latency is measured by the network layer
with a monotonic clock from sending the request to having the full body; time
spent waiting for our own rate limiter is not counted. Every request goes
through the run's network layer (scope, budget, pacing, caps).
"""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any

from ..net import CheckNet
from ..net.errors import NetError
from ..profile import Profile

# normal questions customers ask; latency of *these* is what the p95 budget is about
DEFAULT_CHAT_MESSAGES = (
    "Hi! What coffees do you have this week?",
    "Where is my order?",
    "Do you ship to Canada?",
    "What is your return policy?",
    "Which beans are best for espresso?",
)
# a dead host should not cost a full window of timeouts
GIVE_UP_AFTER = 5
NOT_JUDGED = "not judged"


@dataclass(frozen=True)
class SeriesPlan:
    name: str                     # "chat", "health", "page /", "critical https://…"
    kind: str                     # chat | health | page | critical
    method: str
    url: str
    n: int
    headers: dict[str, str] = field(default_factory=dict)
    bodies: tuple[Any, ...] = ()  # JSON bodies, used in turn
    availability: bool = True     # counts towards S6.availability
    note: str = ""
    changes_state: bool = False   # the chat endpoint's declared side effects (network layer: allow_active)

    def describe(self) -> str:
        return f"{self.name}: {self.n} × {self.method} {self.url}" + (f" ({self.note})" if self.note else "")


@dataclass
class Sample:
    series: str
    started_at: str               # UTC, ISO 8601 with milliseconds
    ms: float | None              # None when no complete answer arrived
    status: int | str             # HTTP status, or "error"
    error: str = ""

    @property
    def ok(self) -> bool:
        return isinstance(self.status, int) and 200 <= self.status < 300

    @property
    def judged(self) -> bool:
        """False for a request lost to an outage one of our own probes caused (or not sent): never counted."""
        return self.status != NOT_JUDGED

    @property
    def is_5xx(self) -> bool:
        return isinstance(self.status, int) and self.status >= 500

    def as_row(self) -> dict[str, Any]:
        row = asdict(self)
        row["ms"] = None if self.ms is None else round(self.ms, 3)
        return row

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Sample:
        status = row.get("status")
        if isinstance(status, str) and status.isdigit():
            status = int(status)
        ms = row.get("ms")
        return cls(series=str(row["series"]), started_at=str(row["started_at"]),
                   ms=None if ms in (None, "") else float(ms), status=status if status is not None else "error",
                   error=str(row.get("error") or ""))


def _fill(value: Any, values: dict[str, str]) -> Any:
    if isinstance(value, str):
        for key, sub in values.items():
            value = value.replace("{" + key + "}", sub)
        return value
    if isinstance(value, dict):
        return {k: _fill(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, values) for v in value]
    return value


def chat_allowance(profile: Profile) -> int | None:
    """How many chat requests fit in the window without exceeding the founder's declared chat limit."""
    limit = profile.api.rate_limits.get("chat") if profile.api else None
    if limit is None:
        return None
    return max(1, math.floor(limit * profile.monitoring.window_s / 60))


async def plan_series(profile: Profile, net: CheckNet, budget: int, *, per_series: int | None = None,
                      chat: bool = True) -> tuple[list[SeriesPlan], list[str]]:
    """What to sample, sized to fit ``budget`` requests; returns the plans and notes for the evidence.
    ``per_series`` fixes the samples per series (``launch-audit watch``: one per round), ``chat`` False leaves
    the chat series out."""
    mon, notes = profile.monitoring, []
    targets: list[tuple[str, str, str]] = [("page /", "page", profile.canonical.rstrip("/") + "/")]
    if profile.api and profile.api.health_path:
        targets.append((f"health {profile.api.health_path}", "health", profile.api.url(profile.api.health_path)))
    for url in profile.critical_urls:
        targets.append((f"critical {url}", "critical", url))

    plans: list[SeriesPlan] = []
    spent = 0
    resolved: list[tuple[str, str, str, str]] = []
    for name, kind, url in targets:
        final, note = url, ""
        if kind == "critical":
            # sample where customers end up, not the redirect in front of it
            try:
                chain = await net.follow(url, max_hops=5)
                spent += len(chain.hops)
                if chain.stop:
                    notes.append(f"{url}: redirect chain stopped ({chain.stop}); sampling the URL itself")
                elif chain.hops and chain.hops[-1].url != url:
                    final, note = chain.hops[-1].url, f"after redirects from {url}"
            except NetError as e:
                notes.append(f"{url}: {e.reason}")
                spent += 1
        resolved.append((name, kind, final, note))

    chat_series = _chat_plan(profile, notes) if chat else None
    series_count = len(resolved) + (1 if chat_series else 0)
    wanted = per_series or mon.samples
    per_series = max(1, min(wanted, (budget - spent) // max(1, series_count)))
    if per_series < wanted:
        notes.append(f"{per_series} samples per series instead of {wanted}: scope.max_requests_per_check "
                     f"is {budget} for {series_count} series")
    for name, kind, url, note in resolved:
        plans.append(SeriesPlan(name=name, kind=kind, method="GET", url=url, n=per_series, note=note))
    if chat_series:
        n = per_series
        allowance = chat_allowance(profile)
        if allowance is not None and allowance < n:
            n = allowance
            notes.append(f"chat: {n} samples, the most the declared limit of {profile.api.rate_limits['chat']}/min "
                         f"allows in a {mon.window_s:g} s window (raise monitoring.window_s for more)")
        method, url, headers, bodies, note, changes = chat_series
        plans.append(SeriesPlan(name="chat", kind="chat", method=method, url=url, n=n, headers=headers,
                                bodies=bodies, availability=False, note=note, changes_state=changes))
    return plans, notes


def _chat_plan(profile: Profile,
               notes: list[str]) -> tuple[str, str, dict[str, str], tuple[Any, ...], str, bool] | None:
    api, chat = profile.api, profile.chat
    if api is None or chat is None or api.endpoint(chat.endpoint) is None:
        notes.append("chat: no chat endpoint in the profile, so no chat latency series")
        return None
    endpoint = api.endpoint(chat.endpoint)
    assert endpoint is not None
    if endpoint.changes_state and not profile.scope.allow_active:
        notes.append(f"chat: not sampled: {endpoint.method} {endpoint.path} could change state (side effects "
                     f"{endpoint.effects}) and scope.allow_active is false")
        return None
    headers: dict[str, str] = {}
    who = ""
    if endpoint.auth == "user":
        if api.users is None:
            notes.append("chat: needs a user token and api.users is not set")
            return None
        # user B: stage 4/5 bursts run as user A and must not eat this series' allowance
        user_key = "b"
        user = api.users.b
        token = profile.secret(user.token_env)   # MissingSecret propagates: the check says which variable
        headers.update(api.credentials(token))
        who = f"as user {user_key}"
    messages = profile.monitoring.chat_messages or list(DEFAULT_CHAT_MESSAGES)
    template = endpoint.body or {"message": "{message}"}
    bodies = tuple(_fill(template, {"message": m}) for m in messages)
    return endpoint.method, api.url(endpoint.path), headers, bodies, ", ".join(
        x for x in (who, f"{len(messages)} normal questions in turn") if x), endpoint.changes_state


async def sample_series(net: CheckNet, plan: SeriesPlan, window_s: float, gate: asyncio.Semaphore,
                        t0: float | None = None) -> list[Sample]:
    """``plan.n`` requests spread over ``window_s``; gives up early on a host that never answers."""
    t0 = time.monotonic() if t0 is None else t0
    step = window_s / plan.n
    samples: list[Sample | None] = [None] * plan.n
    failures_in_a_row = 0
    stop = asyncio.Event()

    async def one(i: int) -> None:
        nonlocal failures_in_a_row
        delay = t0 + i * step - time.monotonic()
        if delay > 0:
            try:
                await asyncio.wait_for(stop.wait(), delay)
            except TimeoutError:
                pass
        if stop.is_set():
            return
        async with gate:
            if stop.is_set():
                return
            started = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
            body = plan.bodies[i % len(plan.bodies)] if plan.bodies else None
            try:
                resp = await net.request(plan.method, plan.url, headers=plan.headers or None, json=body,
                                         expect_throttle=True, changes_state=plan.changes_state)
                samples[i] = Sample(plan.name, started, resp.latency_ms, resp.status)
                failures_in_a_row = 0
            except NetError as e:
                if e.status == "skip":      # lost to an outage our own probe caused: kept, never judged
                    samples[i] = Sample(plan.name, started, None, NOT_JUDGED, e.reason[:300])
                    return
                samples[i] = Sample(plan.name, started, None, "error", e.reason[:300])
                failures_in_a_row += 1
                if failures_in_a_row >= GIVE_UP_AFTER and not any(s and s.ms is not None for s in samples):
                    stop.set()

    await asyncio.gather(*(one(i) for i in range(plan.n)))
    return [s for s in samples if s is not None]


async def sample_all(net: CheckNet, plans: list[SeriesPlan], window_s: float, concurrency: int) -> list[Sample]:
    gate = asyncio.Semaphore(concurrency)
    t0 = time.monotonic()
    results = await asyncio.gather(*(sample_series(net, p, window_s, gate, t0) for p in plans))
    return [s for series in results for s in series]
