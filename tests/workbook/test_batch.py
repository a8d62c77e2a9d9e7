"""launch-audit batch: many clients, one failing or invalid never stops the others; local pool and Dask."""

from __future__ import annotations

import json
import re

import pytest
from launch_audit.cli import main
from launch_audit.workbook.batch import run_batch

from tests.conftest import TEST_LAYOUT
from tests.helpers import RawServer, dns_records, never_answer, short_window_profile

DEAD_DOMAIN = "deadshop.test"


@pytest.fixture(scope="module")
def dead_site(shop):
    """A whole site whose every host accepts connections and never answers."""
    server = RawServer(TEST_LAYOUT.ip(120), never_answer).start()
    zone = "\n".join(f"{name}. IN A {server.address}" for name in (DEAD_DOMAIN, f"www.{DEAD_DOMAIN}",
                                                                     f"api.{DEAD_DOMAIN}"))
    with dns_records(shop, zone):
        yield server
    server.stop()


def dead_profile(folder, server) -> str:
    path = folder / "dead.yaml"
    path.write_text(f"""
client: dead-shop
founder: {{name: Dee, email: dee@example.test}}
domain: {DEAD_DOMAIN}
canonical: https://www.{DEAD_DOMAIN}
subdomains: [api]
scope: {{hosts: [{DEAD_DOMAIN}, www.{DEAD_DOMAIN}, api.{DEAD_DOMAIN}], max_requests_per_second: 50}}
network:
  nameservers: ["{TEST_LAYOUT.nameserver}"]
  port_map: {{443: {server.port}, 80: {server.port}}}
  timeout_s: 0.5
api: {{base_url: https://api.{DEAD_DOMAIN}, health_path: /healthz}}
monitoring: {{samples: 6, window_s: 2}}
""")
    return path


def invalid_profile(folder) -> str:
    path = folder / "broken.yaml"
    path.write_text("client: Not A Slug!\ndomain: 42\nscope: {hosts: []}\n")
    return path


def test_batch_of_three_with_a_dead_site_and_an_invalid_profile(shop, dead_site, tmp_path, capsys):
    profiles = tmp_path / "clients"
    profiles.mkdir()
    short_window_profile(shop, profiles)
    dead_profile(profiles, dead_site)
    invalid_profile(profiles)
    out = tmp_path / "out"
    # When the folder is audited as a batch, two clients at a time, stages 2 and 6
    code = main(["batch", str(profiles), "--workers", "2", "--out", str(out), "--stages", "2,6"])
    captured = capsys.readouterr()
    # Then both valid clients have a complete run, the dead one full of errors, and the invalid one a clear line
    assert code == 2                                                   # bad input among the profiles
    demo_run = (out / "demo-shop" / "latest").resolve()
    dead_run = (out / "dead-shop" / "latest").resolve()
    for run in (demo_run, dead_run):
        assert {"findings.json", "report.html", "handover.html", "latency.csv", "run.json"} <= {p.name for p in run.iterdir()}
    dead = json.loads((dead_run / "findings.json").read_text())["findings"]
    errors = {f["check_id"] for f in dead if f["status"] == "error"}
    assert {"S2.https_redirect", "S2.tls_certificate", "S6.health_endpoint", "S6.availability"} <= errors
    assert any("no probe got an answer" in f["evidence"] for f in dead if f["check_id"] == "S6.availability")
    assert re.search(r"broken\.yaml:\d+: client: ", captured.err)
    assert "Batch summary" in captured.out and "invalid" in captured.out and "dead-shop" in captured.out
    assert "dead-shop: complete, with errors" in captured.err and "Traceback" not in captured.err
    assert str(demo_run / "report.html") in captured.out.replace("\n", "").replace("│", "").replace(" ", "")


def test_batch_on_a_dask_local_cluster(shop, tmp_path):
    distributed = pytest.importorskip("distributed")
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir(), two.mkdir()
    paths = [short_window_profile(shop, one), short_window_profile(shop, two)]
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        outcomes = run_batch(paths, tmp_path / "out", scheduler=cluster.scheduler_address, stages=[2])
    assert [o.status for o in outcomes] == ["complete", "complete"]
    runs = sorted(p for p in (tmp_path / "out" / "demo-shop").iterdir() if not p.name.startswith((".", "latest")))
    assert len(runs) == 2 and all((r / "report.html").is_file() for r in runs)


def test_missing_profile_path_is_reported_and_others_run(shop, tmp_path):
    path = short_window_profile(shop, tmp_path)
    outcomes = run_batch([tmp_path / "nope.yaml", path], tmp_path / "out", workers=1, stages=[7])
    by_status = {o.status: o for o in outcomes}
    assert "no such file" in by_status["invalid"].message and "complete" in by_status
