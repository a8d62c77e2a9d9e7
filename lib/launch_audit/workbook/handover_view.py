"""What handover_report.ipynb calls: the stage 7 handover, generated from the run's data."""

from __future__ import annotations

from pathlib import Path

from ..checks.run_data import RunData
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


LEAK_RESPONSE = (
    "Rotate the credential first (the 'Secrets found' section has the provider's steps), then investigate.",
    "Check the provider's logs and bills for use since the secret was exposed; note times and addresses.",
    "If customer data may have been read, write down what, whose and when: data-protection rules set deadlines "
    "for telling regulators and customers.",
    "Remove the secret from code, logs and CI; add the pre-commit secret scan so it does not come back.",
    "Tell the consultant and the team what happened and what changed.",
)


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
        dns_map = RunData(stage2.data if stage2 else None).dns_map
        if not dns_map:
            return HTMLView('<p class="la-empty">No DNS map: stage 2 did not run in this audit.</p>')
        rows = [[host, rtype, ", ".join(values)] for host, records in sorted(dns_map.items())
                for rtype, values in sorted(records.items()) if values]
        parts = [_table(["Host", "Type", "Values"], rows, "la-dns")]
        subdomains = RunData(stage1.data if stage1 else None).subdomains
        if subdomains:
            parts.append("<h3>Names live under the domain</h3>")
            parts.append(_table(["Name", "Points to", "Intended", "Verdict"],
                                [[s["name"], " → ".join([*s["chain"][1:], *(s["addresses"] or ["nothing (dangling)"])]),
                                  "yes" if s["declared"] else "no — remove it or declare it", s["status"]]
                                 for s in subdomains], "la-dns"))
        mail = RunData(stage2.data if stage2 else None).mail_auth
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

    # -- the data behind each section (also rendered as Markdown by handover_markdown.py) ----------
    def _open(self, *check_ids: str) -> list:
        return [f for f in self.view.findings if f.check_id in check_ids and str(f.status) in ("fail", "warn")]

    def traffic_rows(self) -> list[list[str]]:
        """Per host: behind a CDN or not, and how http:// and the other host reach the canonical one."""
        by_host: dict[str, list[str]] = {}
        for f in self.view.findings:
            if f.check_id in ("S2.cloudflare", "S2.https_redirect", "S2.www_canonical", "S2.redirect_chain"):
                host = f.target.split("://")[-1].split("/")[0]
                by_host.setdefault(host, []).append(f"{f.check_id.split('.')[1]} {str(f.status)}: "
                                                    f"{f.evidence.splitlines()[0][:160] if f.evidence else ''}")
        return [[host, "; ".join(notes)] for host, notes in sorted(by_host.items())]

    def env_var_rows(self) -> list[list[object]]:
        listed = self.summary.get("handover", {}).get("env_vars", [])
        rows: list[list[object]] = [[v.get("name"), v.get("owner"), v.get("purpose"), v.get("where")] for v in listed]
        names = {v.get("name") for v in listed}
        for f in self.view.findings:
            for name in (f.details or {}).get("missing_from_inventory", []) + (f.details or {}).get("unlisted", []):
                if name not in names:
                    names.add(name)
                    rows.append([name, None, None, "found in the prod env file, not in the inventory"])
        return rows

    def secret_rows(self) -> list[list[str]]:
        """Every secret the scans found: what, where, and whether it is live."""
        rows = []
        for f in self._open("S1.secrets_in_repo", "S1.secrets_in_history", "S1.secrets_in_ci_logs",
                            "S3.frontend_secrets"):
            d = f.details or {}
            rows.append([d.get("provider", "?"), d.get("preview", ""), f.target, f.check_id.split(".")[1],
                         d.get("kind", str(f.status))])
        return rows

    def rotation_plan(self) -> list[tuple[str, list[str]]]:
        """For each kind of secret found, the provider's concrete rotation steps."""
        from ..secrets.rotation import rotation_steps
        providers = sorted({row[0] for row in self.secret_rows() if row[4] in ("live", "fail")})
        return [(p, rotation_steps(p)) for p in providers]

    def deployment_notes(self) -> list[list[str]]:
        attest = self.summary.get("attest", {}) or {}
        rows = []
        for check_id, label in (("S3.rollback_path", "Rollback of the last deploy"), ("S3.least_privilege",
                                                                                    "Least-privilege accounts")):
            a = attest.get(check_id) or {}
            rows.append([label, ("tested" if a.get("ok") else "not confirmed") if a else "not attested",
                         a.get("note") or "—"])
        books = self.summary.get("handover", {}).get("runbooks", {}) or {}
        rows.append(["Rollback runbook", "written" if books.get("rollback") else "missing", books.get("rollback") or ""])
        return rows

    # -- HTML sections ----------------------------------------------------------------------------------
    def traffic(self) -> HTMLView:
        return HTMLView(_table(["Host", "CDN and redirects, as the audit saw them"], self.traffic_rows()))

    def env_vars(self) -> HTMLView:
        return HTMLView(_table(["Variable", "Owner", "Purpose", "Where it lives"], self.env_var_rows()))

    def secrets(self) -> HTMLView:
        rows = self.secret_rows()
        if not rows:
            return HTMLView('<p class="la-note">No secret was found in the code, its history, CI logs or the frontend.</p>')
        plan = "".join(f"<li><b>{esc(p)}</b><ol>" + "".join(f"<li>{esc(step)}</li>" for step in steps) + "</ol></li>"
                       for p, steps in self.rotation_plan())
        return HTMLView(_table(["Provider", "Secret (redacted)", "Where", "Found by", "Kind"], rows)
                        + (f"<h3>Rotate them: step by step</h3><ul>{plan}</ul>" if plan else ""))

    def deployment(self) -> HTMLView:
        return HTMLView(_table(["What", "State", "Note"], self.deployment_notes()))

    def alert_contacts(self) -> HTMLView:
        rows = [[c.get("who"), c.get("channel"), c.get("first_action")]
                for c in self.summary.get("handover", {}).get("alert_contacts", [])]
        return HTMLView(_table(["Who", "Channel", "First action"], rows))

    def runbooks(self) -> HTMLView:
        books = self.summary.get("handover", {}).get("runbooks", {}) or {}
        rows = [[label, books.get(key)] for key, label in
                (("rotate_keys", "Rotate keys"), ("rollback", "Roll back a deploy"), ("leak_response", "Respond to a suspected leak"))]
        fallback = "" if books.get("leak_response") else (
            "<p>Until your own leak runbook is written, follow these steps:</p><ol>"
            + "".join(f"<li>{esc(step)}</li>" for step in LEAK_RESPONSE) + "</ol>")
        return HTMLView(_table(["Runbook", "Where"], rows) + fallback)

    def kit(self) -> HTMLView:
        """The founder's kit in the run folder (``kit/``): what each automation does and how to switch it on."""
        readme = self.view.run_dir / "kit" / "README.md"
        try:
            text = readme.read_text(encoding="utf-8")
        except OSError:
            return HTMLView('<p class="la-empty">No kit in this run folder.</p>')
        import mistune   # nbconvert's Markdown renderer; escape: nothing in the README becomes markup
        body = text.split("\n", 1)[1] if text.startswith("# ") else text
        html = mistune.create_markdown(escape=True, plugins=["table"])(self.redactor.text(body))
        return HTMLView('<div class="la-kit"><p>In the run folder: <a href="kit/README.md"><code>kit/</code></a> '
                        "(copy its contents to the root of the product's repository).</p>" + str(html) + "</div>")

    def open_risks(self) -> HTMLView:
        return HTMLView(risk_list_html(self.view.findings, self.redactor, top=15))
