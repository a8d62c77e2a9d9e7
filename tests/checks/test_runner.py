"""The runner: concurrent checks, every outcome a finding, our bugs told apart from the target's trouble."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from launch_audit.checks import catalog
from launch_audit.checks.runner import run_check, run_checks
from launch_audit.findings import ErrorKind, Status
from launch_audit.net.errors import TargetTimeout
from launch_audit.term import inert


async def _buggy(ctx):
    ctx.observe("records")              # a pass rests on something (checks/evidence.py)
    yield ctx.finding(Status.PASS, "first", "fine")
    raise ZeroDivisionError("division by zero")


async def _target_trouble(ctx):
    raise TargetTimeout("GET https://x.test/: ReadTimeout after 1s")
    yield  # pragma: no cover


async def _slow(ctx):
    ctx.observe("records")
    yield ctx.finding(Status.PASS, "early", "kept")
    await asyncio.sleep(10)


async def test_a_bug_is_reported_as_ours_and_the_stage_goes_on(demo_profile):
    buggy = replace(catalog.get("S2.caa"), run=_buggy)
    trouble = replace(catalog.get("S2.hsts"), run=_target_trouble)
    fine = catalog.get("S3.rollback_path")
    found = await run_checks(demo_profile, [buggy, trouble, fine])
    by_check = {}
    for f in found:
        by_check.setdefault(f.check_id, []).append(f)
    assert [f.status for f in by_check["S2.caa"]] == [Status.PASS, Status.ERROR]
    bug = by_check["S2.caa"][1]
    assert bug.error_kind is ErrorKind.TOOL and "ZeroDivisionError" in bug.evidence and "test_runner.py" in bug.evidence
    assert by_check["S2.hsts"][0].error_kind is ErrorKind.TARGET and "ReadTimeout" in by_check["S2.hsts"][0].evidence
    assert by_check["S3.rollback_path"][0].status is Status.PASS


async def test_a_check_past_its_deadline_keeps_what_it_found(demo_profile):
    slow = replace(catalog.get("S2.caa"), run=_slow)
    found = await run_check(slow, demo_profile, None, {}, timeout_s=0.3)
    assert [f.status for f in found] == [Status.PASS, Status.ERROR]
    assert "did not finish within 0.3s" in found[1].evidence


async def test_active_checks_skip_without_permission(tmp_path, demo_profile):
    text = demo_profile.source.read_text().replace("allow_active: true", "allow_active: false")
    (tmp_path / "p.yaml").write_text(text)
    from launch_audit.profile_loader import load_profile
    profile = load_profile(tmp_path / "p.yaml")

    async def would_attack(ctx):
        raise AssertionError("must not run")
        yield  # pragma: no cover

    found = await run_check(replace(catalog.get("S4.bola"), run=would_attack), profile, None, {})
    assert found[0].status is Status.SKIP and "allow_active" in found[0].evidence


def test_terminal_text_is_inert():
    text = inert("\x1b[31mred\x1b]0;title\x07 [bold]markup[/bold]")
    assert "\x1b" not in text.plain and "\x07" not in text.plain and "[bold]" in text.plain
