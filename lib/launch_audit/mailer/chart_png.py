"""The latency chart as a static PNG for mail clients (which run no script): plotly's own static export
through kaleido, which drives a headless Chromium (Debian's chromium package is found on the PATH)."""

from __future__ import annotations

from pathlib import Path

from ..workbook.charts import latency_over_time
from ..workbook.run_view import load_run


class ChartError(RuntimeError):
    pass


def latency_png(run_dir: Path, width: int = 900, height: int = 420) -> bytes | None:
    """The run's latency-over-time chart as PNG bytes; None when the run has no samples."""
    view = load_run(run_dir)
    figure = latency_over_time(view.samples, view.budget_ms)
    if figure is None:
        return None
    try:
        return figure.to_image(format="png", width=width, height=height)
    except Exception as e:  # noqa: BLE001 - kaleido and its browser fail in many ways; one clear message
        raise ChartError(f"cannot draw the latency chart as PNG (needs kaleido and Chromium): {e}") from None
