"""Re-audit diffs: matching rules as a table, and the demo shop against its hardened twin for real."""

from __future__ import annotations

from launch_audit.checks import catalog
from launch_audit.checks.runner import run_checks
from launch_audit.cli import main
from launch_audit.findings import Impact, Severity, Status, Finding
from launch_audit.reaudit import diff_findings, diff_runs, previous_run
from launch_audit.redact import Redactor
from launch_audit.writers import write_findings_json


def f(check: str, target: str, status: str = "fail", severity: str = "high", fp: str | None = None) -> Finding:
    return Finding(check, int(check[1]), "t", Status(status), Severity(severity), Impact.DATA_EXPOSURE, target,
                   details={"fingerprint": fp} if fp else {})


def test_diff_rules():
    old = [f("S2.hsts", "www"), f("S2.hsts", "app"), f("S1.secrets_in_repo", "a.py:3", fp="ab12"),
           f("S2.caa", "x", "warn", "medium"), f("S5.bola", "order"), f("S2.mx", "x", "pass")]
    new = [f("S2.hsts", "www", "pass"), f("S1.secrets_in_repo", "moved/b.py:9", fp="ab12"),
           f("S2.caa", "x", "fail", "high"), f("S2.mx", "x", "fail"), f("S3.source_maps", "app.js.map")]
    d = diff_findings(old, new)
    assert {(x.check_id, x.target) for x in d.fixed} == {("S2.hsts", "www"), ("S2.hsts", "app")}  # app: gone, check ran
    assert [(x.check_id, x.target) for x in d.still] == [("S1.secrets_in_repo", "moved/b.py:9")]  # same key, moved
    assert [(o.severity, n.severity) for o, n in d.changed] == [(Severity.MEDIUM, Severity.HIGH)]
    assert {x.check_id for x in d.new} == {"S2.mx", "S3.source_maps"}
    assert [x.check_id for x in d.not_rechecked] == ["S5.bola"]      # stage 5 did not run this time


IDS = ["S2.hsts", "S2.caa", "S2.dmarc", "S2.spf", "S3.security_headers", "S3.source_maps", "S4.cors",
       "S4.webhook_signature", "S1.exposed_files"]


async def test_demo_then_hardened_lists_the_fixes(demo_profile, hardened_profile, tmp_path, capsys):
    # Given a run of the demo shop and a later run of its hardened twin (same client folder)
    runs = []
    for name, profile in (("2026-11-01T10-00-00Z", demo_profile), ("2026-11-08T10-00-00Z", hardened_profile)):
        findings = await run_checks(profile, [catalog.get(i) for i in IDS])
        (tmp_path / name).mkdir()
        write_findings_json(tmp_path / name / "findings.json", "brightbrew", name, findings, Redactor())
        runs.append((tmp_path / name, findings))
    (old_dir, old), (new_dir, new) = runs
    d = diff_runs(old_dir, new_dir)
    # Then every open demo finding of these checks is fixed, nothing is new or still open
    open_before = {(x.check_id, x.target) for x in old if x.status in (Status.FAIL, Status.WARN)}
    assert open_before and {(x.check_id, x.target) for x in d.fixed} == open_before
    assert d.new == [] and d.still == [] and d.changed == []
    assert previous_run(new_dir) == old_dir and previous_run(old_dir) is None
    assert main(["diff", str(old_dir), str(new_dir)]) == 0
    assert f"fixed {len(open_before)}" in capsys.readouterr().out
    assert main(["diff", str(old_dir), str(tmp_path / "nope")]) == 2
