"""Re-audit: what changed between two runs of the same client — fixed, new, still failing, changed
severity. Findings are matched by check id and target, or by a secret's fingerprint where there is one
(a key that moved to another file is the same key), never by evidence text."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .findings import Finding, Severity, Status
from .writers.findings_json import load_findings

OPEN = (Status.FAIL, Status.WARN)


def identity(f: Finding) -> tuple[str, str]:
    fp = f.details.get("fingerprint") if isinstance(f.details, dict) else None
    return (f.check_id, f"secret#{fp}") if fp else (f.check_id, f.target)


@dataclass
class RunDiff:
    old_run: str
    new_run: str
    fixed: list[Finding] = field(default_factory=list)           # old findings (open then, closed now)
    new: list[Finding] = field(default_factory=list)             # new findings (open now, not before)
    still: list[Finding] = field(default_factory=list)           # new findings, open in both
    changed: list[tuple[Finding, Finding]] = field(default_factory=list)   # (old, new): open in both, severity moved
    not_rechecked: list[Finding] = field(default_factory=list)   # open before; the check did not run now

    def as_dict(self) -> dict:
        brief = lambda f: {"check_id": f.check_id, "target": f.target, "status": str(f.status),  # noqa: E731
                           "severity": str(f.severity)}
        return {"old_run": self.old_run, "new_run": self.new_run,
                "fixed": [brief(f) for f in self.fixed], "new": [brief(f) for f in self.new],
                "still_failing": [brief(f) for f in self.still],
                "changed_severity": [{"old": brief(o), "new": brief(n)} for o, n in self.changed],
                "not_rechecked": [brief(f) for f in self.not_rechecked]}


def diff_findings(old: list[Finding], new: list[Finding], old_run: str = "", new_run: str = "") -> RunDiff:
    """Pure over two finding lists."""
    out = RunDiff(old_run, new_run)
    old_by = {identity(f): f for f in old}
    new_by = {identity(f): f for f in new}
    ran_now = {f.check_id for f in new}
    for key, o in old_by.items():
        if o.status not in OPEN:
            continue
        n = new_by.get(key)
        if n is None:
            (out.fixed if o.check_id in ran_now else out.not_rechecked).append(o)
        elif n.status not in OPEN:
            out.fixed.append(o)
        elif n.severity != o.severity:
            out.changed.append((o, n))
        else:
            out.still.append(n)
    for key, n in new_by.items():
        if n.status in OPEN and (key not in old_by or old_by[key].status not in OPEN):
            out.new.append(n)
    order = list(Severity)
    for bucket in (out.fixed, out.new, out.still, out.not_rechecked):
        bucket.sort(key=lambda f: (order.index(f.severity), f.check_id, f.target))
    return out


def diff_runs(old_dir: Path, new_dir: Path) -> RunDiff:
    old_doc, old = load_findings(Path(old_dir) / "findings.json")
    new_doc, new = load_findings(Path(new_dir) / "findings.json")
    return diff_findings(old, new, old_doc.get("run_id", Path(old_dir).name), new_doc.get("run_id", Path(new_dir).name))


def previous_run(run_dir: Path) -> Path | None:
    """The newest complete run of the same client before ``run_dir`` (sibling folders), if any."""
    run_dir = Path(run_dir).resolve()
    siblings = sorted(p for p in run_dir.parent.iterdir()
                      if p.is_dir() and not p.name.startswith(".") and p.name != "latest" and not p.is_symlink()
                      and (p / "findings.json").is_file() and p.name < run_dir.name.lstrip("."))
    return siblings[-1] if siblings else None


def diff_text(d: RunDiff) -> str:
    lines = [f"re-audit: {d.old_run} → {d.new_run}",
             f"  fixed {len(d.fixed)} · new {len(d.new)} · still failing {len(d.still)} · "
             f"severity changed {len(d.changed)} · not re-checked {len(d.not_rechecked)}"]
    for title, items in (("FIXED", d.fixed), ("NEW", d.new), ("STILL", d.still), ("NOT RE-CHECKED", d.not_rechecked)):
        for f in items:
            lines.append(f"  {title:15} {str(f.severity):8} {f.check_id:26} {f.target}")
    for o, n in d.changed:
        lines.append(f"  {'SEVERITY':15} {str(o.severity)}→{str(n.severity):8} {n.check_id:26} {n.target}")
    return "\n".join(lines)


def diff_json(d: RunDiff) -> str:
    return json.dumps(d.as_dict(), indent=2, ensure_ascii=False)
