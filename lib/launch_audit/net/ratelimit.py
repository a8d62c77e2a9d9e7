"""Per-host pacing and per-check request budgets."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict

from .errors import BudgetExceeded


class HostRateLimiter:
    """At most ``rate`` request starts per second per host, spaced evenly."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate
        self._next: dict[str, float] = defaultdict(float)
        self._locks: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def wait(self, host: str) -> None:
        async with self._locks[host]:
            now = time.monotonic()
            start = max(now, self._next[host])
            self._next[host] = start + self.interval
        if start > now:
            await asyncio.sleep(start - now)


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
