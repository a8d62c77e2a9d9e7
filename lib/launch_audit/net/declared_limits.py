"""The shop's declared rate limits (api.rate_limits, per minute) as budgets the run keeps itself.

Every request to a login, password-reset or chat endpoint takes a slot in a sliding one-minute window per
(endpoint kind, identity): the account whose credentials it carries, or the client itself for limits a
shop counts per address (api.rate_limits_per). A request that would exceed the declared limit waits for
its slot, so no check trips the shop's limit except the rate-limit probes, which mean to: their requests
are recorded without waiting, and the window they spent is then waited out by everyone else.

The windows are shared by the run's stage processes through a folder in the run directory (one small
file per key, read and written under an exclusive lock, as per-host pacing is); outside a run they live
in this process.

Where the profile declares no limit, a 429 teaches one: the shop's RateLimit headers when it sends them,
else the number of requests it let through in the last window, kept for that endpoint and identity for the
rest of the run.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import struct
import time
from collections.abc import Callable
from pathlib import Path

try:
    import fcntl
except ImportError:          # not on Windows: the windows are then per process only
    fcntl = None  # type: ignore[assignment]

LIMITS_FOLDER = "limits"
WINDOW_S = 61.0              # a minute, plus a second for our send time against the shop's arrival time
LEARNED = "learned-"
LOGIN_FIELDS = ("email", "username", "login", "user")     # where a login or reset body names its account


def learned_kind(method: str, url: str) -> str:
    """The key of an endpoint without a declared limit (method and URL without its query), short and safe."""
    bare = url.split("?", 1)[0]
    return LEARNED + hashlib.sha256(f"{method.upper()} {bare}".encode()).hexdigest()[:12]


class LimitUnreachable(Exception):
    """The next slot is later than the caller can wait."""

    def __init__(self, kind: str, per_minute: int, wait_s: float) -> None:
        limit = ("the limit learned from the shop's 429" if kind.startswith(LEARNED) else f"the declared {kind} limit")
        super().__init__(f"{limit} ({per_minute}/min) has no free slot for {wait_s:.0f} s")
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
        # requests to endpoints with no declared limit, by key: what a 429 there lets us learn the limit from
        self._sent: dict[str, list[float]] = {}

    # -- limits learned from the shop's own 429s ---------------------------------------------------------------
    def sent(self, kind: str, identity: str) -> None:
        """Note a request to an endpoint without a declared limit (kept in memory for one window)."""
        key = f"{kind}-{identity}"
        now = time.monotonic()
        self._sent[key] = [*_live(self._sent.get(key, []), now), now]

    def learn(self, kind: str, identity: str, per_minute: int | None) -> int:
        """A 429 where the profile declares no limit: adopt the shop's stated limit, else as many requests as
        it let through in the last window, for the rest of the run (other processes of the run too)."""
        key = f"{kind}-{identity}"
        now = time.monotonic()
        let_through = _live(self._sent.get(key, []), now)[:-1]      # the last one is the request refused
        limit = max(1, per_minute or len(let_through))
        self.limits[kind] = min(limit, self.limits.get(kind, limit))
        self._update(key, now, lambda times: (sorted({*times, *let_through}), None))
        if self._folder is not None:
            (self._folder / _limit_file(kind)).write_text(str(self.limits[kind]), encoding="utf-8")
        return self.limits[kind]

    def has_limit(self, kind: str) -> bool:
        """Declared, learned here, or learned by another process of the run (read from the run folder)."""
        if kind in self.limits:
            return True
        if self._folder is None:
            return False
        try:
            self.limits[kind] = int((self._folder / _limit_file(kind)).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return True

    async def take(self, kind: str, identity: str, *, deadline: float | None = None, probe: bool = False,
                   on_slot: Callable[[float], None] | None = None) -> float:
        """Wait for a slot for one request (a probe: record it now, never wait). Returns the seconds waited;
        raises LimitUnreachable when the slot is past ``deadline`` (monotonic). ``on_slot`` hears a later
        slot before the wait begins."""
        return (await self._book(kind, identity, deadline, probe, on_slot))[1]

    async def book(self, kind: str, identity: str, *, deadline: float | None = None, probe: bool = False,
                   on_slot: Callable[[float], None] | None = None) -> float | None:
        """As ``take``; returns the slot booked (None: no limit applies), for ``settle`` once answered."""
        return (await self._book(kind, identity, deadline, probe, on_slot))[0]

    async def _book(self, kind: str, identity: str, deadline: float | None, probe: bool,
                    on_slot: Callable[[float], None] | None) -> tuple[float | None, float]:
        per_minute = self.limits.get(kind)
        if per_minute is None:
            return None, 0.0
        key = f"{kind}-{identity}"
        async with self._lock:
            now = time.monotonic()
            slot = self._reserve(key, per_minute, now, probe, deadline)
        if slot is None:
            raise LimitUnreachable(kind, per_minute, self.next_free(kind, identity) - time.monotonic())
        wait = max(0.0, slot - now)
        if wait:
            if on_slot is not None:
                on_slot(slot)
            self.waited_s[kind] = self.waited_s.get(kind, 0.0) + wait
            await asyncio.sleep(wait)
        return slot, wait

    def settle(self, kind: str, identity: str, slot: float, answered: float) -> None:
        """The request booked at ``slot`` was answered at ``answered``: the shop counted it at its arrival,
        somewhere in between (after our connection set-up, or its own queue), so the window keeps the
        later time. A minute after the answer is always a minute after the shop counted it."""
        if answered <= slot:
            return
        key = f"{kind}-{identity}"

        def move(times: list[float]) -> tuple[list[float], None]:
            if slot in times:
                times.remove(slot)
            return sorted([*times, answered]), None
        self._update(key, time.monotonic(), move)

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
        return self._update(key, now, book)

    def _read(self, key: str, now: float) -> list[float]:
        found: list[float] = []

        def peek(times: list[float]) -> tuple[list[float], None]:
            found.extend(times)
            return times, None
        self._update(key, now, peek)
        return found

    def _update(self, key: str, now: float, change) -> float | None:
        """Let ``change`` see the key's live times and return (new times, result): in the run folder under
        its lock, shared by the run's processes, or in this process's memory outside a run."""
        if self._folder is not None:
            return _locked_update(self._folder / _safe(key), now, change)
        times, result = change(_live(self._memory.get(key, []), now))
        self._memory[key] = times
        return result


def next_slot(times: list[float], per_minute: int, now: float) -> float:
    """Pure: the earliest start at or after ``now`` that keeps every window of WINDOW_S at ``per_minute``
    requests or fewer, given the booked start times (past and reserved)."""
    live = sorted(_live(times, now))
    if len(live) < per_minute:
        return now
    return max(now, live[-per_minute] + WINDOW_S)


class Accounts:
    """Whose request this is, by account rather than by credential: a shop counts a user's chat however the
    token came (the profile's token, a cookie, a session a login returned), so the run must too. Knows the
    profile's tokens and the sessions a login as one of its users answered with; any other credential
    counts as its own account."""

    def __init__(self, auth_names: tuple[str, ...]) -> None:
        self.auth_names = auth_names
        self._owner: dict[str, str] = {}        # credential value -> account name (a, b, admin, red_team)

    def know(self, credential: str, account: str) -> None:
        if len(credential) >= 8:                # never a short value that could appear in any header
            self._owner[credential] = account

    def learn_session(self, account: str, set_cookies: list[str], body: object) -> None:
        """A login as ``account`` succeeded: the cookies it set and the token-like strings of its JSON."""
        for cookie in set_cookies:
            self.know(cookie.split(";", 1)[0].split("=", 1)[-1].strip(), account)
        values = list(body.values()) if isinstance(body, dict) else []
        while values:
            value = values.pop()
            if isinstance(value, dict):
                values += list(value.values())
            elif isinstance(value, str) and len(value) >= 16 and " " not in value:
                self.know(value, account)

    def of(self, headers: dict[str, str] | None) -> str:
        for name, value in (headers or {}).items():
            if name.lower() in self.auth_names and value:
                owner = next((acct for cred, acct in self._owner.items() if cred in value), None)
                if owner is not None:
                    return f"account-{owner}"
        return identity_of(headers, self.auth_names)


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
        value = next((str(body[k]) for k in LOGIN_FIELDS if k in body), "")
    return "named-" + hashlib.sha256(value.strip().lower().encode()).hexdigest()[:12]


def _live(times: list[float], now: float) -> list[float]:
    return [t for t in times if t > now - WINDOW_S]


def _limit_file(kind: str) -> str:
    """Where a limit learned by one process of the run is left for the others."""
    return _safe(kind) + ".limit"


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
