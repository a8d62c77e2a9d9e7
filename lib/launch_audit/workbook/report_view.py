"""What report.ipynb calls: the founder's report, section by section, from a run folder."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import plotly.graph_objects as go

from ..checks import catalog
from ..findings import IMPACT_ORDER, Finding, Severity, Status, rank_risks
from ..redact import Redactor
from .charts import latency_figures
from .display import (
    IMPACT_LABELS,
    HTMLView,
    badge,
    counts_html,
    esc,
    risk_list_html,
)
from .problems import group_problems, stage_sentence
from .run_view import RunView, load_run
from .scorecard import scorecard
from .stages import SECTIONS, stage_title

STATE_LABEL = {"met": ("MET", "#1e6b34", "#e6f4ea"), "not_met": ("NOT MET", "#a50e0e", "#fce8e6"),
               "unknown": ("UNKNOWN", "#5f6368", "#f1f3f4")}
FIX_FIRST = 15             # problems in the founder's five-minute read; the rest follow below
SEVERITY_COLOURS = {"critical": "#a50e0e", "high": "#d93025", "medium": "#e8710a", "low": "#f9ab00", "info": "#9aa0a6"}


class Report:
    def __init__(self, run_dir: str | Path) -> None:
        self.view: RunView = load_run(run_dir)
        self.redactor = Redactor()      # findings are redacted already; this catches secret-shaped leftovers

    @property
    def findings(self) -> list[Finding]:
        return self.view.findings

    def header(self) -> HTMLView:
        run, summary = self.view.run, self.view.run.get("profile_summary", {})
        stages = ", ".join(str(s) for s in run.get("stages", []))
        return HTMLView(
            f'<div class="la-header"><h1>Launch readiness: {esc(summary.get("domain", self.view.client))}</h1>'
            f'<p>Client <b>{esc(self.view.client)}</b> · run <code>{esc(self.view.run_id)}</code> · '
            f'{esc(run.get("finished", run.get("started", ""))[:16].replace("T", " "))} UTC · stages {esc(stages)}'
            + (f' · prepared for {esc(summary["founder"])}' if summary.get("founder") else "")
            + f"</p>{counts_html(self.findings)}</div>")

    def broken_stages(self) -> HTMLView:
        """At the very top: which stage broke and why, and any probe of ours that made the target stop
        answering (empty when every stage completed and the target kept answering)."""
        broken = [s for s in self.view.run.get("stage_runs", []) if s.get("state") != "complete"]
        outages = [f for f in self.findings if f.details.get("outage")]
        if not broken and not outages:
            return HTMLView("")
        items = "".join(
            f"<li><b>Stage {esc(s['stage'])} ({esc(stage_title(int(s['stage'])))})</b> broke: {esc(s.get('error', ''))}"
            f" — its unfinished checks are reported as <code>error</code>; see <code>{esc(s.get('notebook', ''))}</code>"
            "</li>" for s in broken)
        for f in outages:
            o = f.details["outage"]
            after = ("it answered again; requests that fell into the outage were not judged" if o.get("recovered")
                     else "it did not answer again: the remaining active checks on it were skipped")
            items += (f"<li><b>{esc(o.get('host', ''))} stopped answering after one of our probes</b>: "
                      f"{esc(self.redactor.text(o.get('probe', '')))} ({esc(f.check_id)}); {after}.</li>")
        incomplete = broken or any(not f.details["outage"].get("recovered") for f in outages)
        head = "This run is incomplete." if incomplete else "A probe made the target stop answering."
        return HTMLView(f'<div class="la-banner"><b>{head}</b><ul>{items}</ul></div>')

    def scorecard(self) -> HTMLView:
        rows = []
        for result in scorecard(self.findings):
            label, fg, bg = STATE_LABEL[result.state]
            checks = ", ".join(result.target.checks)
            rows.append(f'<tr class="la-score la-score-{result.state}"><td>{esc(result.target.label)}'
                        f'<div class="la-note">{esc(checks)}</div></td>'
                        f'<td><span class="la-badge" style="background:{bg};color:{fg}">{label}</span></td>'
                        f"<td>{esc(result.figure)}</td></tr>")
        return HTMLView('<table class="la-table la-scorecard" id="scorecard"><thead><tr><th>Launch target</th>'
                        "<th>State</th><th>Figure</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>")

    def risks(self, top: int | None = 25) -> HTMLView:
        return HTMLView(risk_list_html(self.findings, self.redactor, top))

    def fix_first(self, top: int = FIX_FIRST) -> HTMLView:
        """The founder's five-minute read: the problems to fix first, one row per check and fix with how
        often it was seen, an example or two, the fix, who usually does it and a rough effort."""
        problems = [p for p in group_problems(self.findings) if p.worst.status in (Status.FAIL, Status.WARN)]
        if not problems:
            return HTMLView('<p class="la-empty">Nothing to fix: no check failed or warned.</p>')
        r = self.redactor
        rows = "".join(
            f'<tr class="la-problem"><td>{i}</td><td>{badge(p.worst.status)} {esc(p.worst.severity.value)}<br>'
            f'<span class="la-note">{esc(IMPACT_LABELS.get(p.worst.impact.value, p.worst.impact.value))}</span></td>'
            f'<td><b>{esc(p.title, r)}</b><div class="la-note"><code>{esc(p.check_id)}</code> · '
            f'<span class="la-seen">seen in {p.count} place{"s" * (p.count != 1)}</span>: '
            f'{esc("; ".join(f.target for f in p.examples), r, 240)}</div></td>'
            f'<td class="la-fix">{esc(p.fix or p.worst.evidence, r, 500)}</td>'
            f"<td>{esc(p.who)}</td><td>{esc(p.effort)}</td></tr>"
            for i, p in enumerate(problems[:top], 1))
        more = (f'<p class="la-note">{len(problems) - top} more problems, and every place each was seen, in '
                "<a href=\"#every-problem\">Every problem</a> below.</p>" if len(problems) > top else
                '<p class="la-note">Every place each was seen: <a href="#every-problem">Every problem</a> below.</p>')
        return HTMLView('<table class="la-table la-fix-first" id="fix-first"><thead><tr><th>#</th><th>How bad</th>'
                        "<th>Problem</th><th>Fix</th><th>Who</th><th>Effort</th></tr></thead><tbody>" + rows
                        + "</tbody></table>" + more)

    def stage_summaries(self) -> HTMLView:
        """One sentence per stage of the run."""
        stages = self.view.run.get("stages", sorted({f.stage for f in self.findings}))
        items = "".join(f"<li>{esc(stage_sentence(int(s), stage_title(int(s)), self.findings))}</li>"
                        for s in stages)
        return HTMLView(f'<ul class="la-stage-summary">{items}</ul>')

    def problems(self) -> HTMLView:
        """Every problem, each with every place it was seen (collapsed: open one to see its instances)."""
        problems = group_problems(self.findings)
        if not problems:
            return HTMLView('<p class="la-empty">No open risks.</p>')
        r = self.redactor
        parts = []
        for i, p in enumerate(problems, 1):
            instances = "".join(
                f'<li>{badge(f.status)} <span class="la-target">{esc(f.target, r, 200)}</span>'
                f'<div class="la-evidence">{esc(f.evidence, r, 600)}</div></li>' for f in p.instances)
            fix = f'<div class="la-fix"><b>Fix:</b> {esc(p.fix, r, 600)}</div>' if p.fix else ""
            parts.append(
                f'<details class="la-problem-detail"><summary>{i}. {badge(p.worst.status)} '
                f"<b>{esc(p.title, r)}</b> <code>{esc(p.check_id)}</code> · {esc(p.worst.severity.value)} · "
                f'seen in {p.count} place{"s" * (p.count != 1)}</summary>{fix}<ol class="la-instances">{instances}'
                "</ol></details>")
        total = sum(p.count for p in problems)
        return HTMLView(f'<div id="every-problem"><p class="la-note">{len(problems)} problems, {total} places: open a '
                        "problem to see each place it was seen and the evidence.</p>" + "".join(parts) + "</div>")

    def risk_chart(self) -> go.Figure | None:
        """Open risks by business impact, stacked by severity."""
        risks = rank_risks(self.findings)
        if not risks:
            return None
        counts = Counter((f.impact, f.severity) for f in risks)
        impacts = [i for i in IMPACT_ORDER if any(k[0] == i for k in counts)]
        fig = go.Figure()
        for sev in Severity:
            ys = [counts.get((i, sev), 0) for i in impacts]
            if any(ys):
                fig.add_trace(go.Bar(y=[IMPACT_LABELS[i.value] for i in impacts], x=ys, name=sev.value,
                                     orientation="h", marker_color=SEVERITY_COLOURS[sev.value]))
        fig.update_layout(title="Open risks by business impact", barmode="stack", template="plotly_white",
                          height=120 + 45 * len(impacts), margin={"l": 150, "r": 20, "t": 50, "b": 40},
                          yaxis={"autorange": "reversed"}, xaxis_title="findings needing attention")
        return fig

    def latency_figures(self) -> list[go.Figure]:
        return latency_figures(self.view.samples, self.view.budget_ms)

    def latency_note(self) -> HTMLView:
        if not self.view.samples:
            return HTMLView('<p class="la-note">No latency samples in this run (stage 6 did not run or sampled nothing).</p>')
        return HTMLView(f'<p class="la-note">{len(self.view.samples)} samples; every sample is in '
                        "<code>latency.csv</code>. Percentiles by the nearest-rank method.</p>")

    def stages(self) -> HTMLView:
        """Every check's result per stage, as tables: the evidence and fix of what needs attention is in
        Every problem, once (the stage notebooks show it beside each table)."""
        parts = ['<p class="la-note">The evidence and the fix of everything that needs attention are in '
                 '<a href="#every-problem">Every problem</a>; these tables list every result.</p>']
        by_stage: dict[int, list[Finding]] = {}
        for f in self.findings:
            by_stage.setdefault(f.stage, []).append(f)
        for stage in self.view.run.get("stages", sorted(by_stage)):
            parts.append(f'<h3 class="la-stage">Stage {stage} — {esc(stage_title(stage))}</h3>')
            for title, ids in SECTIONS[stage].items():
                found = [f for f in by_stage.get(stage, []) if f.check_id in ids]
                parts.append(f"<h4>{esc(title)}</h4>" + counts_html(found) + self._results(found))
        return HTMLView("".join(parts))

    def _results(self, found: list[Finding]) -> str:
        """One compact row per result (the report is mailed: no per-cell styling, evidence cut short)."""
        if not found:
            return '<p class="la-empty">No findings.</p>'
        r = self.redactor
        rows = "".join(f"<tr><td><code>{esc(f.check_id)}</code></td><td>{badge(f.status)}</td>"
                       f"<td>{esc(f.severity.value)}</td><td>{esc(f.target, r, 120)}</td>"
                       f"<td>{esc(f.evidence, r, 140)}</td></tr>" for f in found)
        return ('<table class="la-table la-results"><thead><tr><th>Check</th><th>Status</th><th>Severity</th>'
                f"<th>Target</th><th>Evidence</th></tr></thead><tbody>{rows}</tbody></table>")

    def changes(self) -> HTMLView:
        """Since the previous complete run of this client (same outputs folder): fixed, new, still open."""
        from ..reaudit import diff_runs, previous_run
        before = previous_run(self.view.run_dir)
        if before is None:
            return HTMLView('<p class="la-empty">First audit of this client in this folder: nothing to compare.</p>')
        d = diff_runs(before, self.view.run_dir)

        def rows(items, label):
            return "".join(f"<tr><td>{esc(label)}</td><td>{esc(f.severity)}</td><td><code>{esc(f.check_id)}</code>"
                           f"</td><td>{esc(f.target, self.redactor)}</td></tr>" for f in items)
        body = (rows(d.fixed, "fixed") + rows(d.new, "new") + rows(d.still, "still open")
                + "".join(f"<tr><td>severity {esc(o.severity)} → {esc(n.severity)}</td><td>{esc(n.severity)}</td>"
                          f"<td><code>{esc(n.check_id)}</code></td><td>{esc(n.target, self.redactor)}</td></tr>"
                          for o, n in d.changed))
        summary = (f"<p>Since run <code>{esc(d.old_run)}</code>: <b>{len(d.fixed)} fixed</b>, {len(d.new)} new, "
                   f"{len(d.still)} still open, {len(d.changed)} changed severity"
                   + (f", {len(d.not_rechecked)} not re-checked this time" if d.not_rechecked else "") + ".</p>")
        return HTMLView(summary + '<table class="la-table"><thead><tr><th>Change</th><th>Severity</th><th>Check</th>'
                        f"<th>Target</th></tr></thead><tbody>{body}</tbody></table>")

    def coverage(self) -> HTMLView:
        stages = self.view.run.get("stages", [])
        todo = [c for c in catalog.CATALOG.values() if c.run is None and c.stage in stages]
        if not todo:
            return HTMLView("")
        items = ", ".join(f"<code>{esc(c.id)}</code>" for c in todo)
        return HTMLView(f'<p class="la-note">Listed in the contract but not automated in this version '
                        f"({len(todo)}): {items}. Check these by hand.</p>")


__all__ = ["Report"]
