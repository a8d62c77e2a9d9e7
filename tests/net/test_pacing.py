"""Per-host pacing holds across processes: a run's stage kernels (and a batch's clients) share each host's
rate through small lock files, so three processes asking at once still start one request per interval."""

from __future__ import annotations

import pytest

import asyncio
import multiprocessing
import time

from launch_audit.net.ratelimit import HostRateLimiter

RATE = 20.0          # one start every 50 ms
EACH = 12


def _take_slots(pacing_dir: str, queue) -> None:
    from pathlib import Path

    async def go() -> list[float]:
        limiter = HostRateLimiter(RATE, Path(pacing_dir))
        starts = []
        for _ in range(EACH):
            await limiter.wait("shop.example")
            starts.append(time.monotonic())
        return starts

    queue.put(asyncio.run(go()))


def _starts(pacing_dir: str | None, tmp_path) -> list[float]:
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_take_slots, args=(pacing_dir or str(tmp_path / f"own-{i}"), queue)) for i in range(3)]
    for p in procs:
        p.start()
    starts = sorted(t for _ in procs for t in queue.get(timeout=60))
    for p in procs:
        p.join(10)
    return starts


@pytest.mark.slow
def test_three_processes_share_one_pace(tmp_path):
    starts = _starts(str(tmp_path / "shared"), tmp_path)
    assert len(starts) == 3 * EACH
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    # evenly spaced by the interval (a scheduler hiccup may delay one start, never bunch two)
    assert min(gaps) > 0.8 / RATE, min(gaps)
    assert starts[-1] - starts[0] >= (3 * EACH - 1) / RATE * 0.95


def test_without_a_shared_folder_each_process_paces_alone(tmp_path):
    # the control: separate folders give three independent paces, so starts bunch three at a time
    starts = _starts(None, tmp_path)
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    assert min(gaps) < 0.5 / RATE
