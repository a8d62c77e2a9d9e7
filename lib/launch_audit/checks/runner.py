"""Runs checks concurrently; every outcome, including our own bugs, becomes a finding."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from ..findings import ErrorKind, Finding, Impact, Mode, Severity, Status
from ..net import Network
from ..net.errors import NetError
from ..net.watch import OUTAGE_FLOOR_S
from ..net.watch_record import Outage, describe_probe
from ..profile import MissingSecret, Profile
from . import final_phase
from .base import Check, CheckContext, describe_bug
from .evidence import require_observation
from .final_phase import mark_done, wait_for_others

# (event, check, findings so far) — "start" or "done"; drives progress bars and partial writes. A final-phase
# check is first "waiting" for the run's other stages, then "ready"
EventHook = Callable[[str, Check, list[Finding]], None]

DEFAULT_CHECK_TIMEOUT_S = 300.0
# the longest a check may run while it keeps getting slots of the shop's declared limits (3 resets a minute
# make a check that must send 40 of them take 13 minutes: scheduled, not stuck)
SLOTS_CAP_S = 1800.0


async def run_check(check: Check, profile: Profile, net: Network | None, shared: dict[str, Any],
                    timeout_s: float = DEFAULT_CHECK_TIMEOUT_S) -> list[Finding]:
    """One check, never raising: what it yielded before trouble is kept."""
    if check.run is None:
        return []
    ctx = CheckContext(check, profile, net.for_check(check_id=check.id) if net else None, shared)
    if check.mode is Mode.ACTIVE and not profile.scope.allow_active:
        return [ctx.finding(Status.SKIP, profile.domain, "active probe: the profile's scope.allow_active is false")]
    findings: list[Finding] = []
    started = time.perf_counter()
    if ctx.net is not None:
        ctx.net.deadline = time.monotonic() + timeout_s
        ctx.net.deadline_cap = time.monotonic() + max(timeout_s, SLOTS_CAP_S)
    try:
        async with asyncio.timeout(timeout_s) as timer:
            if ctx.net is not None:     # waiting for the shop's declared limits moves the deadline (net/layer.py)
                ctx.net.on_extend = timer.reschedule
            async for finding in check.run(ctx):
                findings.append(finding)
    except TimeoutError:
        findings.append(ctx.finding(Status.ERROR, profile.domain,
                                    f"the check did not finish within {time.perf_counter() - started:.1f}s; "
                                    "results so far are kept",
                                    error_kind=ErrorKind.TARGET))
    except (NetError, MissingSecret) as exc:
        findings.append(ctx.from_error(profile.domain, exc))
    except Exception as exc:  # noqa: BLE001 - our bug, reported as such, never as the client's problem
        findings.append(ctx.finding(Status.ERROR, profile.domain, describe_bug(exc), error_kind=ErrorKind.TOOL))
    if not findings:
        findings.append(ctx.finding(Status.ERROR, profile.domain, "the check produced no result (bug)",
                                    error_kind=ErrorKind.TOOL))
    findings = require_observation(findings, ctx.observations(), check.needs)
    total = int((time.perf_counter() - started) * 1000)
    for f in findings:
        f.details.setdefault("check_duration_ms", total)
    return findings


async def run_checks(profile: Profile, checks: Iterable[Check], *, net: Network | None = None,
                     shared: dict[str, Any] | None = None, on_event: EventHook | None = None,
                     concurrency: int = 8, timeout_s: float = DEFAULT_CHECK_TIMEOUT_S) -> list[Finding]:
    """Run the automated checks among ``checks`` concurrently and return all findings in catalog order."""
    checks = [c for c in checks if c.run is not None]
    shared = {} if shared is None else shared
    # Secret and log scans run in threads beside the event loop. With CPython's default 5 ms switch
    # interval each socket call of the loop can wait that long for the GIL (the convoy effect): a DNS
    # burst of 60 calls stalled 0.3 s, and on a busy machine past a 1 s timeout. 1 ms keeps it short.
    sys.setswitchinterval(min(sys.getswitchinterval(), 0.001))
    # offline checks read local files but may still look up DNS (a sample email's DKIM keys)
    own_net = net is None and any(c.mode is not Mode.ATTESTED for c in checks)
    if own_net:
        net = Network(profile)
    gate = asyncio.Semaphore(concurrency)

    async def guarded(check: Check) -> list[Finding]:
        async with gate:
            if on_event:
                on_event("start", check, [])
            found = await run_check(check, profile, net, shared, timeout_s)
            if on_event:
                on_event("done", check, found)
            return found

    try:
        by_check: dict[str, list[Finding]] = {}
        began = time.time()
        run_dir = net.run_dir if net is not None else None
        stages = sorted({c.stage for c in checks})
        for phase in sorted({c.phase for c in checks}):       # later phases wait for the earlier ones
            batch = [c for c in checks if c.phase == phase]
            late: list[int] = []
            if phase > 0:       # and for the run's other stages: the rate-limit bursts would starve their checks
                mark_done(run_dir, stages)
                late = await wait_for_others(run_dir, stages, tell=lambda waiting: _tell_wait(on_event, batch, waiting))
            for check, found in zip(batch, await asyncio.gather(*(guarded(c) for c in batch))):
                by_check[check.id] = [_ran_beside(f, late) for f in found] if late else found
        mark_done(run_dir, stages)
        if net is not None:          # an outage one of these checks' probes caused is a finding of that check
            await net.watch.settle()
            for outage in net.watch.outages():
                probe = outage.probe
                if probe is not None and probe.pid == os.getpid() and probe.start >= began and probe.check in by_check:
                    check = next(c for c in checks if c.id == probe.check)
                    by_check[check.id].append(outage_finding(CheckContext(check, profile, None, shared), outage))
        results = [by_check[c.id] for c in checks]
    finally:
        if own_net and net is not None:
            await net.aclose()
    return [f for found in results for f in found]


def _tell_wait(on_event: EventHook | None, batch: list[Check], waiting: list[int]) -> None:
    """Progress: the final phase waits for the run's other stages ("waiting"), or may start ("ready")."""
    if on_event is not None:
        for check in batch:
            on_event("waiting" if waiting else "ready", check, [])


