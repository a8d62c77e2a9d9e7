"""The demo audit through the papermill stage notebooks vs the same checks straight from the library.

    python3 benchmarks/pipeline.py [repeats]

Prints wall times (median of ``repeats``), the ratio, the pipeline's own cost
(notebooks + papermill + nbconvert over the direct call), and sequential vs
parallel stages. The demo profile's sampling window (stage 6) is kept: it is
what a real run waits for.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _demo import start_shop  # noqa: E402
from _library_run import run_audit  # noqa: E402
from launch_audit.workbook.pipeline import default_workers, run_pipeline  # noqa: E402


def timed(fn) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def main(repeats: int) -> None:
    shop, profile = start_shop(max_rps=50)      # the demo profile's own pacing
    out = Path(tempfile.mkdtemp(prefix="la-bench-out-"))
    try:
        direct, piped, seq = [], [], []
        detail = {}
        for _ in range(repeats):
            direct.append(timed(lambda: run_audit(profile, out))[0])
            took, result = timed(lambda: run_pipeline(profile.source, out, profile=profile))
            piped.append(took)
            detail = result.run["pipeline"]["timings"] | {
                "stage_s": {r.stage: r.seconds for r in result.stage_runs}}
        seq.append(timed(lambda: run_pipeline(profile.source, out, profile=profile, workers=1))[0])
        d, p = statistics.median(direct), statistics.median(piped)
        print(f"demo audit, all stages, median of {repeats} (sampling window {profile.monitoring.window_s:g} s)")
        print(f"  library, checks called directly      {d:6.1f} s")
        print(f"  papermill notebooks + reports         {p:6.1f} s   ratio {p / d:4.2f}x   pipeline cost {p - d:5.1f} s")
        print(f"  stages one at a time (--workers 1)    {statistics.median(seq):6.1f} s   "
              f"vs {default_workers()} workers {p:5.1f} s ({statistics.median(seq) / p:4.2f}x)")
        print(f"  last run's phases: {json.dumps(detail)}")
    finally:
        shop.stop()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
