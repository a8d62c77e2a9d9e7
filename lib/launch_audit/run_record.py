"""What a run folder records besides the notebooks: run.json (who, when, which checks, what came of them)
and the findings in their three formats. Both run paths write through here."""

from __future__ import annotations

import hashlib
import platform
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from . import __version__
from .atomic import write_json_atomic
from .checks import catalog
from .checks.base import Check
from .findings import Finding, rank_risks, status_counts
from .profile import Profile
from .writers import write_findings_csv, write_findings_json, write_sarif


def select_checks(stages: list[int] | None = None) -> list[Check]:
    return [c for c in catalog.automated() if stages is None or c.stage in stages]


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


def write_json(path: Path, data: object) -> None:
    write_json_atomic(path, data)


def _profile_hash(profile: Profile) -> str | None:
    if profile.source and Path(profile.source).is_file():
        return hashlib.sha256(Path(profile.source).read_bytes()).hexdigest()
    return None
