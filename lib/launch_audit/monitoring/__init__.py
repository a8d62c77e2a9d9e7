"""Stage 6 measurements: the latency/availability sampler and its statistics."""

from .percentiles import LatencySummary, nearest_rank, summarize
from .sampler import Sample, SeriesPlan, plan_series, sample_all, sample_series

__all__ = ["LatencySummary", "nearest_rank", "summarize", "Sample", "SeriesPlan", "plan_series",
           "sample_all", "sample_series"]
