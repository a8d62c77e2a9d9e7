"""What a check is, and what it is handed: the audit context."""

from __future__ import annotations

import asyncio
import time
import traceback
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from ..catalog_rows import Row
from ..findings import ErrorKind, Finding, Impact, Severity, Status, finding_of
from ..net import CheckNet
from ..net.errors import NetError
from ..profile import MissingSecret, Profile
from .run_data import RunData

CheckFunc = Callable[["CheckContext"], AsyncIterator[Finding]]
T = TypeVar("T")
ONCE_KEY = "_once"          # "_" keys are run-local: a notebook's next run starts them afresh


@dataclass(frozen=True)
class Unanswered:
    """A request that brought back nothing to judge, as a check records it: why, and whether that is an
    ``error`` (the target's trouble) or a ``skip`` (not ours to send, throttled, or lost to an outage our own
    probe caused). Decided once, by the network layer's error (net/errors.py), never by the check."""

    reason: str
    status: str
    error: NetError

    @classmethod
    def of(cls, error: NetError) -> Unanswered:
        return cls(error.reason, error.status, error)


@dataclass(frozen=True)
class Check(Row):
    """One catalog entry: its row (id, mode, impact, severity, title, fix) and how it runs."""

    run: CheckFunc | None = None   # None: listed in the contract, not automated yet
    phase: int = 0                 # checks of a later phase start when the earlier ones are done
    needs: str = ""                # what in the profile gives the check something to observe (said on a skip)


class CheckContext:
    """Handed to a check: the profile, its network view, shared run data, and a finding factory."""

    def __init__(self, check: Check, profile: Profile, net: CheckNet | None, shared: dict[str, Any]) -> None:
        self.check = check
        self.profile = profile
        self.net = net
        self.shared = shared        # data a later stage or report reads (e.g. the DNS map)
        self._last = time.perf_counter()
        self.read: Counter[str] = Counter()   # what the check read that was not a network answer

    async def once(self, key: str, fetch: Callable[[CheckContext], Awaitable[T]]) -> T:
        """What the run fetches once (the API's description, the frontend, stage 6's window), whichever check
        asks first; the others wait for the same answer. It is sent as the run's own, not the first
        caller's: its own request budget, and "check run:<key>" in its User-Agent."""
        tasks: dict[str, asyncio.Task] = self.shared.setdefault(ONCE_KEY, {})
        task = tasks.get(key)
        if task is None:
            net = self.net.net.for_check(check_id=f"run:{key}") if self.net is not None else None
            own = CheckContext(self.check, self.profile, net, self.shared)
            task = tasks[key] = asyncio.get_running_loop().create_task(fetch(own))
        return await asyncio.shield(task)

    async def attempt(self, request: Awaitable[T]) -> T | Unanswered:
        """``request``'s answer, or what kept it from answering. For a check that goes on without one answer
        (a variant, an asset, a read-back) and judges what it could not see; a request whose failure ends
        the check's look at a target is simply awaited, and the runner (or ``each``) makes it a finding."""
        try:
            return await request
        except NetError as e:
            return Unanswered.of(e)

    @property
    def run(self) -> RunData:
        """What this run hands on to later stages and reports, by name (checks/run_data.py)."""
        return RunData(self.shared)

    def observe(self, what: str, n: int = 1) -> None:
        """Count something the check looked at besides network answers (files, commits, log lines, samples,
        attested answers): a ``pass`` needs at least one observation (checks/evidence.py)."""
        self.read[what] += n

    def observations(self) -> dict[str, int]:
        """Everything this check observed so far: network answers and what it read."""
        seen = Counter(self.read)
        if self.net is not None:
            seen.update(self.net.observed)
        return {k: v for k, v in sorted(seen.items()) if v}

    def finding(self, status: Status | str, target: str, evidence: str = "", *, title: str | None = None,
                severity: Severity | str | None = None, remediation: str | None = None,
                details: dict[str, Any] | None = None, location: dict[str, Any] | None = None,
                error_kind: ErrorKind | None = None, impact: Impact | None = None) -> Finding:
        now = time.perf_counter()
        took, self._last = int((now - self._last) * 1000), now
        return finding_of(self.check, status, target, evidence, title=title, severity=severity,
                          remediation=remediation, details=details, location=location, error_kind=error_kind,
                          impact=impact, duration_ms=took)

    def from_error(self, target: str, exc: BaseException | Unanswered, context: str = "") -> Finding:
        """The finding for a check that could not look at ``target``; says why and whose fault. A request we
        chose not to send, or one lost to an outage our own probe caused, is a ``skip``, never an error."""
        if isinstance(exc, Unanswered):
            exc = exc.error
        if isinstance(exc, NetError):
            reason = f"{context}: {exc.reason}" if context else exc.reason
            return self.finding(exc.status, target, reason, error_kind=ErrorKind.TARGET if exc.status == "error" else None)
        if isinstance(exc, MissingSecret):
            return self.finding(Status.SKIP, target, f"{exc}: set it (or the profile's env_file) to run this check")
        return self.finding(Status.ERROR, target, describe_bug(exc), error_kind=ErrorKind.TOOL)

    async def each(self, targets: Iterable[str],
                   fn: Callable[[str], Awaitable[Finding | list[Finding]]]) -> AsyncIterator[Finding]:
        """Run ``fn`` for every target concurrently; one target's trouble never hides the others."""
        async def one(target: str) -> list[Finding]:
            started = time.perf_counter()
            try:
                result = await fn(target)
                found = result if isinstance(result, list) else [result]
            except Exception as exc:  # noqa: BLE001 - every outcome becomes a finding
                found = [self.from_error(target, exc)]
            took = int((time.perf_counter() - started) * 1000)
            for f in found:
                f.duration_ms = took
            return found

        for found in await asyncio.gather(*(one(t) for t in dict.fromkeys(targets))):
            for f in found:
                yield f


def describe_bug(exc: BaseException) -> str:
    """An exception that is our fault, told briefly with where it happened."""
    tb = traceback.extract_tb(exc.__traceback__)
    where = f" at {tb[-1].filename.rsplit('/', 1)[-1]}:{tb[-1].lineno}" if tb else ""
    return f"internal error in launch-audit (please report): {type(exc).__name__}: {exc}{where}"
