"""``launch-audit watch --report``: uptime per target, the incidents and their notices, and latency over time
(the audit report's own plotly charts, with the same light plotly.js embedded: drawn offline), as one HTML page."""

from __future__ import annotations

import secrets
from datetime import datetime
from pathlib import Path

from .. import __version__
from ..atomic import write_atomic
from ..monitoring import Sample, summarize
from ..profile import Profile
from ..workbook.charts import latency_figures
from ..workbook.display import esc
from ..workbook.export import light_plotly_js, script_json
from .rules import failing
from .store import Round, WatchStore


def uptime_rows(rounds: list[Round]) -> list[tuple[str, int, float, str]]:
    """(target, judged samples, uptime %, p95 text) per target, over ``rounds`` and every vantage point;
    up means answering (not a 5xx), as the watch's down alerts count it."""
    by_target: dict[str, list[Sample]] = {}
    for r in rounds:
        for _, s in r.samples:
            if s.judged:
                by_target.setdefault(s.series, []).append(s)
    rows = []
    for target, samples in sorted(by_target.items()):
        summary = summarize([s.ms for s in samples if not failing(s)])
        rows.append((target, len(samples), 100 * sum(not failing(s) for s in samples) / len(samples),
                     f"{summary.p95:.0f} ms" if summary else "no answer"))
    return rows


def _duration(opened: str, closed: str | None) -> str:
    if not closed:
        return "ongoing"
    seconds = (datetime.fromisoformat(closed) - datetime.fromisoformat(opened)).total_seconds()
    return f"{seconds / 60:.1f} min" if seconds >= 120 else f"{seconds:.0f} s"


def render(store: WatchStore, profile: Profile) -> str:
    rounds = store.all_rounds()
    redactor = profile.redactor
    first, last = (rounds[0].started, rounds[-1].started) if rounds else ("", "")
    vantages = sorted({v for r in rounds for v in r.vantages})
    uptime = "".join(f"<tr><td>{esc(t)}</td><td>{n}</td><td>{pct:.2f} %</td><td>{esc(p95)}</td></tr>"
                     for t, n, pct, p95 in uptime_rows(rounds)) or '<tr><td colspan="4">No rounds yet.</td></tr>'
    sent: dict[int, list[str]] = {}
    for incident_id, notice, route, at, ok, error in store.deliveries():
        outcome = "sent" if ok else f"failed ({error})"
        sent.setdefault(incident_id, []).append(f"{notice} by {route} at {at}: {outcome}")
    incidents = "".join(
        f"<tr><td>{esc(i.kind)}</td><td>{esc(i.target)}</td><td>{esc(i.opened_at)}</td>"
        f"<td>{esc(_duration(i.opened_at, i.closed_at))}</td><td>{esc(i.detail, redactor)}</td>"
        f"<td>{'<br>'.join(esc(x, redactor) for x in sent.get(i.id, [])) or 'none'}</td></tr>"
        for i in reversed(store.incidents())) or '<tr><td colspan="6">No incident.</td></tr>'
    samples = [s for r in rounds for _, s in r.samples]
    figures = latency_figures(samples, profile.monitoring.p95_budget_ms, x_title="seconds since the first round")
    nonce = secrets.token_urlsafe(18)      # only our own two scripts run: nothing from a target's answer can
    charts = "".join(f'<div class="chart" id="chart-{i}"></div>'
                     f'<script type="application/json" id="fig-{i}">{script_json(f.to_plotly_json())}</script>'
                     for i, f in enumerate(figures))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy"
 content="default-src 'none'; script-src 'nonce-{nonce}'; style-src 'unsafe-inline'; img-src data:">
<title>Uptime watch: {esc(profile.client)}</title>
<style>body{{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#202124}}
table{{border-collapse:collapse;width:100%;margin:1rem 0}}td,th{{border-bottom:1px solid #ddd;padding:.35rem .5rem;
text-align:left;vertical-align:top}}th{{background:#f6f8fa}}.chart{{min-height:320px}}</style></head>
<body><h1>Uptime watch: {esc(profile.client)} ({esc(profile.canonical)})</h1>
<p>{len(rounds)} rounds from {esc(first)} to {esc(last)} (UTC), vantage points: {esc(", ".join(vantages) or "none")};
every {profile.watch.interval_s:g} s by default, down after {profile.watch.down_after} rounds, p95 budget
{profile.monitoring.p95_budget_ms:g} ms. launch-audit {esc(__version__)}.</p>
<h2>Uptime</h2><table><thead><tr><th>Target</th><th>Samples</th><th>Uptime</th><th>p95</th></tr></thead>
<tbody>{uptime}</tbody></table>
<h2>Incidents</h2><table><thead><tr><th>Kind</th><th>Target</th><th>Opened</th><th>Lasted</th><th>What</th>
<th>Notices</th></tr></thead><tbody>{incidents}</tbody></table>
<h2>Latency over time</h2>{charts or "<p>No answered samples to chart.</p>"}
<script nonce="{nonce}">{light_plotly_js()}</script>
<script nonce="{nonce}">document.querySelectorAll('script[id^="fig-"]').forEach(function (s) {{
  var fig = JSON.parse(s.textContent); var el = document.getElementById('chart-' + s.id.slice(4));
  Plotly.newPlot(el, fig.data, fig.layout, {{responsive: true, displaylogo: false}});
}});</script></body></html>
"""


def write_report(store: WatchStore, profile: Profile, path: Path) -> Path:
    return write_atomic(path, render(store, profile).encode("utf-8"))
