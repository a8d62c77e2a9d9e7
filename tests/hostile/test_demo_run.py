"""The demo's full run (the session's `demo_run`, all seven stages in their kernels) seen from the shop:
every request within its check's budget and every host within the profile's pace, and nothing secret on
the consultant's terminal."""

from __future__ import annotations

import re

from launch_audit.profile_loader import load_profile

from tests.hostile.hostile_site import within_pace, requests_per_check


def test_budgets_and_pace_hold_over_a_full_demo_run(demo_run, shop):
    scope = load_profile(shop.write_profile()).scope
    requests = demo_run.requests
    assert demo_run[0] == 0 and len(requests) > 500
    per_check = requests_per_check(requests)
    assert "?" not in per_check, "a request did not say which check sent it"
    assert len(per_check) > 30
    assert max(per_check.values()) <= scope.max_requests_per_check, per_check.most_common(3)
    assert within_pace(requests, scope.max_requests_per_second) == {}


def test_no_secret_of_the_demo_reaches_the_terminal(demo_run, shop):
    terminal = demo_run.terminal
    assert "Report:" in terminal
    for secret in shop.known_secrets():
        assert secret not in terminal, f"{secret[:6]}… printed on the terminal"
    assert "\x1b" not in terminal


def test_the_demo_run_never_calls_the_setup_route_and_names_the_probe_that_froze_the_api(demo_run, shop):
    import json
    assert shop.state.reseeds == 0
    findings = json.loads((demo_run[2] / "findings.json").read_text())["findings"]
    outages = [f for f in findings if f["details"].get("outage")]
    assert [f["check_id"] for f in outages] == ["S4.input_validation"], [f["evidence"] for f in outages]
    assert "10,000-character `email` to PUT /api/me/email" in outages[0]["evidence"]
    assert outages[0]["details"]["outage"]["recovered"] and outages[0]["impact"] == "downtime"
    # nothing that fell into the stall is a verdict, or an error blamed on another check
    for f in findings:
        assert not (f["status"] == "error" and "Timeout" in f["evidence"]), f
    assert "stopped answering after one of our probes" in (demo_run[2] / "report.html").read_text()
    # and the consultant's terminal said so while the run waited
    assert re.search(r"api\.brightbrew\.test stopped answering (for [\d.]+ s )?after a 10,000-character",
                     demo_run.terminal), demo_run.terminal[-2000:]