def _ran_beside(finding: Finding, late: list[int]) -> Finding:
    """A burst that could not wait any longer says which stages it may have starved."""
    stages = ", ".join(str(s) for s in late)
    finding.evidence += (f" (Sent while stage {stages} of this run was still running: the wait for it ran out "
                         f"after {final_phase.MAX_WAIT_S:.0f} s; its checks of the same endpoints may have been "
                         "throttled.)")
    finding.details["ran_beside_stages"] = late
    return finding


def outage_finding(ctx: CheckContext, outage: Outage) -> Finding:
    """"A 10,000-character `email` to PUT /api/me/email froze api.example for 4.1 s": the probe that came
    before a stall, with what to replay. Availability impact, whatever the check's own impact is."""
    stall, probe = outage.stall, outage.probe
    assert probe is not None
    usual = f" (usually {stall.usual_ms:.0f} ms)" if stall.usual_ms else ""
    if stall.until is None:
        how_long = (f"and it did not answer again within {stall.worst_ms / 1000:.0f} s: the remaining active "
                    f"probes of {stall.host} were not sent" if stall.given_up
                    else "and it was still not answering when the checks ended")
        frozen = stall.worst_ms / 1000
    else:
        frozen = stall.until - probe.start
        how_long = f"for {frozen:.1f} s"
    failed = stall.until is None or frozen >= OUTAGE_FLOOR_S or "failed" in stall.why
    path = urlsplit(probe.url).path or "/"
    return ctx.finding(
        Status.FAIL if failed else Status.WARN, f"{stall.host} after {probe.method} {path}",
        f"{probe.label} made {stall.host} stop answering {how_long}: {stall.why}{usual}. Likely a regular "
        "expression that backtracks or other work that grows with the input, done where it blocks every other "
        f"request. Replay: {probe.method} {probe.url} with {probe.label.split(' to ')[0]} "
        f"({probe.bytes:,} bytes). Requests that fell into the outage were not judged.{_also(outage)}",
        title="No single request stops the site answering", severity=Severity.HIGH, impact=Impact.DOWNTIME,
        remediation="Bound input sizes before validating, use linear-time patterns, and move slow work off the "
                    "request path; put a per-request time limit in front of the app.",
        details={"outage": {"host": stall.host, "probe": probe.label, "check": probe.check, "method": probe.method,
                            "url": probe.url, "bytes": probe.bytes, "seconds": round(frozen, 1),
                            "recovered": stall.until is not None, "why": stall.why,
                            "also_in_flight": [describe_probe(p) for p in outage.others[:5]]}})


def _also(outage: Outage) -> str:
    """The other suspects, so a consultant replaying the first knows what else to try."""
    if not outage.others:
        return ""
    named = "; ".join(describe_probe(p) for p in outage.others[:3])
    more = f" and {len(outage.others) - 3} more" if len(outage.others) > 3 else ""
    return f" Also in flight and held until it answered again (smaller, or sent earlier): {named}{more}."
