"""The checks straight from the library, without notebooks: what `pipeline.py` compares the notebooks with.
Not a run path of the tool: `launch-audit run` goes through the workbook (workbook/pipeline.py) only. This
writes the same run folder through run_record.py, so the two are comparable."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from launch_audit.checks.base import Check
from launch_audit.checks.runner import EventHook, run_checks
from launch_audit.findings import Finding
from launch_audit.net import Network
from launch_audit.profile import Profile
from launch_audit.run_folder import RunFolder
from launch_audit.run_record import run_metadata, select_checks, write_findings_files, write_json


@dataclass
class AuditResult:
    run_dir: Path
    findings: list[Finding]
    run: dict[str, Any]

    @property
    def findings_json(self) -> Path:
        return self.run_dir / "findings.json"


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
