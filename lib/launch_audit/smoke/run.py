"""``launch-audit smoke``: every flow at once through one network layer, a result per flow, in seconds."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from ..checks.base import describe_bug
from ..net import Network
from ..net.errors import NetError
from ..profile import Profile
from . import flows
from .flows import FlowContext, FlowResult

BUDGET = 20         # requests per flow: a smoke test is a handful, never a probe


@dataclass
class SmokeRun:
    results: list[FlowResult]
    seconds: float

    @property
    def failed(self) -> list[FlowResult]:
        return [r for r in self.results if r.status == flows.FAIL]

    @property
    def broken(self) -> list[FlowResult]:
        return [r for r in self.results if r.status == "error"]


async def _one(net: Network, name: str, flow: Callable[[FlowContext], Awaitable[FlowResult | list[FlowResult]]],
               on_result: Callable[[FlowResult], None] | None) -> list[FlowResult]:
    started = time.perf_counter()
    ctx = FlowContext(net.profile, net.for_check(BUDGET, check_id=f"smoke:{name}"))
    try:
        got = await flow(ctx)
        results = got if isinstance(got, list) else [got]
    except NetError as e:
        results = [flows.not_sent(name, e)]
    except Exception as e:  # noqa: BLE001 - our bug: said as such, the other flows go on
        results = [FlowResult(name, "error", describe_bug(e))]
    for r in results:
        r.ms = (time.perf_counter() - started) * 1000
        if on_result is not None:
            on_result(r)
    return results


async def run_smoke(profile: Profile, on_result: Callable[[FlowResult], None] | None = None) -> SmokeRun:
    started = time.perf_counter()
    jobs: list[tuple[str, Callable]] = [("health", flows.health), ("login", flows.login), ("chat", flows.chat),
                                        ("webhook", flows.webhooks)]
    for url in flows.critical_urls(profile):
        jobs.append((flows.url_name(url), lambda ctx, u=url: flows.critical_url(ctx, u)))
    async with Network(profile) as net:
        done = await asyncio.gather(*(_one(net, name, flow, on_result) for name, flow in jobs))
    return SmokeRun([r for group in done for r in group], time.perf_counter() - started)
