"""Per-host pacing and per-check request budgets."""

from __future__ import annotations

import asyncio
import os
import re
import stat
import struct
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from .errors import BudgetExceeded

try:
    import fcntl
except ImportError:          # not on Windows: pacing is then per process only
    fcntl = None  # type: ignore[assignment]

# a reservation further ahead than this is left over from another boot (monotonic clocks restart)
_STALE_S = 120.0


def default_pacing_dir() -> Path:
    """Shared by every audit process of this user on this machine."""
    return Path(tempfile.gettempdir()) / f"launch-audit-pacing-{os.getuid() if hasattr(os, 'getuid') else 0}"


def _private_dir(folder: Path) -> bool:
    """The pacing folder exists, is ours and nobody else can write in it (it sits in the shared /tmp)."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = os.lstat(folder)
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid() and not st.st_mode & 0o022


class HostRateLimiter:
    """At most ``rate`` request starts per second per host, spaced evenly.

    A run's stages are separate kernel processes and a batch runs clients side by side, so the
    spacing is kept in one small file per host (``pacing_dir``), reserved under an exclusive lock:
    however many processes audit a host, it sees at most ``rate`` starts a second from us.
    """

    def __init__(self, rate: float, pacing_dir: Path | None = None) -> None:
        self.interval = 1.0 / rate
        self._next: dict[str, float] = defaultdict(float)
        self._locks: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._dir = pacing_dir if fcntl is not None else None
        if self._dir is not None and not _private_dir(self._dir):
            self._dir = None                # pace within this process only

    async def wait(self, host: str) -> None:
        for _ in range(5):
            async with self._locks[host]:
                now = time.monotonic()
                start = self._reserve_shared(host, now) if self._dir is not None else None
                if start is None:
                    start = max(now, self._next[host])
                    self._next[host] = start + self.interval
            if start > now:
                await asyncio.sleep(start - now)
            # woken more than a slot late (the event loop was busy with CPU work): the slot has passed
            # and requests that all slept through it would go out together, so book a new one
            if time.monotonic() - start < self.interval:
                return

    def _reserve_shared(self, host: str, now: float) -> float | None:
        """The next free start time for ``host`` across processes; None if the file cannot be used."""
        path = self._dir / re.sub(r"[^a-z0-9.-]", "_", host.lower())[:200]  # type: ignore[operator]
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
        except OSError:
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)        # held for a read and a write: microseconds
            raw = os.pread(fd, 8, 0)
            booked = struct.unpack("d", raw)[0] if len(raw) == 8 else 0.0
            if booked > now + _STALE_S:
                booked = 0.0
            start = max(now, booked)
            os.pwrite(fd, struct.pack("d", start + self.interval), 0)
            return start
        except OSError:
            return None
        finally:
            os.close(fd)          # closing releases the lock


class Budget:
    """How many requests one check may still send (scope.max_requests_per_check)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0

    def take(self, n: int = 1) -> None:
        if self.used + n > self.limit:
            raise BudgetExceeded(f"request budget of {self.limit} for this check is spent")
        self.used += n

    @property
    def left(self) -> int:
        return self.limit - self.used
