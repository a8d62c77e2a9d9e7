"""S6.health_endpoint: a health URL answers 2xx, fast, for uptime monitors."""

from __future__ import annotations

import statistics

from ..findings import Status
from .base import CheckContext

COMMON_PATHS = ("/healthz", "/health", "/api/health", "/status", "/_health")
SAMPLES = 3


def judge_health(statuses: list[int], latencies_ms: list[float], budget_ms: float) -> tuple[Status, str]:
    """Pure: verdict on a few GETs of the health URL."""
    median = statistics.median(latencies_ms)
    codes = ", ".join(str(s) for s in statuses)
    if not all(200 <= s < 300 for s in statuses):
        return Status.FAIL, f"answered {codes}: monitors would page for an outage (or miss one)"
    if median > budget_ms:
        return Status.FAIL, f"2xx but slow: median {median:.0f} ms over {len(statuses)} requests (budget {budget_ms:.0f} ms)"
    return Status.PASS, f"{codes} in a median {median:.0f} ms over {len(statuses)} requests"


async def check_health_endpoint(ctx: CheckContext):
    assert ctx.net is not None
    net, profile = ctx.net, ctx.profile
    base = (profile.api.base_url if profile.api else profile.canonical).rstrip("/")
    budget = profile.monitoring.p95_budget_ms
    declared = profile.api.health_path if profile.api else None

    if declared is None:
        # not declared: look where frameworks usually put it
        for path in COMMON_PATHS:
            resp = await net.get(base + path)
            if resp.ok:
                yield ctx.finding(Status.WARN, base + path,
                                  f"{resp.summary()} at {path}, but api.health_path is not declared in the profile",
                                  remediation="Declare api.health_path and point the uptime monitor at it.")
                return
        yield ctx.finding(Status.FAIL, base, f"no health endpoint at {', '.join(COMMON_PATHS)}")
        return

    url = base + declared
    statuses, latencies = [], []
    for _ in range(SAMPLES):
        resp = await net.get(url)
        statuses.append(resp.status)
        latencies.append(resp.elapsed_ms)
    status, evidence = judge_health(statuses, latencies, budget)
    yield ctx.finding(status, f"GET {url}", evidence,
                      details={"statuses": statuses, "latencies_ms": [round(x, 1) for x in latencies]})
