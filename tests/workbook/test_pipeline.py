"""launch-audit run through the stage notebooks: the run folder, hand-offs, reports, broken stages, SIGKILL."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
from launch_audit.checks import catalog
from launch_audit.cli import main
from launch_audit.workbook.pipeline import run_pipeline
from launch_audit.workbook.stages import NOTEBOOKS
from launch_audit.workspace import notebooks_dir

from tests.actionlint import actionlint
from tests.helpers import short_window_profile

ROOT = Path(__file__).resolve().parents[2]
RUN_FILES = {"findings.json", "findings.csv", "findings.sarif", "latency.csv", "report.html", "handover.html",
             "handover.md", "kit",
             "run.json", "notebooks"}


def test_run_writes_every_file_of_the_run_folder(demo_run):
    code, out, run_dir = demo_run
    assert code == 0
    assert {p.name for p in run_dir.iterdir()} >= RUN_FILES
    assert sorted(p.name for p in (run_dir / "notebooks").glob("0*.ipynb")) == sorted(NOTEBOOKS.values())
    assert not list((out / "demo-shop").glob(".*.partial"))
    run = json.loads((run_dir / "run.json").read_text())
    assert [s["stage"] for s in run["stage_runs"]] == list(range(1, 8))
    assert all(s["state"] == "complete" for s in run["stage_runs"])
    assert run["profile_sha256"] and run["versions"]["launch_audit"] and run["finished"] > run["started"]
    assert run["report_errors"] == {}


def test_findings_come_from_the_stage_handoffs(demo_run):
    _, _, run_dir = demo_run
    findings = json.loads((run_dir / "findings.json").read_text())["findings"]
    handed = [f for stage in range(1, 8)
              for f in json.loads((run_dir / "stages" / f"{stage:02d}.json").read_text())["findings"]]
    assert [(f["check_id"], f["target"], f["status"]) for f in findings] == \
           [(f["check_id"], f["target"], f["status"]) for f in handed]
    ids = {f["check_id"] for f in findings}
    assert {"S2.dns_records", "S6.availability", "S6.latency_p95", "S6.error_rate"} <= ids
    latency = next(f for f in findings if f["check_id"] == "S6.latency_p95")
    assert latency["status"] == "fail"           # the demo's order lookups are slow


def test_latency_csv_keeps_every_sample(demo_run):
    _, _, run_dir = demo_run
    with (run_dir / "latency.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["series", "started_at", "ms", "status", "error"]
    handoff = json.loads((run_dir / "stages" / "06.json").read_text())
    assert len(rows) == len(handoff["data"]["monitoring"]["samples"]) > 100
    assert {r["series"] for r in rows} >= {"chat", "health /healthz", "page /"}
    assert all(float(r["ms"]) > 0 for r in rows if r["status"] == "200")


def test_executed_notebooks_keep_their_outputs_and_parameters(demo_run):
    _, _, run_dir = demo_run
    nb = nbformat.read(run_dir / "notebooks" / NOTEBOOKS[6], as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and (str(run_dir.parent) in injected[0].source or ".partial" in injected[0].source)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert any("application/vnd.plotly.v1+json" in o.get("data", {}) for o in outputs)
    assert not [o for o in outputs if o.output_type == "error"]


def test_nothing_secret_in_the_run_folder(demo_run, shop):
    _, _, run_dir = demo_run
    text = "\n".join(p.read_text(errors="replace") for p in run_dir.rglob("*") if p.is_file())
    leaked = [s[:6] for s in shop.known_secrets() if s in text]
    assert not leaked, f"secrets in the run folder (first chars): {leaked}"


def test_report_is_offline_and_self_contained(demo_run):
    _, _, run_dir = demo_run
    html = (run_dir / "report.html").read_text()
    assert html.count("plotly.js v") <= 2                   # the library once (its banner names the version)
    assert not re.search(r"<script[^>]+src=", html)        # plotly.js inline, no CDN tag
    assert not re.search(r"<link[^>]+href=[\"']https?:", html)
    assert "Content-Security-Policy" in html
    assert "def " not in re.sub(r"<script.*?</script>", "", html, flags=re.S)   # code cells hidden


def test_report_command_rebuilds_without_probing(demo_run, shop, capsys):
    _, _, run_dir = demo_run
    before = json.loads((run_dir / "findings.json").read_text())
    hits = sum(shop.state.hits.values())
    (run_dir / "report.html").unlink()
    assert main(["report", str(run_dir)]) == 0
    assert (run_dir / "report.html").stat().st_size > 100_000
    assert json.loads((run_dir / "findings.json").read_text()) == before
    assert sum(shop.state.hits.values()) == hits             # no request reached the shop


def test_report_of_a_folder_that_is_not_a_run_is_bad_input(tmp_path, capsys):
    assert main(["report", str(tmp_path)]) == 2
    assert "not a run folder" in capsys.readouterr().err


def test_a_broken_stage_notebook_is_recorded_and_the_run_goes_on(shop, tmp_path):
    # Given a copy of the notebooks where stage 3 raises before running its checks
    nb_dir = tmp_path / "notebooks"
    shutil.copytree(notebooks_dir(), nb_dir)
    nb = nbformat.read(nb_dir / NOTEBOOKS[3], as_version=4)
    at = next(i for i, c in enumerate(nb.cells) if c.source.strip() == "stage.run()")
    nb.cells.insert(at, nbformat.v4.new_code_cell('raise RuntimeError("injected: the client API changed")'))
    nbformat.write(nb, nb_dir / NOTEBOOKS[3])
    # When stages 2, 3 and 7 run
    result = run_pipeline(short_window_profile(shop, tmp_path), tmp_path / "out", stages=[2, 3, 7], notebooks=nb_dir)
    # Then stage 3 is recorded as broken with the reason, the others completed
    runs = {r["stage"]: r for r in result.run["stage_runs"]}
    assert runs[3]["state"] == "broken" and "RuntimeError: injected: the client API changed" in runs[3]["error"]
    assert runs[2]["state"] == "complete" and runs[7]["state"] == "complete"
    run_json = json.loads((result.run_dir / "run.json").read_text())
    assert run_json["stage_runs"][1]["state"] == "broken"
    # its checks are error findings that say why; stage 2's findings are all there
    s3 = [f for f in result.findings if f.stage == 3]
    assert {f.check_id for f in s3} == {c.id for c in catalog.for_stage(3) if c.run is not None}
    assert all(f.status == "error" and "notebook broke" in f.evidence and f.error_kind == "tool" for f in s3)
    assert any(f.check_id == "S2.tls_certificate" and f.status != "error" for f in result.findings)
    # the executed notebook carries papermill's banner; the report says it at the top
    executed = nbformat.read(result.run_dir / "notebooks" / NOTEBOOKS[3], as_version=4)
    assert "papermill-error-cell-tag" in executed.cells[0].metadata.get("tags", [])
    html = (result.run_dir / "report.html").read_text()
    banner = html.index("This run is incomplete")
    assert banner < html.index('id="scorecard"') and "Stage 3" in html[banner:banner + 400]


def test_sigkill_mid_run_leaves_latest_on_the_previous_complete_run(shop, tmp_path):
    profile = short_window_profile(shop, tmp_path, window_s=20)
    out = tmp_path / "out"
    # Given a complete earlier run
    assert main(["run", str(profile), "--out", str(out), "--stages", "7"]) == 0
    client = out / "demo-shop"
    previous = (client / "latest").resolve()
    # When a second run is killed with SIGKILL while stage 6 samples
    proc = subprocess.Popen([sys.executable, "-m", "launch_audit.cli", "run", str(profile), "--out", str(out),
                             "--stages", "2,6"], cwd=ROOT, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list(client.glob(".*.partial/stages/06.json")):
        time.sleep(0.2)
    assert list(client.glob(".*.partial/stages/06.json")), "the second run never reached stage 6"
    time.sleep(1.0)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(10)
    # Then latest still points at the complete run, and nothing unfinished looks like a run
    assert (client / "latest").resolve() == previous
    visible = sorted(p.name for p in client.iterdir() if not p.name.startswith("."))
    assert visible == sorted([previous.name, "latest"])
    partial = next(client.glob(".*.partial"))
    assert not (partial / "findings.json").exists() and not (partial / "report.html").exists()


def test_a_stage_notebook_explores_without_a_run_folder(shop, tmp_path):
    # As in JupyterLab: the notebook's own defaults, only the profile changed, no run folder
    from launch_audit.workbook.execute import execute
    out = tmp_path / "explored.ipynb"
    outcome = execute(notebooks_dir() / NOTEBOOKS[2], out, {"profile": str(shop.write_profile())},
                      cell_timeout_s=120)
    assert outcome.ok, outcome.error
    nb = nbformat.read(out, as_version=4)
    html = "".join(o.get("data", {}).get("text/html", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "S2.https_redirect" in html and "la-table" in html and "exploring: nothing is written" in html
    assert sorted(p.name for p in tmp_path.iterdir()) == ["explored.ipynb"]


def test_runs_never_move_the_process_working_directory(shop, tmp_path, monkeypatch):
    # stages run in threads of one process (and a batch worker runs client after client): a chdir into a
    # run's .partial folder would strand the process there once the folder is renamed
    moves: list[str] = []
    real_chdir = os.chdir
    monkeypatch.setattr(os, "chdir", lambda path: (moves.append(str(path)), real_chdir(path)))
    before = os.getcwd()
    profile = short_window_profile(shop, tmp_path)
    for _ in range(2):
        result = run_pipeline(profile, tmp_path / "out", stages=[3, 7])
        assert not result.broken and result.run["report_errors"] == {}
    # (papermill "restores" the directory it found, even when told no cwd: that is harmless)
    assert set(moves) <= {before} and os.getcwd() == before


def test_handover_markdown_copy_has_every_section(demo_run):
    _, _, run_dir = demo_run
    md = (run_dir / "handover.md").read_text()
    for heading in ("## Domain map", "### CDN and redirects", "## Deployment and rollback",
                    "## Production environment variables", "## Secrets found, and how to rotate them", "## Runbooks",
                    "## Who gets alerts, and what they do first", "## What keeps running: the founder's kit",
                    "### Repository secrets to set", "## Open risks"):
        assert heading in md
    assert "| OPENAI_API_KEY | Sam | **missing** |" in md and "**Stripe**" in md and "1. Dashboard" in md


def test_only_runs_the_named_checks_and_their_stages(shop, tmp_path, capsys):
    # the weekly deliverability re-run the kit schedules: ids and a prefix
    profile = short_window_profile(shop, tmp_path)
    code = main(["run", str(profile), "--out", str(tmp_path / "out"), "--only", "S2.spf,S2.dmarc,S3.source"])
    assert code == 0, capsys.readouterr().err
    run_dir = (tmp_path / "out" / "demo-shop" / "latest").resolve()
    run = json.loads((run_dir / "run.json").read_text())
    assert run["stages"] == [2, 3] and run["only"] == ["S2.spf", "S2.dmarc", "S3.source_maps"]
    assert run["checks"] == run["only"]
    found = {f["check_id"] for f in json.loads((run_dir / "findings.json").read_text())["findings"]}
    assert found == {"S2.spf", "S2.dmarc", "S3.source_maps"}
    assert sorted(p.name for p in (run_dir / "notebooks").glob("0*.ipynb")) == ["02_domain_email.ipynb",
                                                                               "03_deployment.ipynb"]
    assert (run_dir / "report.html").is_file()


def test_only_with_an_unknown_id_is_bad_input_before_anything_runs(shop, tmp_path, capsys):
    profile = short_window_profile(shop, tmp_path)
    assert main(["run", str(profile), "--out", str(tmp_path / "out"), "--only", "S2.spf,S9.nothing"]) == 2
    assert "S9.nothing (no such check id or prefix)" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_every_run_folder_holds_the_founders_kit(demo_run):
    _, _, run_dir = demo_run
    workflows = sorted((run_dir / "kit" / ".github" / "workflows").glob("*.yml"))
    assert [w.name for w in workflows] == ["secret-scan.yml", "smoke.yml", "weekly-checks.yml"]
    assert actionlint(workflows) == []
    assert (run_dir / "kit" / ".launch-audit" / "demo-shop.yaml").is_file()
    assert (run_dir / "kit" / ".pre-commit-config.yaml").is_file()
    # the handover links to it and says how to switch each automation on
    handover = (run_dir / "handover.html").read_text()
    assert 'href="kit/README.md"' in handover and "Repository secrets to set" in handover
    assert "pre-commit install" in handover and "DEMO_USER_A_TOKEN" in handover
