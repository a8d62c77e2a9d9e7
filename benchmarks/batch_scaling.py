"""Batch scaling: 1, 4 and 8 demo-like clients, the local process pool vs a Dask LocalCluster.

    python3 benchmarks/batch_scaling.py [sizes...]

Each client is the demo profile under its own name with a 5 s sampling window
(all seven stages, notebooks and reports). Two clients at a time on both engines
(this machine has 2 cores); the figure is wall time for the whole batch.
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _demo import start_shop  # noqa: E402
from launch_audit.workbook.batch import run_batch  # noqa: E402

WORKERS = 2


def clients(profile_path: Path, n: int, folder: Path) -> list[Path]:
    text = profile_path.read_text()
    text = re.sub(r"samples: \d+", "samples: 20", text).replace("window_s: 15", "window_s: 5")
    paths = []
    for i in range(n):
        path = folder / f"client-{i}.yaml"
        path.write_text(text.replace("client: demo-shop", f"client: bench-client-{i}"))
        paths.append(path)
    return paths


def timed_batch(paths: list[Path], out: Path, scheduler: str | None) -> tuple[float, int]:
    started = time.perf_counter()
    outcomes = run_batch(paths, out, workers=WORKERS, scheduler=scheduler)
    return time.perf_counter() - started, sum(o.ok for o in outcomes)


def main(sizes: list[int]) -> None:
    from distributed import LocalCluster

    shop, profile = start_shop(max_rps=50)
    folder = Path(tempfile.mkdtemp(prefix="la-bench-batch-"))
    try:
        with LocalCluster(n_workers=WORKERS, threads_per_worker=1, processes=True, host="127.0.0.1",
                          dashboard_address=None) as cluster:
            print(f"batch of demo-like clients, {WORKERS} at a time (wall seconds; per client in brackets)")
            print(f"{'clients':>7} | {'local pool':>18} | {'Dask LocalCluster':>18}")
            for n in sizes:
                paths = clients(profile.source, n, folder)
                local, ok1 = timed_batch(paths, folder / f"out-local-{n}", None)
                dask, ok2 = timed_batch(paths, folder / f"out-dask-{n}", cluster.scheduler_address)
                assert ok1 == ok2 == n, (ok1, ok2)
                print(f"{n:>7} | {local:7.1f} s ({local / n:5.1f}) | {dask:7.1f} s ({dask / n:5.1f})")
    finally:
        shop.stop()


if __name__ == "__main__":
    main([int(x) for x in sys.argv[1:]] or [1, 4, 8])
