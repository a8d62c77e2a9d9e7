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


def run_audit(profile: Profile, outputs_root: Path, *, stages: list[int] | None = None,
              on_event: EventHook | None = None) -> AuditResult:
    folder = RunFolder(outputs_root, profile.client)
    work = folder.open()
    started = datetime.now(timezone.utc)
    checks = select_checks(stages)
    shared: dict[str, Any] = {}
    try:
        findings, traffic = asyncio.run(audit_async(profile, checks, on_event, shared))
        redactor = profile.redactor
        write_findings_json(work / "findings.json", profile.client, folder.run_id, findings, redactor)
        write_findings_csv(work / "findings.csv", findings, redactor)
        write_sarif(work / "findings.sarif", findings, redactor, folder.run_id)
        run = {
            "client": profile.client,
            "run_id": folder.run_id,
            "profile": str(profile.source) if profile.source else None,
            "profile_sha256": _profile_hash(profile),
            "versions": {"launch_audit": __version__, "python": platform.python_version()},
            "started": started.isoformat(),
            "finished": datetime.now(timezone.utc).isoformat(),
            "stages": sorted({c.stage for c in checks}),
            "checks": [c.id for c in checks],
            "not_automated": [c.id for c in catalog.CATALOG.values() if c.run is None
                              and (stages is None or c.stage in stages)],
            "counts": status_counts(findings),
            "durations_ms": {f.check_id: f.details.get("check_duration_ms") for f in findings},
            "risks": len(rank_risks(findings)),
            "errors": [{"check_id": f.check_id, "target": f.target, "kind": str(f.error_kind), "why": f.evidence}
                       for f in findings if f.status == "error"],
            "traffic": traffic,
        }
        (work / "run.json").write_text(json.dumps(redactor.value(run), indent=2) + "\n", encoding="utf-8")
    except BaseException:
        # the .partial folder stays for inspection; nothing mistakes it for a finished run
        raise
    run_dir = folder.commit()
    return AuditResult(run_dir, findings, run)


def _profile_hash(profile: Profile) -> str | None:
    if profile.source and Path(profile.source).is_file():
        return hashlib.sha256(Path(profile.source).read_bytes()).hexdigest()
    return None
