"""The finding: one outcome of one check on one target, and the ranking of risks."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    ERROR = "error"
    SKIP = "skip"
    MANUAL = "manual"


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    def lower(self) -> Severity:
        order = list(Severity)
        return order[min(order.index(self) + 1, len(order) - 1)]


class Impact(StrEnum):
    """The business-impact classes the roadmap ranks risks by (checks.md)."""

    BROKEN_LAUNCH_PATH = "broken_launch_path"
    DATA_EXPOSURE = "data_exposure"
    SPAM = "spam"
    DOWNTIME = "downtime"
    COST_ABUSE = "cost_abuse"


class Mode(StrEnum):
    OFFLINE = "offline"
    PASSIVE = "passive"
    ACTIVE = "active"
    ATTESTED = "attested"


class ErrorKind(StrEnum):
    """Why a check could not run: the target's doing, or ours. Never mixed up."""

    TARGET = "target"      # timeout, refused, DNS failure, garbage, throttled
    TOOL = "tool"          # a bug in launch-audit


@dataclass
class Finding:
    check_id: str
    stage: int
    title: str
    status: Status
    severity: Severity
    impact: Impact
    target: str
    evidence: str = ""
    remediation: str = ""
    duration_ms: int = 0
    # additions to the contract's fields (outputs.md allows adding, never renaming)
    error_kind: ErrorKind | None = None
    location: dict[str, Any] | None = None     # {"path": ..., "line": ...} for file findings
    details: dict[str, Any] = field(default_factory=dict)   # structured evidence (DNS map, redirect hops…)

    @property
    def key(self) -> str:
        """Identity across runs (re-audit diffs): the check and what it looked at."""
        return f"{self.check_id}|{self.target}"

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for k in ("status", "severity", "impact", "error_kind"):
            d[k] = None if d[k] is None else str(d[k])
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Finding:
        d = dict(d)
        d["status"] = Status(d["status"])
        d["severity"] = Severity(d["severity"])
        d["impact"] = Impact(d["impact"])
        d["error_kind"] = ErrorKind(d["error_kind"]) if d.get("error_kind") else None
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in d.items() if k in known})


def finding_of(check: Any, status: Status | str, target: str, evidence: str = "", *, title: str | None = None,
               severity: Severity | str | None = None, remediation: str | None = None,
               details: dict[str, Any] | None = None, location: dict[str, Any] | None = None,
               error_kind: ErrorKind | None = None, impact: Impact | None = None, duration_ms: int = 0) -> Finding:
    """The one way a finding is made, for a check (anything with the catalog's id, stage, title, severity,
    impact and remediation): a pass or skip is info, a warn one step below the check's severity, a fail or
    error the check's own; an error is the target's fault unless it says otherwise."""
    status = Status(status)
    if severity is not None:
        sev = Severity(severity)
    elif status in (Status.PASS, Status.SKIP):
        sev = Severity.INFO
    elif status is Status.WARN:
        sev = check.severity.lower()
    else:
        sev = check.severity
    return Finding(
        check_id=check.id, stage=check.stage, title=title or check.title, status=status, severity=sev,
        impact=impact or check.impact, target=target, evidence=evidence,
        remediation=check.remediation if remediation is None else remediation, duration_ms=duration_ms,
        details=details or {}, location=location,
        error_kind=error_kind or (ErrorKind.TARGET if status is Status.ERROR else None),
    )


# --- ranking -----------------------------------------------------------------

# What the founder should fix first: confirmed problems before weaker ones before
# the unknowns, then by severity, then by the kind of business damage.
_STATUS_RANK = {Status.FAIL: 0, Status.WARN: 1, Status.ERROR: 2, Status.MANUAL: 3}
_SEVERITY_RANK = {s: i for i, s in enumerate(Severity)}
IMPACT_ORDER = [
    Impact.DATA_EXPOSURE,        # customer data and keys out: legal and trust damage
    Impact.BROKEN_LAUNCH_PATH,   # customers cannot sign up, log in or pay
    Impact.COST_ABUSE,           # the bill runs away on day one
    Impact.DOWNTIME,
    Impact.SPAM,
]
_IMPACT_RANK = {imp: i for i, imp in enumerate(IMPACT_ORDER)}


def risk_sort_key(f: Finding) -> tuple:
    return (_STATUS_RANK.get(f.status, 9), _SEVERITY_RANK[f.severity], _IMPACT_RANK[f.impact], f.check_id, f.target)


def rank_risks(findings: list[Finding]) -> list[Finding]:
    """The risk list: every finding that needs attention, most damaging first."""
    return sorted((f for f in findings if f.status in _STATUS_RANK), key=risk_sort_key)


def status_counts(findings: list[Finding]) -> dict[str, int]:
    counts = {s.value: 0 for s in Status}
    for f in findings:
        counts[f.status.value] += 1
    return counts
