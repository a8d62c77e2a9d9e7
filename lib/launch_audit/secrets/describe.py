"""How a found secret is told: the status and evidence every secret finding uses, from the CLI and from
the stage checks alike."""

from __future__ import annotations

from typing import Any

from .sources import Located

ROTATE = {
    "live": "rotate it {where} now (deleting the file does not un-leak it), then load it from the "
            "host's secret store",
    "test": "a test-mode key: harmless to money, but replace it with an environment variable so live keys "
            "never follow the same path",
    "publishable": "publishable by design; make sure it is the key meant for browsers",
    "inactive": "expired; remove it so a fresh one is never committed the same way",
    "generic": "a random value under a secret's name: if it is a real credential, rotate it {where} now and "
               "load it from the host's secret store; if not, mark the line `launch-audit: allow`",
}


def status_of(loc: Located) -> str:
    """Live secrets and random values under a secret's name fail; test-mode, publishable and expired ones
    warn."""
    return "fail" if loc.match.is_live else "warn"


def describe(loc: Located, *, history: bool = False) -> tuple[str, str, dict[str, Any], dict[str, Any]]:
    """(status, evidence, location, details) of one secret finding."""
    m = loc.match
    where = f"{loc.path}:{m.line}"
    evidence = f"{m.provider} {m.kind} secret ({m.rule_id}) {m.preview} at {where}"
    if m.note:
        evidence += f" — {m.note}"
    if history and loc.commit:
        evidence += f"; first committed in {loc.commit[:12]} by {loc.author} on {loc.date[:10]}"
    issuer = "wherever it was issued" if m.provider in ("unknown", "database") else f"at {m.provider}"
    evidence += f". {ROTATE.get(m.kind, ROTATE['live']).format(where=issuer)}."
    details = {"rule": m.rule_id, "provider": m.provider, "kind": m.kind, "fingerprint": m.fingerprint,
               "preview": m.preview}
    if loc.commit:
        details |= {"commit": loc.commit, "author": loc.author, "date": loc.date}
    return status_of(loc), evidence, {"path": loc.path, "line": m.line}, details
