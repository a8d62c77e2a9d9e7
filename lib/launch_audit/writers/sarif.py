"""findings.sarif: SARIF 2.1.0 for code-scanning tools (GitHub, GitLab, Azure DevOps)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from ..atomic import write_json_atomic
from .. import __version__
from ..catalog_rows import BY_ID
from ..findings import Finding, Severity, Status
from ..redact import Redactor

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

_LEVEL = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning",
          Severity.LOW: "note", Severity.INFO: "note"}
_KIND = {Status.FAIL: "fail", Status.WARN: "fail", Status.PASS: "pass", Status.SKIP: "notApplicable",
         Status.ERROR: "open", Status.MANUAL: "review"}
# GitHub reads this property to sort alerts
_SECURITY_SEVERITY = {Severity.CRITICAL: "9.5", Severity.HIGH: "8.0", Severity.MEDIUM: "5.5",
                      Severity.LOW: "3.0", Severity.INFO: "0.0"}


def _level(f: Finding) -> str:
    if f.status is Status.FAIL:
        return _LEVEL[f.severity]
    if f.status is Status.WARN:
        return "warning" if _LEVEL[f.severity] == "error" else "note"
    return "none"


def _rule(check_id: str) -> dict[str, Any]:
    check = BY_ID[check_id]
    return {
        "id": check.id,
        "name": check.name,
        "shortDescription": {"text": check.title},
        "fullDescription": {"text": f"Stage {check.stage} ({check.mode}) check: {check.title}."},
        "help": {"text": check.remediation or check.title},
        "defaultConfiguration": {"level": _LEVEL[check.severity]},
        "properties": {"stage": check.stage, "mode": str(check.mode), "impact": str(check.impact),
                       "security-severity": _SECURITY_SEVERITY[check.severity], "tags": ["security", str(check.impact)]},
    }


def _location(f: Finding) -> dict[str, Any]:
    if f.location and f.location.get("path"):
        phys: dict[str, Any] = {"artifactLocation": {"uri": str(f.location["path"])}}
        if f.location.get("line"):
            phys["region"] = {"startLine": int(f.location["line"])}
        return {"physicalLocation": phys}
    return {"logicalLocations": [{"fullyQualifiedName": f.target, "kind": "resource"}]}


def sarif_document(findings: list[Finding], redactor: Redactor, run_id: str = "") -> dict[str, Any]:
    rule_ids = sorted({f.check_id for f in findings if f.check_id in BY_ID})
    index = {rid: i for i, rid in enumerate(rule_ids)}
    results = []
    for f in findings:
        if f.check_id not in index:
            continue
        message = redactor.text(f"{f.title}: {f.evidence}" if f.evidence else f.title)
        results.append({
            "ruleId": f.check_id,
            "ruleIndex": index[f.check_id],
            "kind": _KIND[f.status],
            "level": _level(f),
            "message": {"text": message},
            "locations": [redactor.value(_location(f))],
            "partialFingerprints": {"launchAudit/v1": hashlib.sha256(f.key.encode()).hexdigest()[:32]},
            "properties": {"status": str(f.status), "severity": str(f.severity), "impact": str(f.impact),
                           "target": redactor.text(f.target)},
        })
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "launch-audit", "version": __version__, "semanticVersion": __version__,
                                "rules": [_rule(r) for r in rule_ids]}},
            "automationDetails": {"id": f"launch-audit/{run_id}"} if run_id else {"id": "launch-audit/"},
            "results": results,
        }],
    }


def write_sarif(path: Path, findings: list[Finding], redactor: Redactor, run_id: str = "") -> Path:
    return write_json_atomic(path, sarif_document(findings, redactor, run_id))
