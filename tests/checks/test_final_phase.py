"""The run's final phase (issue 19, item 2): a rate-limit burst waits until the run's other stages are done
with their ordinary checks, across the stage processes, so its burst cannot starve a check of another stage
of the same budget; and a stage that ends any way at all lets it go on."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

from launch_audit.checks import catalog, final_phase
from launch_audit.checks.runner import run_checks
from launch_audit.findings import Status
from launch_audit.net import Network
from launch_audit.profile_loader import load_profile

from tests.helpers import target_profile


def test_who_is_still_running(tmp_path):
    assert final_phase.still_running(tmp_path, [4]) == []          # no list of stages: a notebook on its own
    final_phase.mark_done(tmp_path, [1])                           # ...and marking is a no-op there
    assert not (tmp_path / final_phase.PHASES_FOLDER).exists()
    final_phase.expect(tmp_path, [6, 5, 4, 1])
    assert final_phase.still_running(tmp_path, [4]) == [1, 5, 6]
    final_phase.mark_done(tmp_path, [5, 1])
    final_phase.mark_done(tmp_path, [5])                           # twice is fine
    assert final_phase.still_running(tmp_path, [4]) == [6]
    assert final_phase.still_running(None, [4]) == []


def _timed(check_id: str, log: dict[str, float]):
    async def run(ctx):
        log[check_id] = time.monotonic()
        yield ctx.finding(Status.WARN, check_id, "ran")
    return replace(catalog.get(check_id), run=run)


async def test_the_burst_waits_for_the_other_stage_and_the_ordinary_checks_do_not(tmp_path):
    profile = load_profile(target_profile(tmp_path, "phases", "127.0.47.9"))
    run_dir = tmp_path / "run"
    final_phase.expect(run_dir, [1, 4])
    log: dict[str, float] = {}
    events: list[tuple[str, str]] = []
    stage_1_done = threading.Timer(1.5, final_phase.mark_done, (run_dir, [1]))
    started = time.monotonic()
    stage_1_done.start()
    async with Network(profile, run_dir=run_dir) as net:
        found = await run_checks(profile, [_timed("S4.cors", log), _timed("S4.rate_limit_login", log)], net=net,
                                 on_event=lambda event, check, _: events.append((event, check.id)))
    assert [f.status for f in found] == [Status.WARN, Status.WARN]
    assert log["S4.cors"] - started < 1.0                          # ordinary checks do not wait
    assert 1.4 <= log["S4.rate_limit_login"] - started < 5        # the burst waited for stage 1
    assert ("waiting", "S4.rate_limit_login") in events and ("ready", "S4.rate_limit_login") in events
    assert final_phase.still_running(run_dir, [1]) == []           # stage 4 marked itself done


async def test_a_burst_that_cannot_wait_any_longer_runs_and_says_which_stage_it_ran_beside(tmp_path, monkeypatch):
    monkeypatch.setattr(final_phase, "MAX_WAIT_S", 0.5)
    profile = load_profile(target_profile(tmp_path, "phases", "127.0.47.9"))
    run_dir = tmp_path / "run"
    final_phase.expect(run_dir, [4, 6])                            # stage 6 never finishes
    log: dict[str, float] = {}
    async with Network(profile, run_dir=run_dir) as net:
        [f] = await run_checks(profile, [_timed("S4.rate_limit_chat", log)], net=net)
    assert f.status is Status.WARN and f.details["ran_beside_stages"] == [6]
    assert "while stage 6 of this run was still running" in f.evidence, f.evidence
