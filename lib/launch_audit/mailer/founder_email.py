"""The founder email: a MIME message that reads well in mail clients that run no script — an HTML body
with inline CSS (scorecard, top risks, next steps), the latency chart as a PNG embedded by Content-ID,
report.html and handover.html attached, and a plain-text alternative. Everything from the audited site
goes through the redactor and is escaped."""

from __future__ import annotations

import html
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from ..findings import Status
from ..redact import Redactor
from ..workbook.problems import Problem, group_problems
from ..workbook.run_view import RunView, load_run
from ..workbook.scorecard import scorecard

MAX_RISKS = 8
_STATE = {"met": ("#1e7d32", "met"), "not_met": ("#b3261e", "not met"), "unknown": ("#6b6b6b", "unknown")}


def _e(text: object, redactor: Redactor) -> str:
    return html.escape(redactor.text(str(text)))


def _problems(view: RunView) -> list[Problem]:
    """The problems to fix first: one per check and fix, however many places it was seen."""
    return [p for p in group_problems(view.findings) if p.worst.status in (Status.FAIL, Status.WARN)][:MAX_RISKS]


def _seen(p: Problem) -> str:
    return f"seen in {p.count} places" if p.count > 1 else "seen once"


def html_body(view: RunView, redactor: Redactor, chart_cid: str | None) -> str:
    summary = view.run.get("profile_summary", {})
    domain = summary.get("domain", view.client)
    cards = scorecard(view.findings)
    rows = "".join(
        f'<tr><td style="padding:6px 10px;border-bottom:1px solid #eee">{_e(t.target.label, redactor)}</td>'
        f'<td style="padding:6px 10px;border-bottom:1px solid #eee;color:{_STATE.get(t.state, _STATE["unknown"])[0]};'
        f'font-weight:bold">{_STATE.get(t.state, _STATE["unknown"])[1]}</td></tr>' for t in cards)
    risks = "".join(
        f'<li style="margin-bottom:10px"><b>{_e(p.title, redactor)}</b> <span style="color:#666">'
        f"({_e(p.worst.severity, redactor)}, {_seen(p)}: {_e(', '.join(f.target for f in p.examples), redactor)})"
        f'</span><br><span style="color:#1a5fb4">Fix: {_e(p.fix or p.worst.evidence, redactor)}</span><br>'
        f'<span style="color:#666">Who: {_e(p.who, redactor)} · effort: {_e(p.effort, redactor)}</span></li>'
        for p in _problems(view))
    failing = sum(f.status is Status.FAIL for f in view.findings)
    chart = (f'<p><img src="cid:{chart_cid[1:-1]}" alt="Latency over the sampling window" width="640" '
             'style="max-width:100%;border:1px solid #ddd"></p>' if chart_cid else "")
    return f"""<!doctype html><html><body style="margin:0;padding:0;background:#f6f6f6">
<div style="max-width:680px;margin:0 auto;background:#fff;padding:24px;font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#1b1b1b">
<h1 style="font-size:22px;margin:0 0 8px">Launch audit: {_e(domain, redactor)}</h1>
<p style="margin:0 0 16px;color:#555">Run {_e(view.run_id, redactor)} · {failing} problems to fix before charging customers.</p>
<h2 style="font-size:17px;margin:16px 0 8px">Launch readiness</h2>
<table style="border-collapse:collapse;width:100%">{rows}</table>
<h2 style="font-size:17px;margin:20px 0 8px">Fix these first</h2>
<ol style="padding-left:20px">{risks}</ol>
{chart}
<h2 style="font-size:17px;margin:20px 0 8px">Next steps</h2>
<ol style="padding-left:20px"><li>Fix the items above, most damaging first (the attached report has every finding with its evidence).</li>
<li>Rotate every key the report names, even after deleting it from the code.</li>
<li>Keep the attached handover with your team: domain map, env vars and their owners, runbooks, alert contacts.</li>
<li>Ask for a re-audit: it lists what was fixed and what is still open.</li></ol>
<p style="color:#777;font-size:12px;margin-top:24px">Secrets are shown as a prefix, a length and a fingerprint only. Attached: report.html, handover.html (open them in a browser).</p>
</div></body></html>"""


def text_body(view: RunView, redactor: Redactor) -> str:
    summary = view.run.get("profile_summary", {})
    lines = [f"Launch audit: {summary.get('domain', view.client)} (run {view.run_id})", "", "Launch readiness:"]
    lines += [f"  - {t.target.label}: {_STATE.get(t.state, _STATE['unknown'])[1]}" for t in scorecard(view.findings)]
    lines += ["", "Fix these first:"]
    for i, p in enumerate(_problems(view), 1):
        lines += [f"  {i}. {p.title} ({p.worst.severity}, {_seen(p)})",
                  f"     e.g. {', '.join(f.target for f in p.examples)}", f"     Fix: {p.fix or p.worst.evidence}",
                  f"     Who: {p.who}; effort: {p.effort}"]
    lines += ["", "Attached: report.html (every finding with evidence) and handover.html (keep it with your team)."]
    return redactor.text("\n".join(lines)) + "\n"


def build_message(run_dir: Path, to: str, sender: str, chart_png: bytes | None) -> EmailMessage:
    view = load_run(run_dir)
    redactor = Redactor()
    summary = view.run.get("profile_summary", {})
    failing = sum(f.status is Status.FAIL for f in view.findings)
    msg = EmailMessage()
    msg["Subject"] = redactor.text(f"Launch audit of {summary.get('domain', view.client)}: {failing} problems to fix")
    msg["From"] = sender
    msg["To"] = to
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="launch-audit.local")
    chart_cid = make_msgid(domain="launch-audit.local") if chart_png else None
    msg.set_content(text_body(view, redactor))
    msg.add_alternative(html_body(view, redactor, chart_cid), subtype="html")
    if chart_png and chart_cid:
        msg.get_payload()[1].add_related(chart_png, maintype="image", subtype="png", cid=chart_cid,
                                         filename="latency.png")
    for name in ("report.html", "handover.html"):
        path = Path(run_dir) / name
        if path.is_file():
            msg.add_attachment(path.read_bytes(), maintype="text", subtype="html", filename=name)
    return msg
