"""HTML views of findings for notebooks and reports. Every string from the audited site is escaped.

These objects have ``_repr_html_`` so a notebook cell only names them; the
report template renders the same HTML, so JupyterLab and the founder's report
look alike.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

import pandas as pd

from ..checks import catalog
from ..findings import Finding, Status, rank_risks, risk_sort_key, status_counts
from ..redact import Redactor

STATUS_COLOURS = {
    "pass": ("#e6f4ea", "#1e6b34"), "fail": ("#fce8e6", "#a50e0e"), "warn": ("#fef7e0", "#8a5a00"),
    "error": ("#f3e8fd", "#6a1b9a"), "skip": ("#f1f3f4", "#5f6368"), "manual": ("#e8f0fe", "#174ea6"),
}
IMPACT_LABELS = {
    "data_exposure": "Data exposure", "broken_launch_path": "Broken launch path", "cost_abuse": "Cost abuse",
    "downtime": "Downtime", "spam": "Spam / spoofing",
}
EVIDENCE_LIMIT = 2000


def esc(text: object, redactor: Redactor | None = None, limit: int = EVIDENCE_LIMIT) -> str:
    """Escape for HTML (and redact): the only way text from a finding reaches a page."""
    value = "" if text is None else str(text)
    if redactor is not None:
        value = redactor.text(value)
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    return html.escape(value, quote=True)


def badge(status: Status | str) -> str:
    s = str(status)
    bg, fg = STATUS_COLOURS.get(s, ("#fff", "#000"))
    return f'<span class="la-badge la-{esc(s)}" style="background:{bg};color:{fg}">{esc(s.upper())}</span>'


def _status_style(value: str) -> str:
    bg, fg = STATUS_COLOURS.get(str(value).lower(), ("", ""))
    return f"background-color:{bg};color:{fg};font-weight:600" if bg else ""


def findings_frame(findings: Iterable[Finding]) -> pd.DataFrame:
    rows = [{"Check": f.check_id, "Status": f.status.value, "Severity": f.severity.value,
             "Impact": IMPACT_LABELS.get(f.impact.value, f.impact.value), "Target": f.target,
             "Evidence": f.evidence} for f in findings]
    return pd.DataFrame(rows, columns=["Check", "Status", "Severity", "Impact", "Target", "Evidence"])


def status_table_html(findings: list[Finding], redactor: Redactor | None = None, evidence_chars: int = 240) -> str:
    """One row per finding, styled by status (pandas Styler; every cell escaped)."""
    if not findings:
        return '<p class="la-empty">No findings.</p>'
    frame = findings_frame(findings)
    for col in ("Target", "Evidence"):
        limit = 120 if col == "Target" else evidence_chars
        frame[col] = [(redactor.text(v) if redactor else v) for v in frame[col]]
        frame[col] = [v if len(v) <= limit else v[: limit - 1] + "…" for v in frame[col]]
    styler = (frame.style.hide(axis="index").format(escape="html")
              .map(_status_style, subset=["Status"])
              .set_table_attributes('class="la-table"'))
    return styler.to_html()


def details_html(findings: list[Finding], redactor: Redactor | None = None) -> str:
    """Evidence and remediation for each finding that needs attention."""
    attention = sorted((f for f in findings if f.status not in (Status.PASS, Status.SKIP)), key=risk_sort_key)
    if not attention:
        return ""
    parts = ['<div class="la-details">']
    for f in attention:
        parts.append(
            f'<div class="la-finding la-{esc(f.status.value)}">'
            f'<div class="la-finding-head">{badge(f.status)} <b>{esc(f.check_id)}</b> · {esc(f.severity.value)} · '
            f'{esc(IMPACT_LABELS.get(f.impact.value, f.impact.value))}</div>'
            f'<div class="la-title">{esc(f.title, redactor)}</div>'
            f'<div class="la-target"><code>{esc(f.target, redactor, 400)}</code></div>'
            f'<div class="la-evidence"><b>Evidence:</b> {esc(f.evidence, redactor)}</div>'
            + (f'<div class="la-fix"><b>Fix:</b> {esc(f.remediation, redactor)}</div>' if f.remediation else "")
            + "</div>")
    parts.append("</div>")
    return "".join(parts)


def counts_html(findings: list[Finding]) -> str:
    counts = status_counts(findings)
    return '<p class="la-counts">' + " ".join(
        f"{badge(s)} {counts[s.value]}" for s in Status if counts[s.value]) + "</p>"


class HTMLView:
    """Anything a notebook cell shows: HTML in JupyterLab, the same HTML in the report."""

    def __init__(self, body: str) -> None:
        self.body = body

    def _repr_html_(self) -> str:
        return self.body

    def __repr__(self) -> str:          # papermill logs, plain consoles
        return html.unescape(re.sub(r"<[^>]+>", " ", self.body))[:2000]


class SectionView(HTMLView):
    """A section of a stage: status table, then evidence and remediation of what needs attention."""

    def __init__(self, title: str, findings: list[Finding], check_ids: list[str],
                 redactor: Redactor | None = None) -> None:
        self.title, self.findings, self.check_ids = title, findings, check_ids
        not_automated = [cid for cid in check_ids if catalog.get(cid).run is None]
        note = ""
        if not_automated:
            note = ('<p class="la-note">Not automated yet (covered by later releases; check by hand): '
                    + ", ".join(f"<code>{esc(c)}</code>" for c in not_automated) + "</p>")
        body = (counts_html(findings) + status_table_html(findings, redactor) + details_html(findings, redactor)
                + note)
        super().__init__(f'<section class="la-section">{body}</section>')


def risk_list_html(findings: list[Finding], redactor: Redactor | None = None, top: int | None = None) -> str:
    """The risk list ranked by business impact (status, then severity, then impact)."""
    risks = rank_risks(findings)
    if not risks:
        return '<p class="la-empty">No open risks.</p>'
    shown = risks[:top] if top else risks
    rows = []
    for i, f in enumerate(shown, 1):
        rows.append(
            f"<tr><td>{i}</td><td>{badge(f.status)}</td><td>{esc(f.severity.value)}</td>"
            f"<td>{esc(IMPACT_LABELS.get(f.impact.value, f.impact.value))}</td>"
            f"<td><b>{esc(f.title, redactor)}</b><br><code>{esc(f.check_id)}</code> · {esc(f.target, redactor, 200)}"
            f"<div class='la-evidence'>{esc(f.evidence, redactor, 600)}</div>"
            + (f"<div class='la-fix'><b>Fix:</b> {esc(f.remediation, redactor, 600)}</div>" if f.remediation else "")
            + "</td></tr>")
    more = f'<p class="la-note">{len(risks) - len(shown)} more in the stage sections below.</p>' if len(shown) < len(risks) else ""
    return ('<table class="la-table la-risks"><thead><tr><th>#</th><th>Status</th><th>Severity</th><th>Impact</th>'
            "<th>Risk</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>" + more)
