"""The watchdog: notices when a target stops answering while we probe it, and names the probe before it.

An attack-shaped probe can hurt a fragile server: a long input meets a backtracking regular expression,
a burst fills a worker pool. While a process sends active probes to a host, one process of the run
(whoever holds the host's lease) pings the host's health URL about once a second. A ping slower than
the stall threshold, or one that fails, opens a *stall*; a fast ping closes it. While a stall is open,
active probing of the host pauses (up to ``scope.recovery_wait_s``; past that the host is given up).

Every active or state-changing request is logged with its start and end, so the probe that was in flight
when the stall began is named as its likely cause, and every other request that overlapped the stall is
known: what it observed is never judged (it raises :class:`TargetDown`). A stall with no probe of ours in
flight is the target's own outage and is judged as such (stage 6 counts it).

The record (net/watch_record.py) is shared by a run's stage processes through files in the run folder
(``target_watch/``); without a run folder it stays in memory.
"""

from __future__ import annotations

import asyncio
import os
import re
import statistics
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable

from .errors import NetError, TargetDown
from .watch_record import (PING_INTERVAL_S, WATCH_FOLDER, Outage, ProbeRecord, Stall, WatchStore, culprit,
                           describe_probe, suspects)

try:
    import fcntl
except ImportError:          # not on Windows: every process then watches for itself
    fcntl = None  # type: ignore[assignment]

STALL_FLOOR_S = 1.0          # a ping slower than this (and 10x the usual) opens a stall
OUTAGE_FLOOR_S = 2.0         # what counts as an outage worth its own finding


def stall_threshold_s(usual_ms: list[float]) -> float:
    """Pure: how slow a health ping must be to count as a stall: 10x its usual time, at least a second."""
    usual = statistics.median(usual_ms) / 1000 if usual_ms else 0.0
    return max(STALL_FLOOR_S, 10 * usual)


def grows(first_ms: float, ms: float) -> bool:
    """Pure: an answer markedly slower than the first of a growing series (five times as long and half a
    second more): larger inputs are not sent after it."""
    return ms > max(5 * first_ms, first_ms + 500)


