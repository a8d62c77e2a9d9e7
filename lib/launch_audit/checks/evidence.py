"""No verdict without evidence: a check may only ``pass`` a target it observed something about.

What a check observed is counted for it, not claimed by it: its network view counts every HTTP answer,
TLS handshake and DNS answer (net/layer.py), and a check that reads files, commits, log lines, samples or
attested answers counts those with ``ctx.observe``. A finding may narrow this to its own target with
``details["tried"]`` (counts). The runner applies the rule below to every finding of every check, so no
check can pass for lack of input, whatever its own code does.
"""

from __future__ import annotations

from dataclasses import replace

from ..findings import Finding, Severity, Status


def tried_for(finding: Finding, observed: dict[str, int]) -> dict[str, int]:
    """What stands behind ``finding``: its own counts when it gave them, else all the check observed."""
    own = finding.details.get("tried")
    if isinstance(own, dict):
        return {str(k): int(v) for k, v in own.items() if isinstance(v, (int, float))}
    return dict(observed)


def require_observation(findings: list[Finding], observed: dict[str, int], needs: str = "") -> list[Finding]:
    """Pure: every finding carries what it rests on in ``details["tried"]``; a pass that rests on nothing
    becomes a ``skip`` that says so and names what in the profile would give the check something to look at."""
    out = []
    for f in findings:
        tried = tried_for(f, observed)
        if f.status is not Status.PASS:
            out.append(replace(f, details={**f.details, "tried": tried}))
            continue
        if sum(tried.values()) > 0:
            out.append(replace(f, details={**f.details, "tried": tried}))
            continue
        hint = f" {needs}." if needs else ""
        said = f" (the check's own words: {f.evidence})" if f.evidence else ""
        out.append(replace(
            f, status=Status.SKIP, severity=Severity.INFO,
            evidence=f"not passed: nothing was observed for {f.target}: no answer, record, file or sample "
                     f"was looked at.{hint}{said}",
            details={**f.details, "tried": tried, "unobserved_pass": True}))
    return out
