"""One audit of one client: run the checks, write the run folder. The CLI and notebooks call this."""

from __future__ import annotations

import asyncio
import hashlib
import json
import platform
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from . import __version__
from .checks import catalog
from .checks.base import Check
from .checks.runner import EventHook, run_checks
from .findings import Finding, rank_risks, status_counts
from .net import Network
from .profile import Profile
from .run_folder import RunFolder
from .writers import write_findings_csv, write_findings_json, write_sarif


@dataclass
class AuditResult:
    run_dir: Path
    findings: list[Finding]
    run: dict[str, Any]

    @property
    def findings_json(self) -> Path:
        return self.run_dir / "findings.json"


def select_checks(stages: list[int] | None = None) -> list[Check]:
    return [c for c in catalog.automated() if stages is None or c.stage in stages]


async def audit_async(profile: Profile, checks: list[Check], on_event: EventHook | None = None,
                      shared: dict[str, Any] | None = None) -> tuple[list[Finding], dict[str, Any]]:
    """Run ``checks`` with one network layer; returns the findings and what the run sent."""
    async with Network(profile) as net:
        findings = await run_checks(profile, checks, net=net, shared=shared, on_event=on_event)
        traffic = {"requests_sent": net.requests_sent,
                   "connections": dict(net.backend.connections),
                   "refused_out_of_scope": sorted(set(net.scope.refused))}
    return findings, traffic


def write_findings_files(work: Path, client: str, run_id: str, findings: list[Finding], redactor) -> None:
    """findings.json, findings.csv and findings.sarif: the same findings, three readers."""
    write_findings_json(work / "findings.json", client, run_id, findings, redactor)
    write_findings_csv(work / "findings.csv", findings, redactor)
    write_sarif(work / "findings.sarif", findings, redactor, run_id)


def run_metadata(profile: Profile, run_id: str, started: datetime, stages: list[int],
                 findings: list[Finding]) -> dict[str, Any]:
    return {
        "client": profile.client,
        "run_id": run_id,
        "profile": str(profile.source) if profile.source else None,
        "profile_sha256": _profile_hash(profile),
        "versions": {"launch_audit": __version__, "python": platform.python_version()},
        "started": started.isoformat(),
        "finished": datetime.now(timezone.utc).isoformat(),
        "stages": stages,
        "checks": [c.id for c in select_checks(stages)],
        "not_automated": [c.id for c in catalog.CATALOG.values() if c.run is None and c.stage in stages],
        "counts": status_counts(findings),
        "durations_ms": {f.check_id: f.details.get("check_duration_ms") for f in findings},
        "risks": len(rank_risks(findings)),
        "errors": [{"check_id": f.check_id, "target": f.target, "kind": str(f.error_kind), "why": f.evidence}
                   for f in findings if f.status == "error"],
        "profile_summary": profile_summary(profile),
    }


def profile_summary(profile: Profile) -> dict[str, Any]:
    """What reports need from the profile. Profiles hold no secret values, only variable names."""
    return {
        "domain": profile.domain, "canonical": profile.canonical, "subdomains": list(profile.subdomains),
        "founder": profile.founder.name if profile.founder else None,
        "p95_budget_ms": profile.monitoring.p95_budget_ms,
        "handover": profile.handover.model_dump(mode="json") if profile.handover else {},
        "attest": {k: v.model_dump(mode="json") for k, v in profile.attest.items()},
    }


def run_audit(profile: Profile, outputs_root: Path, *, stages: list[int] | None = None,
              on_event: EventHook | None = None) -> AuditResult:
    """The checks straight from the library, without notebooks (benchmarks compare the two paths)."""
    folder = RunFolder(outputs_root, profile.client)
    work = folder.open()
    started = datetime.now(timezone.utc)
    checks = select_checks(stages)
    findings, traffic = asyncio.run(audit_async(profile, checks, on_event, {}))
    write_findings_files(work, profile.client, folder.run_id, findings, profile.redactor)
    run = run_metadata(profile, folder.run_id, started, sorted({c.stage for c in checks}), findings)
    run["traffic"] = traffic
    write_json(work / "run.json", profile.redactor.value(run))
    # an exception above leaves the .partial folder, which nothing mistakes for a finished run
    run_dir = folder.commit()
    return AuditResult(run_dir, findings, run)


def write_json(path: Path, data: object) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)


def _profile_hash(profile: Profile) -> str | None:
    if profile.source and Path(profile.source).is_file():
        return hashlib.sha256(Path(profile.source).read_bytes()).hexdigest()
    return None