class TargetWatch:
    """One process's watchdog: logs active requests, pings while they run, pauses while a host is down."""

    def __init__(self, store: WatchStore, admit: Callable[[str], Awaitable[None]],
                 ping: Callable[[str], Awaitable[float]], health_url: Callable[[str], str], recovery_wait_s: float,
                 interval_s: float = PING_INTERVAL_S) -> None:
        self.store = store
        self._admit = admit                    # url -> waits for scope and the host's pace (not timed)
        self._ping = ping                      # url -> the answer's own time in seconds; NetError when unhealthy
        self._health_url = health_url          # origin -> the URL to ping there
        self.recovery_wait_s = recovery_wait_s
        self.interval_s = interval_s
        self._tasks: dict[str, asyncio.Task] = {}
        self._leases: dict[str, int] = {}
        self._baseline: dict[str, asyncio.Event] = {}    # set once the host's usual answer time is known

    # -- requests ----------------------------------------------------------------
    def started(self, host: str, check: str, label: str, method: str, url: str, nbytes: int) -> ProbeRecord:
        rec = ProbeRecord(uuid.uuid4().hex[:12], host, check, label, method, url, nbytes, time.time())
        self.store.put_probe(rec)
        return rec

    def ended(self, rec: ProbeRecord) -> None:
        rec.end = time.time()
        self.store.put_probe(rec)

    def outages(self, host: str | None = None) -> list[Outage]:
        stalls = [s for s in self.store.stalls() if host is None or s.host == host]
        if not stalls:
            return []
        probes = self.store.probes()
        ranked = [suspects(s, probes) for s in stalls]
        return [Outage(s, found[0] if found else None, found[1:]) for s, found in zip(stalls, ranked)]

    def lost(self, host: str, start: float, end: float, own_id: str | None = None) -> Outage | None:
        """The outage our probe caused that a request to ``host`` over [start, end] fell into (not its cause)."""
        for outage in self.outages(host):
            if outage.probe is not None and outage.stall.overlaps(start, end) and outage.probe.id != own_id:
                return outage
        return None

    async def before_send(self, host: str, origin: str) -> None:
        """Before an active probe to ``origin`` (scheme://host[:port]): the host's usual answer time is known
        (so a stall can be told), probing pauses while the host is down, and a host given up is not probed
        again. A host whose health ping never answered is not paused: nothing says it was ever up."""
        self._watch(host, origin)
        try:
            await asyncio.wait_for(self._baseline[host].wait(), 2 * self.interval_s + STALL_FLOOR_S)
        except TimeoutError:
            pass                                  # it does not answer pings: probing goes on, judged as ever
        deadline = None
        while True:
            stalls = [s for s in self.store.stalls() if s.host == host and s.answered_before]
            gone = next((s for s in stalls if s.given_up), None)
            if gone is not None:
                outage = next((o for o in self.outages(host) if o.stall.id == gone.id), Outage(gone, None))
                raise TargetDown(f"{outage.reason()}: {host} did not answer again within "
                                 f"{self.recovery_wait_s:g}s, so no more probes are sent to it", host=host)
            current = next((s for s in stalls if s.open), None)
            if current is None:
                return
            deadline = deadline or current.seen + self.recovery_wait_s + 2 * self.interval_s
            if time.time() > deadline:            # the process that watched it is gone: wait no more
                raise TargetDown(f"{host} stopped answering and did not recover within {self.recovery_wait_s:g}s",
                                 host=host)
            self._watch(host, origin)             # if nobody pings it any more, we will
            await asyncio.sleep(0.2)

    async def settle(self) -> None:
        """Before outages are told: wait until every open stall has ended or been given up (its answer may
        be a moment behind the probe's own), within scope.recovery_wait_s of its start."""
        while True:
            current = [s for s in self.store.stalls() if s.open and s.answered_before]
            if not current or all(time.time() > s.seen + self.recovery_wait_s + 2 * self.interval_s for s in current):
                return
            for s in current:
                if s.host not in self._tasks or self._tasks[s.host].done():
                    return                        # nobody of ours watches it any more: tell what is known
            await asyncio.sleep(0.2)

    # -- the pinger ------------------------------------------------------------------
    def _watch(self, host: str, origin: str) -> None:
        self._baseline.setdefault(host, asyncio.Event())
        task = self._tasks.get(host)
        if task is None or task.done():
            try:
                self._tasks[host] = asyncio.get_running_loop().create_task(self._pinger(host, self._health_url(origin)))
            except RuntimeError:
                pass

    def _take_lease(self, host: str) -> bool:
        if host in self._leases:
            return True
        if self.store.folder is None or fcntl is None:
            return True
        path = self.store.folder / ("lease-" + re.sub(r"[^a-z0-9.-]", "_", host.lower())[:200])
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            return True
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._leases[host] = fd
        return True

    async def _pinger(self, host: str, url: str) -> None:
        usual: deque[float] = deque(maxlen=10)
        last_ok = time.time()
        while True:
            if not self._take_lease(host):         # another process of the run watches this host
                self._baseline[host].set()
                await asyncio.sleep(self.interval_s)
                continue
            stall = next((s for s in self.store.stalls() if s.host == host and s.open), None)
            threshold = stall_threshold_s(list(usual))
            try:
                await self._admit(url)              # our own pacing is not the host's time
            except NetError:
                return
            sent = time.time()
            task = asyncio.ensure_future(self._ping(url))
            done, _ = await asyncio.wait([task], timeout=threshold if usual else self.recovery_wait_s)
            # the first answer sets the usual time, however slow: a slow home page is not a stall
            if done and task.exception() is None and (not usual or task.result() < threshold):
                usual.append(task.result() * 1000)
                last_ok = time.time()
                self._baseline[host].set()
                if stall is not None:               # a fast answer: the host is back
                    stall.until = sent
                    self.store.put_stall(stall)
                await asyncio.sleep(self.interval_s)
                continue
            why = (f"health ping took over {threshold:.1f}s" if not done or task.exception() is None else
                   f"health ping failed: {_reason(task.exception())}")
            opened = stall is None
            if opened:
                stall = Stall(uuid.uuid4().hex[:12], host, since=last_ok, seen=sent,
                              usual_ms=round(statistics.median(usual), 1) if usual else 0.0, why=why,
                              answered_before=bool(usual))
                self.store.put_stall(stall)
            try:
                elapsed = await task              # the slow ping's own answer ends the stall, if it comes
                stall.worst_ms = max(stall.worst_ms, elapsed * 1000)
                if opened and elapsed < threshold:
                    # the wait ran long because this process was busy; the host answered in time
                    stall.retracted = True
                    self.store.put_stall(stall)
                    continue
                if elapsed < self.recovery_wait_s:
                    stall.until = time.time()
                    self.store.put_stall(stall)
                    last_ok = stall.until
                    continue
            except NetError as e:
                stall.why = f"health ping failed: {e.reason}"
                stall.worst_ms = max(stall.worst_ms, (time.time() - sent) * 1000)
            if time.time() - stall.seen > self.recovery_wait_s:
                stall.given_up = True
                self.store.put_stall(stall)
                return
            self.store.put_stall(stall)
            await asyncio.sleep(self.interval_s)

    async def aclose(self) -> None:
        for task in self._tasks.values():
            task.cancel()
        for task in self._tasks.values():
            try:
                await task
            except (asyncio.CancelledError, Exception):  # noqa: BLE001 - the pinger's trouble ends with it
                pass
        self._tasks.clear()
        for fd in self._leases.values():
            os.close(fd)
        self._leases.clear()


def _reason(exc: BaseException | None) -> str:
    return exc.reason if isinstance(exc, NetError) else f"{type(exc).__name__}: {exc}"


__all__ = ["TargetWatch", "WatchStore", "ProbeRecord", "Stall", "Outage", "culprit", "suspects", "describe_probe",
           "grows",
           "stall_threshold_s", "WATCH_FOLDER", "OUTAGE_FLOOR_S", "STALL_FLOOR_S"]
