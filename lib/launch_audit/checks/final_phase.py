"""The run's final phase: the rate-limit bursts wait until every other stage of the run is done probing.

A burst spends a login, reset or chat budget on purpose. Within a stage the runner already runs it last
(Check.phase); across stages, which run in parallel kernels, this folder in the run directory says which
stages the run holds and which have finished their ordinary checks, so a burst in stage 4 cannot starve a
stage 1, 5 or 6 check of the same budget. ``launch-audit run`` writes the list of stages before starting
them; a stage marks itself done when its ordinary checks end (the runner) or its notebook ends (the
pipeline, whatever happened). Without that list (a notebook explored on its own) nothing waits.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from ..atomic import write_atomic

PHASES_FOLDER = "phases"
EXPECTED = "expected.json"
# a burst waits this long at most for the others (a long monitoring window); then it runs and says so
MAX_WAIT_S = 600.0
POLL_S = 0.2


def expect(run_dir: Path, stages: Iterable[int]) -> None:
    """The pipeline: these stages run side by side in this run."""
    folder = Path(run_dir) / PHASES_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    write_atomic(folder / EXPECTED, json.dumps(sorted(set(stages))))


def mark_done(run_dir: Path | None, stages: Iterable[int]) -> None:
    """These stages' ordinary checks are over (idempotent; a no-op outside a run that expects them)."""
    if run_dir is None or not (Path(run_dir) / PHASES_FOLDER / EXPECTED).is_file():
        return
    for stage in stages:
        marker = Path(run_dir) / PHASES_FOLDER / f"stage-{stage}.done"
        if not marker.exists():
            write_atomic(marker, f"{time.time():.3f}\n")


def still_running(run_dir: Path | None, own: Iterable[int]) -> list[int]:
    """The run's other stages that have not marked themselves done (empty outside a pipeline run)."""
    if run_dir is None:
        return []
    folder = Path(run_dir) / PHASES_FOLDER
    try:
        expected = json.loads((folder / EXPECTED).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    mine = set(own)
    return [s for s in expected if isinstance(s, int) and s not in mine
            and not (folder / f"stage-{s}.done").exists()]


async def wait_for_others(run_dir: Path | None, own: Iterable[int], *, tell: Callable[[list[int]], None] | None = None,
                          max_wait_s: float | None = None) -> list[int]:
    """Wait until the run's other stages are done with their ordinary checks; returns those still running
    when ``max_wait_s`` ran out (empty when none). ``tell`` hears each change in who is awaited."""
    own = list(own)
    until = time.monotonic() + (MAX_WAIT_S if max_wait_s is None else max_wait_s)
    told: list[int] | None = None
    while True:
        waiting = still_running(run_dir, own)
        if waiting != told and tell is not None:
            tell(waiting)
        told = waiting
        if not waiting or time.monotonic() >= until:
            return waiting
        await asyncio.sleep(POLL_S)
