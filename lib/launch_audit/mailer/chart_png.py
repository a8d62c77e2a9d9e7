"""The latency chart as a static PNG for mail clients (which run no script), drawn by matplotlib's Agg
renderer: it ships in matplotlib's wheel, so the founder email gets its chart on any machine, with no
browser. The same percentiles over time as the report's interactive plotly chart (workbook/charts.py)."""

from __future__ import annotations

import io
from pathlib import Path

from ..monitoring.percentiles import METHOD
from ..workbook.charts import PALETTE, PERCENTILES, answered_series, percentiles_over_time
from ..workbook.run_view import load_run

_DASH = {"solid": "-", "dash": "--", "dot": ":"}


class ChartError(RuntimeError):
    pass


def latency_png(run_dir: Path, width: int = 900, height: int = 420) -> bytes | None:
    """The run's latency-over-time chart as PNG bytes of ``width`` x ``height`` pixels (more rows grow
    taller); None when the run has no samples."""
    view = load_run(run_dir)
    series = answered_series(view.samples)
    if not series:
        return None
    try:
        return _draw(series, view.budget_ms, width, height)
    except (ImportError, ValueError, RuntimeError, OSError) as e:
        raise ChartError(f"cannot draw the latency chart as PNG: {e}") from None


def _draw(series: dict[str, list[tuple[float, float]]], budget_ms: float, width: int, height: int) -> bytes:
    from matplotlib.figure import Figure      # the object API: no pyplot state, no display backend

    names = sorted(series, key=lambda n: (n != "chat", n))
    dpi = 100
    rows_height = max(height, 140 * len(names) + 120)
    fig = Figure(figsize=(width / dpi, rows_height / dpi), dpi=dpi, layout="constrained")
    axes = fig.subplots(len(names), 1, sharex=True, squeeze=False)[:, 0]
    for row, (ax, name) in enumerate(zip(axes, names)):
        binned = percentiles_over_time(series[name])
        for i, (_, label, dash) in enumerate(PERCENTILES):
            ax.plot([t for t, _ in binned], [v[label] for _, v in binned], _DASH[dash], marker="o", markersize=3,
                    color=PALETTE[i], label=label)
        ax.axhline(budget_ms, color="#d93025", linestyle="--", linewidth=1,
                   label=f"budget {budget_ms:g} ms" if row == 0 else None)
        ax.set_title(f"{name} ({len(series[name])} samples)", fontsize=10, loc="left")
        ax.set_ylabel("ms")
        ax.set_ylim(bottom=0)
        ax.grid(True, color="#eeeeee")
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    axes[0].legend(loc="upper right", ncols=4, fontsize=8, frameon=False)
    axes[-1].set_xlabel("seconds into the sampling window")
    fig.suptitle(f"Latency percentiles over time ({METHOD}, per time bin)", fontsize=12)
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=dpi)
    return out.getvalue()
