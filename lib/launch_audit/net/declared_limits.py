"""The shop's declared rate limits (api.rate_limits, per minute) as budgets the run keeps itself.

Every request to a login, password-reset or chat endpoint takes a slot in a sliding one-minute window per
(endpoint kind, identity): the account whose credentials it carries, or the client itself for limits a
shop counts per address (api.rate_limits_per). A request that would exceed the declared limit waits for
its slot, so no check trips the shop's limit except the rate-limit probes, which mean to: their requests
are recorded without waiting, and the window they spent is then waited out by everyone else.

The windows are shared by the run's stage processes through a folder in the run directory (one small
file per key, read and written under an exclusive lock, as per-host pacing is); outside a run they live
in this process.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import struct
import time
from pathlib import Path

try:
    import fcntl
except ImportError:          # not on Windows: the windows are then per process only
    fcntl = None  # type: ignore[assignment]

LIMITS_FOLDER = "limits"
WINDOW_S = 61.0              # a minute, plus a second for our send time against the shop's arrival time


class LimitUnreachable(Exception):
    """The next slot is later than the caller can wait."""

    def __init__(self, kind: str, per_minute: int, wait_s: float) -> None:
        super().__init__(f"the declared {kind} limit ({per_minute}/min) has no free slot for {wait_s:.0f} s")
        self.wait_s = wait_s


class DeclaredLimits:
    def __init__(self, limits: dict[str, int], folder: Path | None = None) -> None:
        self.limits = dict(limits)
        self._folder = folder if fcntl is not None else None
        if self._folder is not None:
            try:
                self._folder.mkdir(parents=True, exist_ok=True)
            except OSError:
                self._folder = None
        self._memory: dict[str, list[float]] = {}
        self._lock = asyncio.Lock()
        self.waited_s: dict[str, float] = {}        # kind -> seconds requests waited for a slot (the run's cost)

    async def take(self, kind: str, identity: str, *, deadline: float | None = None, probe: bool = False) -> float:
        """Wait for a slot for one request (a probe: record it now, never wait). Returns the seconds waited;
        raises LimitUnreachable when the slot is past ``deadline`` (monotonic)."""
        per_minute = self.limits.get(kind)
        if per_minute is None:
            return 0.0
        key = f"{kind}-{identity}"
        async with self._lock:
            now = time.monotonic()
            slot = self._reserve(key, per_minute, now, probe, deadline)
        if slot is None:
            raise LimitUnreachable(kind, per_minute, self.next_free(kind, identity) - time.monotonic())
        wait = max(0.0, slot - now)
        if wait:
            self.waited_s[kind] = self.waited_s.get(kind, 0.0) + wait
            await asyncio.sleep(wait)
        return wait

    def next_free(self, kind: str, identity: str) -> float:
        per_minute = self.limits.get(kind)
        if per_minute is None:
            return time.monotonic()
        now = time.monotonic()
        return next_slot(self._read(f"{kind}-{identity}", now), per_minute, now)

    def _reserve(self, key: str, per_minute: int, now: float, probe: bool, deadline: float | None) -> float | None:
        def book(times: list[float]) -> tuple[list[float], float | None]:
            slot = now if probe else next_slot(times, per_minute, now)
            if deadline is not None and not probe and slot > deadline:
                return times, None
            return sorted([*times, slot]), slot
        if self._folder is None:
            times, slot = book(_live(self._memory.get(key, []), now))
            self._memory[key] = times
            return slot
        return _locked_update(self._folder / _safe(key), now, book)

    def _read(self, key: str, now: float) -> list[float]:
        if self._folder is None:
            return _live(self._memory.get(key, []), now)
        found: list[float] = []

        def peek(times: list[float]) -> tuple[list[float], float | None]:
            found.extend(times)
            return times, None
        _locked_update(self._folder / _safe(key), now, peek)
        return found


def next_slot(times: list[float], per_minute: int, now: float) -> float:
    """Pure: the earliest start at or after ``now`` that keeps every window of WINDOW_S at ``per_minute``
    requests or fewer, given the booked start times (past and reserved)."""
    live = sorted(_live(times, now))
    if len(live) < per_minute:
        return now
    return max(now, live[-per_minute] + WINDOW_S)


def identity_of(headers: dict[str, str] | None, auth_names: tuple[str, ...]) -> str:
    """Whose request this is, by its credentials (a short hash, never the token): "client" without any."""
    for name, value in (headers or {}).items():
        if name.lower() in auth_names and value:
            return "account-" + hashlib.sha256(value.encode()).hexdigest()[:12]
    return "client"


def named_in(body: object) -> str:
    """The account a login or reset body names (its email or username), as a short hash; a body that names
    none counts under one shared key, as a shop keying its limit by that field would."""
    value = ""
    if isinstance(body, dict):
        value = next((str(body[k]) for k in ("email", "username", "login", "user") if k in body), "")
    return "named-" + hashlib.sha256(value.strip().lower().encode()).hexdigest()[:12]


def _live(times: list[float], now: float) -> list[float]:
    return [t for t in times if t > now - WINDOW_S]


def _safe(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", key)[:120]


def _locked_update(path: Path, now: float, change) -> float | None:
    """Read the booked times, let ``change`` book one, write them back, all under an exclusive lock."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)      # held for a read and a write: microseconds
        raw = os.pread(fd, 1 << 16, 0)
        times = _live(list(struct.unpack(f"{len(raw) // 8}d", raw[: len(raw) // 8 * 8])), now)
        times, slot = change(times)
        data = struct.pack(f"{len(times)}d", *times)
        os.ftruncate(fd, 0)
        os.pwrite(fd, data, 0)
        return slot
    finally:
        os.close(fd)
