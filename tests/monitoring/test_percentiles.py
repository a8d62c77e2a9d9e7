"""Nearest-rank percentiles: the method every latency figure states."""

from __future__ import annotations

import pytest
from launch_audit.monitoring import nearest_rank, summarize


@pytest.mark.parametrize("values, p, expected", [
    ([15, 20, 35, 40, 50], 5, 15),        # rank ceil(0.25) = 1
    ([15, 20, 35, 40, 50], 30, 20),       # rank ceil(1.5) = 2
    ([15, 20, 35, 40, 50], 40, 20),       # rank 2 exactly
    ([15, 20, 35, 40, 50], 50, 35),
    ([15, 20, 35, 40, 50], 100, 50),
    ([3, 1, 2], 50, 2),                   # unsorted input
    (list(range(1, 101)), 95, 95),
    (list(range(1, 101)), 99, 99),
    (list(range(1, 21)), 95, 19),         # 20 samples: the 19th
    ([7.5], 99, 7.5),
])
def test_nearest_rank(values, p, expected):
    assert nearest_rank(values, p) == expected


@pytest.mark.parametrize("values, p", [([], 50), ([1], 0), ([1], 101)])
def test_nearest_rank_rejects_nonsense(values, p):
    with pytest.raises(ValueError):
        nearest_rank(values, p)


def test_summary_is_observed_values_only():
    s = summarize([10.0, 11.0, 12.0, 500.0])
    assert (s.n, s.p50, s.p95, s.p99, s.min, s.max) == (4, 11.0, 500.0, 500.0, 10.0, 500.0)
    assert "nearest-rank" in s.describe()
    assert summarize([]) is None
