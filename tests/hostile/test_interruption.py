"""SIGKILL at random points of a run (several seeds): `latest` always names a complete run, no published run
holds a half-written file, and the next run works. The older test in tests/workbook kills during stage 6;
these spread the kill over the whole run, the final writes and the rename included."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.helpers import short_window_profile

SEEDS = (11, 23, 37, 41)


def published_runs_are_whole(client: Path) -> Path | None:
    """Every run folder a reader can see is complete; returns where `latest` points (None before any run)."""
    for run in client.iterdir():
        if run.name.startswith(".") or run.name == "latest":
            continue                          # .partial folders and the .latest.* temp link are never read
        json.loads((run / "findings.json").read_text())
        json.loads((run / "run.json").read_text())
        assert (run / "report.html").stat().st_size > 0
    latest = client / "latest"
    if not latest.exists() and not latest.is_symlink():
        return None
    target = latest.resolve()
    assert target.parent == client.resolve() and not target.name.startswith("."), target
    assert (target / "findings.json").is_file()
    return target


def test_sigkill_at_random_points_never_corrupts_latest(shop, tmp_path):
    profile = short_window_profile(shop, tmp_path, window_s=2, samples=4)
    out = tmp_path / "out"
    client = out / "demo-shop"
    command = [sys.executable, "-m", "launch_audit", "run", str(profile), "--out", str(out), "--stages", "2,6"]
    started = time.monotonic()
    assert subprocess.run(command, capture_output=True, timeout=300).returncode == 0
    full = time.monotonic() - started
    latest = published_runs_are_whole(client)
    assert latest is not None
    for seed in SEEDS:
        delay = random.Random(seed).uniform(0.5, full * 1.05)      # anywhere from start-up to the rename
        proc = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        os.killpg(proc.pid, signal.SIGKILL)                         # the kernels too: the whole machine "died"
        proc.wait(10)
        now = published_runs_are_whole(client)
        assert now is not None and now.exists(), f"seed {seed}: latest lost after a kill at {delay:.1f}s"
    before = published_runs_are_whole(client)
    # the next run works and becomes latest
    done = subprocess.run(command, capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-1500:]
    after = published_runs_are_whole(client)
    assert after != before and json.loads((after / "findings.json").read_text())["findings"]
