"""What handover_report.ipynb calls: the stage 7 handover, generated from the run's data."""

from __future__ import annotations

from pathlib import Path

from ..redact import Redactor
from .display import HTMLView, esc, risk_list_html
from .run_view import RunView, load_run


def _table(headers: list[str], rows: list[list[object]], cls: str = "") -> str:
    if not rows:
        return '<p class="la-empty">Nothing recorded.</p>'
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{esc(c) if c not in (None, '') else '<span class=la-gap>missing</span>'}</td>"
                                    for c in row) + "</tr>" for row in rows)
    return f'<table class="la-table {cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


class Handover:
    def __init__(self, run_dir: str | Path) -> None:
        self.view: RunView = load_run(run_dir)
        self.summary = self.view.run.get("profile_summary", {})
        self.redactor = Redactor()

    def header(self) -> HTMLView:
        return HTMLView(f'<div class="la-header"><h1>Handover: {esc(self.summary.get("domain", self.view.client))}</h1>'
                        f'<p>Client <b>{esc(self.view.client)}</b> · from run <code>{esc(self.view.run_id)}</code></p></div>')

    def domain_map(self) -> HTMLView:
        """The records of every declared host, the live names found under the domain (stage 1) and the
        mail authentication setup (stage 2), as the audit saw them."""
        stage2, stage1 = self.view.stage_handoff(2), self.view.stage_handoff(1)
        dns_map = (stage2.data.get("dns_map") if stage2 else None) or {}
        if not dns_map:
            return HTMLView('<p class="la-empty">No DNS map: stage 2 did not run in this audit.</p>')
        rows = [[host, rtype, ", ".join(values)] for host, records in sorted(dns_map.items())
                for rtype, values in sorted(records.items()) if values]
        parts = [_table(["Host", "Type", "Values"], rows, "la-dns")]
        subdomains = (stage1.data.get("subdomains") if stage1 else None) or []
        if subdomains:
            parts.append("<h3>Names live under the domain</h3>")
            parts.append(_table(["Name", "Points to", "Intended", "Verdict"],
                                [[s["name"], " → ".join([*s["chain"][1:], *(s["addresses"] or ["nothing (dangling)"])]),
                                  "yes" if s["declared"] else "no — remove it or declare it", s["status"]]
                                 for s in subdomains], "la-dns"))
        mail = (stage2.data.get("mail_auth") if stage2 else None) or {}
        if mail:
            parts.append("<h3>Email authentication</h3>")
            rows = []
            if "spf" in mail:
                spf = mail["spf"]
                rows.append(["SPF", spf.get("record") or "none", f"{spf.get('lookups')} of 10 lookups",
                             spf.get("status")])
            for selector, key in sorted((mail.get("dkim") or {}).items()):
                size = f"{key.get('type', '')} {key.get('bits', '')}".strip()
                rows.append([f"DKIM {selector}", key.get("name"), size or key.get("summary"), key.get("status")])
            if "dmarc" in mail:
                rows.append(["DMARC", mail["dmarc"].get("record") or "none", mail["dmarc"].get("where"),
                             mail["dmarc"].get("status")])
            parts.append(_table(["What", "Record", "Detail", "Verdict"], rows, "la-dns"))
            if (mail.get("spf") or {}).get("tree"):
                parts.append("<p>SPF include tree, as receivers expand it:</p><pre class=\"la-text\">"
                             + esc("\n".join(mail["spf"]["tree"])) + "</pre>")
        return HTMLView("".join(parts))

    def env_vars(self) -> HTMLView:
        rows = [[v.get("name"), v.get("owner"), v.get("purpose"), v.get("where")]
                for v in self.summary.get("handover", {}).get("env_vars", [])]
        return HTMLView(_table(["Variable", "Owner", "Purpose", "Where it lives"], rows))

    def alert_contacts(self) -> HTMLView:
        rows = [[c.get("who"), c.get("channel"), c.get("first_action")]
                for c in self.summary.get("handover", {}).get("alert_contacts", [])]
        return HTMLView(_table(["Who", "Channel", "First action"], rows))

    def runbooks(self) -> HTMLView:
        books = self.summary.get("handover", {}).get("runbooks", {}) or {}
        rows = [[label, books.get(key)] for key, label in
                (("rotate_keys", "Rotate keys"), ("rollback", "Roll back a deploy"), ("leak_response", "Respond to a suspected leak"))]
        return HTMLView(_table(["Runbook", "Where"], rows))

    def open_risks(self) -> HTMLView:
        return HTMLView(risk_list_html(self.view.findings, self.redactor, top=15))
