"""Problems, not instances: the founder's "Fix these first". Findings of one check with one fix are one
problem however many places it was seen (twelve cross-customer probes that leaked are one thing to fix),
ranked by business impact, then severity; each says who usually does it and roughly how long it takes.

Pure: from findings to rows; the report and the email render them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..findings import IMPACT_ORDER, Finding, Severity, Status, rank_risks

# who usually makes the fix, by stage; a few checks differ from their stage
WHO_BY_STAGE = {1: "developer", 2: "DNS/hosting panel", 3: "developer", 4: "developer", 5: "developer",
                6: "founder with the developer", 7: "founder"}
WHO_BY_CHECK = {
    "S1.secrets_in_repo": "developer (then rotate the keys in each provider's dashboard)",
    "S1.secrets_in_history": "developer (then rotate the keys in each provider's dashboard)",
    "S1.secrets_in_ci_logs": "developer (then rotate the keys in each provider's dashboard)",
    "S1.subdomain_inventory": "DNS/hosting panel", "S2.mixed_content": "developer",
    "S3.security_headers": "developer", "S6.alerting": "founder",
}
# a rough effort, by how the fix is usually made: a setting, a code change, a design change
EFFORT_BY_STAGE = {1: "an hour or two", 2: "under an hour", 3: "an hour or two", 4: "half a day",
                   5: "half a day", 6: "an hour", 7: "an hour"}
EFFORT_BY_CHECK = {
    "S1.secrets_in_repo": "an hour per key (rotate, then remove)", "S1.secrets_in_history": "an hour per key",
    "S4.bola": "a day: an ownership check on every object route", "S4.bfla": "half a day",
    "S5.cross_customer_leak": "a day: scope the bot's tools to the signed-in customer",
    "S5.unauthorized_tools": "half a day", "S5.injection_via_content": "a day",
}
_SEVERITY_RANK = {s: i for i, s in enumerate(Severity)}
_IMPACT_RANK = {imp: i for i, imp in enumerate(IMPACT_ORDER)}
_STATUS_RANK = {Status.FAIL: 0, Status.WARN: 1, Status.ERROR: 2, Status.MANUAL: 3}


@dataclass
class Problem:
    check_id: str
    stage: int
    title: str
    fix: str
    instances: list[Finding] = field(default_factory=list)

    @property
    def worst(self) -> Finding:
        """The instance that ranks the problem: the most damaging status, severity and impact."""
        return min(self.instances, key=lambda f: (_STATUS_RANK.get(f.status, 9), _SEVERITY_RANK[f.severity],
                                                  _IMPACT_RANK[f.impact]))

    @property
    def count(self) -> int:
        return len(self.instances)

    @property
    def examples(self) -> list[Finding]:
        """One or two places it was seen, different targets first."""
        seen: dict[str, Finding] = {}
        for f in self.instances:
            seen.setdefault(f.target, f)
        return list(seen.values())[:2]

    @property
    def who(self) -> str:
        return WHO_BY_CHECK.get(self.check_id, WHO_BY_STAGE.get(self.stage, "developer"))

    @property
    def effort(self) -> str:
        return EFFORT_BY_CHECK.get(self.check_id, EFFORT_BY_STAGE.get(self.stage, "an hour or two"))

    def sort_key(self) -> tuple:
        w = self.worst
        return (_STATUS_RANK.get(w.status, 9) > 1, _IMPACT_RANK[w.impact], _SEVERITY_RANK[w.severity],
                _STATUS_RANK.get(w.status, 9), -self.count, self.check_id, self.title)


def group_problems(findings: list[Finding]) -> list[Problem]:
    """Every finding that needs attention (fail, warn, error, manual), one problem per check and fix,
    failures and warnings first, then by business impact, severity and how often it was seen."""
    problems: dict[tuple[str, str, str], Problem] = {}
    for f in rank_risks(findings):
        fix = f.remediation or ""
        # one root cause: the check, its title and the fix it asks for (errors say why instead)
        key = (f.check_id, f.title, fix if f.status is not Status.ERROR else "error")
        if key not in problems:
            problems[key] = Problem(f.check_id, f.stage, f.title, fix)
        problems[key].instances.append(f)
    return sorted(problems.values(), key=Problem.sort_key)


def stage_sentence(stage: int, title: str, findings: list[Finding]) -> str:
    """One sentence per stage: "Stage 4 (API controls): 5 problems to fix, the worst high; 18 checks passed;
    2 could not be tested"."""
    mine = [f for f in findings if f.stage == stage]
    if not mine:
        return f"Stage {stage} ({title}): not run."
    problems = [p for p in group_problems(mine) if p.worst.status in (Status.FAIL, Status.WARN)]
    statuses = Counter(f.status for f in mine)
    passed = len({f.check_id for f in mine if f.status is Status.PASS})
    parts = []
    if problems:
        worst = min((p.worst.severity for p in problems), key=_SEVERITY_RANK.__getitem__)
        parts.append(f"{len(problems)} problem{'s' * (len(problems) != 1)} to fix, the worst {worst.value}")
    else:
        parts.append("nothing to fix")
    parts.append(f"{passed} check{'s' * (passed != 1)} passed")
    untested = statuses[Status.SKIP] + statuses[Status.ERROR]
    if untested:
        parts.append(f"{untested} result{'s' * (untested != 1)} could not be tested (see the stage)")
    if statuses[Status.MANUAL]:
        parts.append(f"{statuses[Status.MANUAL]} to confirm by hand")
    return f"Stage {stage} ({title}): " + "; ".join(parts) + "."
