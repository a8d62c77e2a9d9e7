"""The launch-readiness scorecard: met / not met / unknown, from findings (table-tested)."""

from __future__ import annotations

import pytest
from launch_audit.checks import catalog
from launch_audit.findings import Finding, Status
from launch_audit.workbook.scorecard import TARGETS, judge_target

T = {t.key: t for t in TARGETS}


def _f(check_id: str, status: str, evidence: str = "", details: dict | None = None) -> Finding:
    c = catalog.get(check_id)
    return Finding(c.id, c.stage, c.title, Status(status), c.severity, c.impact, "t", evidence, details=details or {})


LAT = {"summary": {"p95": 612.0, "n": 40}, "budget_ms": 500}


@pytest.mark.parametrize("key, findings, state, figure", [
    ("latency", [_f("S6.latency_p95", "fail", details=LAT)], "not_met", "p95 612 ms (budget 500 ms, 40 samples)"),
    ("latency", [_f("S6.latency_p95", "pass", details={**LAT, "summary": {"p95": 80.0, "n": 40}})], "met", "p95 80 ms"),
    ("latency", [], "unknown", "S6.latency_p95 not run"),
    ("latency", [_f("S6.latency_p95", "error")], "unknown", "S6.latency_p95: error"),
    ("availability", [_f("S6.availability", "pass", details={"ok_percent": 100.0}),
                      _f("S6.availability", "fail", "(prose the scorecard must not parse: 12.0 %)",
                         details={"ok_percent": 97.5}),
                      _f("S6.alerting", "fail")], "not_met", "lowest series 97.5 % of probes 2xx; alerting: fail"),
    ("availability", [_f("S6.availability", "pass", details={"ok_percent": 100.0}), _f("S6.alerting", "pass")],
     "met", "lowest series 100.0 % of probes 2xx; alerting: pass"),
    ("availability", [_f("S6.availability", "pass", details={"ok_percent": 100.0}), _f("S6.alerting", "manual")],
     "unknown", "alerting: manual"),
    ("email", [_f("S2.spf", "warn"), _f("S2.dkim", "pass"), _f("S2.dmarc", "pass")], "met",   # ~all is a warn
     "S2.spf: warn, S2.dkim: pass, S2.dmarc: pass"),
    ("email", [_f("S2.spf", "pass"), _f("S2.dkim", "fail"), _f("S2.dmarc", "pass")], "not_met", "S2.dkim"),
    ("secrets", [_f("S3.frontend_secrets", "fail"), _f("S3.frontend_secrets", "fail")], "not_met", "2 failing findings"),
    ("auth", [_f("S1.unauth_access", "pass")], "unknown", "S4.authn_required"),
])
def test_judge_target(key, findings, state, figure):
    result = judge_target(T[key], findings)
    assert result.state == state
    assert figure in result.figure


def test_the_five_targets_of_the_spec():
    assert [t.key for t in TARGETS] == ["availability", "latency", "secrets", "auth", "email"]
    assert all(cid in catalog.CATALOG for t in TARGETS for cid in t.checks)
