"""Percentiles by the nearest-rank method, the one we state in every finding.

Nearest rank: the p-th percentile of n sorted values is the value at rank
ceil(p/100 * n) (1-based). No interpolation, so every figure we print is a
latency that was really observed; HdrHistogram-based tools (wrk, hey) report
the same kind of value, which keeps our numbers comparable with theirs.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

METHOD = "nearest-rank"


def nearest_rank(values: list[float], p: float) -> float:
    if not values:
        raise ValueError("no values")
    if not 0 < p <= 100:
        raise ValueError(f"percentile must be in (0, 100], got {p}")
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]


@dataclass(frozen=True)
class LatencySummary:
    n: int
    p50: float
    p95: float
    p99: float
    min: float
    max: float
    mean: float

    def as_dict(self) -> dict[str, float]:
        return {k: (round(v, 2) if isinstance(v, float) else v) for k, v in asdict(self).items()}

    def describe(self) -> str:
        return f"p50 {self.p50:.0f} ms, p95 {self.p95:.0f} ms, p99 {self.p99:.0f} ms over {self.n} samples ({METHOD})"


def summarize(values: list[float]) -> LatencySummary | None:
    if not values:
        return None
    return LatencySummary(n=len(values), p50=nearest_rank(values, 50), p95=nearest_rank(values, 95),
                          p99=nearest_rank(values, 99), min=min(values), max=max(values),
                          mean=sum(values) / len(values))
