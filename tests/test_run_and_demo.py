"""A whole run: the run folder, the demo command a consultant types first, and nothing leaking out."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from launch_audit.cli import main
from launch_audit.run_folder import RunFolder
from tests.helpers import short_window_profile

ROOT = Path(__file__).resolve().parents[1]
FIRST = {"S2.dns_records", "S2.https_redirect", "S2.tls_certificate", "S6.health_endpoint"}


def _all_text(folder: Path) -> str:
    return "\n".join(p.read_text(errors="replace") for p in folder.rglob("*") if p.is_file())


def test_run_writes_a_complete_run_folder_and_leaks_no_secret(tmp_path, shop):
    # the one run path: `launch-audit run` through the workbook (stages 2 and 6 keep it short)
    profile = short_window_profile(shop, tmp_path)
    assert main(["run", str(profile), "--out", str(tmp_path), "--stages", "2,6"]) in (0, 1)
    run_dir = (tmp_path / "demo-shop" / "latest").resolve()
    assert {p.name for p in run_dir.iterdir()} >= {"findings.json", "findings.csv", "findings.sarif", "run.json"}
    assert not list((tmp_path / "demo-shop").glob(".*.partial"))
    doc = json.loads((run_dir / "findings.json").read_text())
    assert doc["client"] == "demo-shop" and doc["run_id"] == run_dir.name
    assert FIRST <= {f["check_id"] for f in doc["findings"]}
    run = json.loads((run_dir / "run.json").read_text())
    assert run["traffic"]["requests_sent"] > 0 and run["counts"]["fail"] >= 2
    text = _all_text(run_dir)
    leaked = [s[:6] for s in shop.known_secrets() if s in text]
    assert not leaked, f"secrets in the run folder (first chars): {leaked}"


def test_run_folder_is_published_atomically(tmp_path):
    folder = RunFolder(tmp_path, "acme", "2026-11-29T17-02-11Z")
    work = folder.open()
    (work / "findings.json").write_text("{}")
    assert not (tmp_path / "acme" / "2026-11-29T17-02-11Z").exists()       # nothing looks finished yet
    assert not (tmp_path / "acme" / "latest").exists()
    same_second = RunFolder(tmp_path, "acme", "2026-11-29T17-02-11Z")
    same_second.open()
    assert same_second.run_id != folder.run_id
    final = folder.commit()
    assert (tmp_path / "acme" / "latest").resolve() == final and (final / "findings.json").exists()


def test_read_only_outputs_give_a_clear_error_not_a_traceback(tmp_path, demo_profile, capsys):
    if os.geteuid() == 0:
        target = Path("/proc/launch-audit-outputs")        # root ignores permissions; /proc refuses writes
    else:
        target = tmp_path / "ro"
        target.mkdir(mode=0o500)
    code = main(["run", str(demo_profile.source), "--out", str(target), "--stages", "6"])
    err = capsys.readouterr().err
    assert code == 3 and "cannot write" in err and "Traceback" not in err


@pytest.mark.parametrize("argv", [["run"], ["run", "x.yaml", "--stages", "9"], ["nonsense"], ["run", "x.yaml", "--fail-on", "bad"]])
def test_bad_arguments_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert "Traceback" not in capsys.readouterr().err


def test_fail_on_sets_exit_code_1(tmp_path, shop):
    profile = str(short_window_profile(shop, tmp_path))
    assert main(["run", profile, "--out", str(tmp_path), "--stages", "2", "--fail-on", "high"]) == 1
    assert main(["run", profile, "--out", str(tmp_path), "--stages", "6", "--fail-on", "critical"]) == 0


def test_readme_first_command_runs_the_demo_end_to_end(tmp_path):
    # the command a consultant types first, as a real process, on the demo's fixed addresses
    proc = subprocess.run([sys.executable, "-m", "launch_audit.cli", "demo", "--out", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-2000:]
    match = re.search(r"Findings:\s+(\S+findings\.json)", proc.stdout)
    assert match, proc.stdout[-2000:]
    findings = json.loads(Path(match.group(1)).read_text())["findings"]
    assert FIRST <= {f["check_id"] for f in findings}
    assert any(f["status"] == "fail" for f in findings)
    # no secret the demo made (credentials, env files, repo history) in the outputs or the terminal
    state = ROOT / ".demo"
    values = [line.split("=", 1)[1] for name in ("credentials.env", "env/dev.env", "env/prod.env")
              for line in (state / name).read_text().splitlines() if "=" in line and not line.startswith("#")]
    history = subprocess.run(["git", "log", "-p", "--all"], cwd=state / "repo", capture_output=True, text=True).stdout
    values += re.findall(r"(?:sk_live_|sk_test_|AKIA|ghp_|sk-proj-)[A-Za-z0-9_-]{16,}", history)
    values = [v for v in values if len(v) >= 12 and not v.startswith("postgres://localhost")]
    assert len(values) > 8
    outputs = _all_text(tmp_path) + proc.stdout + proc.stderr
    assert not [v[:6] for v in values if v in outputs]
