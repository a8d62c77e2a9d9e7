"""Stage 5's tables: the probe set's coverage (category × technique) and every probe's verdict with the
remediation notes of its category. Everything from the bot is escaped."""

from __future__ import annotations

from ..redact import Redactor
from ..redteam.probes import coverage, load_probes
from .display import HTMLView, badge, esc


def coverage_html() -> HTMLView:
    rows = "".join(f"<tr><td>{esc(cat)}</td><td>{esc(tech)}</td><td>{n}</td></tr>"
                   for cat, techniques in coverage().items() for tech, n in sorted(techniques.items()))
    total = len(load_probes())
    return HTMLView(f'<p>{total} probes in {len(coverage())} categories.</p><table class="la-table">'
                    f"<thead><tr><th>Category</th><th>Technique</th><th>Probes</th></tr></thead><tbody>{rows}</tbody></table>")


def results_html(rows: list[dict], redactor: Redactor | None = None) -> HTMLView:
    if not rows:
        return HTMLView('<p class="la-empty">No probe has run yet (run the stage first).</p>')
    body = "".join(
        f'<tr><td><code>{esc(r["probe"])}</code></td><td>{esc(r["category"])}</td><td>{esc(r["technique"])}</td>'
        f'<td>{badge("skip" if r["verdict"] == "throttled" else r["verdict"])}</td>'
        f'<td>{esc(r["matched"], redactor)}</td></tr>' for r in rows)
    notes = {p.category: p.remediation for p in load_probes()}
    failed = sorted({r["category"] for r in rows if r["verdict"] in ("fail", "warn")})
    advice = "".join(f"<li><b>{esc(c)}</b>: {esc(notes.get(c, ''))}</li>" for c in failed)
    return HTMLView('<table class="la-table"><thead><tr><th>Probe</th><th>Category</th><th>Technique</th>'
                    f"<th>Verdict</th><th>What matched</th></tr></thead><tbody>{body}</tbody></table>"
                    + (f"<h4>What to change</h4><ul>{advice}</ul>" if advice else ""))
