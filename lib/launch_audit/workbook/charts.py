"""Plotly figures of the latency samples: percentiles over time and the distribution against the budget.

Figures are data (plotly JSON); notebooks show them with the ``plotly_mimetype``
renderer and the report template draws them with the plotly.js it embeds once.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..monitoring import Sample, nearest_rank
from ..monitoring.percentiles import METHOD

PALETTE = ["#1a73e8", "#e8710a", "#188038", "#a142f4", "#d93025", "#12b5cb", "#5f6368"]
PERCENTILES = ((50, "p50", "solid"), (95, "p95", "dash"), (99, "p99", "dot"))
MAX_BINS = 12


def answered_series(samples: list[Sample]) -> dict[str, list[tuple[float, float]]]:
    """series -> [(seconds since the window opened, ms)] for answered requests."""
    timed = [(datetime.fromisoformat(s.started_at), s) for s in samples if s.ms is not None]
    if not timed:
        return {}
    t0 = min(t for t, _ in timed)
    out: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for t, s in sorted(timed, key=lambda x: x[0]):
        out[s.series].append(((t - t0).total_seconds(), float(s.ms)))  # type: ignore[arg-type]
    return dict(out)


def percentiles_over_time(points: list[tuple[float, float]]) -> list[tuple[float, dict[str, float]]]:
    """Pure: split a series into time bins and take nearest-rank p50/p95/p99 of each."""
    if not points:
        return []
    bins = max(1, min(MAX_BINS, len(points) // 4))
    start, end = points[0][0], points[-1][0]
    width = (end - start) / bins or 1.0
    grouped: dict[int, list[float]] = defaultdict(list)
    for t, ms in points:
        grouped[min(bins - 1, int((t - start) / width))].append(ms)
    return [(round(start + (i + 0.5) * width, 2), {label: nearest_rank(v, p) for p, label, _ in PERCENTILES})
            for i, v in sorted(grouped.items())]


WINDOW_AXIS = "seconds into the sampling window"


def latency_over_time(samples: list[Sample], budget_ms: float, x_title: str = WINDOW_AXIS) -> go.Figure | None:
    series = answered_series(samples)
    if not series:
        return None
    names = sorted(series, key=lambda n: (n != "chat", n))
    fig = make_subplots(rows=len(names), cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        subplot_titles=[f"{n} ({len(series[n])} samples)" for n in names])
    for row, name in enumerate(names, 1):
        binned = percentiles_over_time(series[name])
        for i, (_, label, dash) in enumerate(PERCENTILES):
            fig.add_trace(go.Scatter(
                x=[t for t, _ in binned], y=[v[label] for _, v in binned], name=label, mode="lines+markers",
                line={"color": PALETTE[i], "dash": dash}, legendgroup=label, showlegend=row == 1,
                hovertemplate=f"{label} %{{y:.1f}} ms at %{{x:.1f}} s<extra>{name}</extra>"), row=row, col=1)
        label = {"annotation_text": f"budget {budget_ms:g} ms", "annotation_position": "top left"} if row == 1 else {}
        fig.add_hline(y=budget_ms, line={"color": "#d93025", "dash": "dash", "width": 1}, row=row, col=1, **label)
        fig.update_yaxes(title_text="ms", rangemode="tozero", row=row, col=1)
    fig.update_xaxes(title_text=x_title, row=len(names), col=1)
    fig.update_layout(title=f"Latency percentiles over time ({METHOD}, per time bin)", template="plotly_white",
                      height=max(320, 220 * len(names)), margin={"l": 60, "r": 20, "t": 80, "b": 50},
                      legend={"orientation": "h", "y": 1.06, "x": 1, "xanchor": "right"})
    return fig


def latency_distribution(samples: list[Sample], budget_ms: float) -> go.Figure | None:
    series = answered_series(samples)
    if not series:
        return None
    fig = go.Figure()
    top = max(ms for pts in series.values() for _, ms in pts)
    size = max(1.0, max(top, budget_ms) / 60)
    for i, name in enumerate(sorted(series, key=lambda n: (n != "chat", n))):
        values = [ms for _, ms in series[name]]
        p95 = nearest_rank(values, 95)
        # counted here and drawn as bars: the reports embed plotly.js with scatter and bar only
        bins = Counter(int(v // size) for v in values)
        fig.add_trace(go.Bar(x=[(b + 0.5) * size for b in sorted(bins)], y=[bins[b] for b in sorted(bins)],
                             width=size, name=f"{name} (p95 {p95:.0f} ms)", opacity=0.65,
                             marker_color=PALETTE[i % len(PALETTE)],
                             hovertemplate=f"%{{y}} requests at %{{x:.0f}} ms<extra>{name}</extra>"))
    fig.add_vline(x=budget_ms, line={"color": "#d93025", "dash": "dash", "width": 2},
                  annotation_text=f"p95 budget {budget_ms:g} ms", annotation_position="top right")
    fig.update_layout(title="Latency distribution per series", barmode="overlay", template="plotly_white",
                      xaxis_title="ms (request sent → full body)", yaxis_title="requests", height=380,
                      margin={"l": 60, "r": 20, "t": 60, "b": 50},
                      legend={"orientation": "h", "y": -0.25})
    return fig


def latency_figures(samples: list[Sample], budget_ms: float, x_title: str = WINDOW_AXIS) -> list[go.Figure]:
    """``x_title`` names the time axis: the audit's sampling window, or the watch's time since its first round."""
    return [f for f in (latency_over_time(samples, budget_ms, x_title), latency_distribution(samples, budget_ms))
            if f]
