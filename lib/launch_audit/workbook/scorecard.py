"""The launch-readiness scorecard (spec/checks.md): the seed's five targets, met / not met / unknown."""

from __future__ import annotations

from dataclasses import dataclass

from ..checks import catalog
from ..findings import Finding, Status


@dataclass(frozen=True)
class Target:
    key: str
    label: str
    checks: tuple[str, ...]


TARGETS = (
    Target("availability", "99.9 % availability, with alerting in place", ("S6.availability", "S6.alerting")),
    Target("latency", "p95 API latency under the budget for normal chat requests", ("S6.latency_p95",)),
    Target("secrets", "Zero exposed secrets in code or deployment history",
           ("S1.secrets_in_repo", "S1.secrets_in_history", "S1.secrets_in_ci_logs", "S3.frontend_secrets")),
    Target("auth", "100 % of production endpoints behind auth or explicit public rules",
           ("S1.unauth_access", "S4.authn_required")),
    Target("email", "SPF, DKIM and DMARC passing", ("S2.spf", "S2.dkim", "S2.dmarc")),
)


@dataclass(frozen=True)
class TargetResult:
    target: Target
    state: str          # met | not_met | unknown
    figure: str         # the number or reason behind the state


def _figure(target: Target, by_check: dict[str, list[Finding]]) -> str:
    if target.key == "latency":
        for f in by_check.get("S6.latency_p95", []):
            summary = f.details.get("summary")
            if summary:
                return f"p95 {summary['p95']:.0f} ms (budget {f.details.get('budget_ms', 500):g} ms, {summary['n']} samples)"
    if target.key == "availability":
        shares = [f.details["ok_percent"] for f in by_check.get("S6.availability", [])
                  if f.status in (Status.PASS, Status.FAIL) and isinstance(f.details.get("ok_percent"), (int, float))]
        alert = next((f.status.value for f in by_check.get("S6.alerting", [])), "not run")
        if shares:
            return f"lowest series {min(shares):.1f} % of probes 2xx; alerting: {alert}"
    failing = [f for cid in target.checks for f in by_check.get(cid, []) if f.status is Status.FAIL]
    if failing:
        ids = sorted({f.check_id for f in failing})
        return f"{len(failing)} failing finding{'s' * (len(failing) != 1)} ({', '.join(ids)})"
    return ", ".join(f"{cid}: {_state_of(by_check.get(cid, []))}" for cid in target.checks)


def _state_of(found: list[Finding]) -> str:
    if not found:
        return "not run"
    statuses = {f.status.value for f in found}
    return "/".join(sorted(statuses))


def judge_target(target: Target, findings: list[Finding]) -> TargetResult:
    """Pure: any fail → not met; every check run and passing (warn allowed) → met; else unknown, saying why."""
    by_check: dict[str, list[Finding]] = {}
    for f in findings:
        if f.check_id in target.checks:
            by_check.setdefault(f.check_id, []).append(f)
    if any(f.status is Status.FAIL for fs in by_check.values() for f in fs):
        return TargetResult(target, "not_met", _figure(target, by_check))
    missing = [cid for cid in target.checks if cid not in by_check]
    unclear = [cid for cid, fs in by_check.items()
               if any(f.status not in (Status.PASS, Status.WARN) for f in fs)]
    if not missing and not unclear:
        return TargetResult(target, "met", _figure(target, by_check))
    reasons = []
    for cid in missing:
        automated = catalog.get(cid).run is not None
        reasons.append(f"{cid} {'not run' if automated else 'not automated yet'}")
    for cid in unclear:
        reasons.append(f"{cid}: {_state_of(by_check[cid])}")
    return TargetResult(target, "unknown", "; ".join(reasons))


def scorecard(findings: list[Finding]) -> list[TargetResult]:
    return [judge_target(t, findings) for t in TARGETS]
