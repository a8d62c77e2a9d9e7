"""S6.error_tracking: attested by the consultant, or evidenced by an error-tracking SDK in the frontend."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from ..findings import Status
from .attested import attested_finding
from .base import CheckContext, Unanswered

# a Sentry-style DSN: https://<public key>@<host>/<project id>
SENTRY_DSN = re.compile(r"https://(?P<key>[0-9a-f]{16,64})@(?P<host>[a-z0-9.-]*sentry[a-z0-9.-]*|[a-z0-9.-]+)/(?P<project>\d+)")
SDK_MARKERS = {
    "Sentry": re.compile(r"Sentry\.init|@sentry/|sentry-cdn|browser\.sentry-cdn\.com"),
    "Bugsnag": re.compile(r"Bugsnag\.start|@bugsnag/"),
    "Rollbar": re.compile(r"_rollbarConfig|Rollbar\.init|rollbar\.min\.js"),
    "Datadog RUM": re.compile(r"DD_RUM|datadog-rum|datadoghq-browser-agent"),
    "LogRocket": re.compile(r"LogRocket\.init"),
    "Honeybadger": re.compile(r"Honeybadger\.configure"),
}
_SCRIPT_SRC = re.compile(r"""<script[^>]+src\s*=\s*["']?([^"' >]+)""", re.I)
MAX_SCRIPTS = 5


def detect_error_tracking(text: str) -> list[str]:
    """Pure: which error trackers a page or bundle wires up (DSNs shown without their key)."""
    found = []
    for m in SENTRY_DSN.finditer(text):
        if "sentry" in m["host"] or "ingest" in m["host"]:
            found.append(f"Sentry DSN for project {m['project']} at {m['host']}")
    for name, pattern in SDK_MARKERS.items():
        if pattern.search(text) and not any(f.startswith(name) for f in found):
            found.append(f"{name} SDK")
    return found


async def _frontend_evidence(ctx: CheckContext) -> tuple[list[str], str]:
    assert ctx.net is not None
    page_url = ctx.profile.canonical.rstrip("/") + "/"
    page = await ctx.net.get(page_url)
    seen = [(page_url, detect_error_tracking(page.text))]
    host = page_url.split("/")[2]
    scripts = [urljoin(page_url, src) for src in _SCRIPT_SRC.findall(page.text)]
    for url in [u for u in scripts if u.split("/")[2:3] == [host]][:MAX_SCRIPTS]:
        script = await ctx.attempt(ctx.net.get(url))
        if not isinstance(script, Unanswered):          # a script that did not answer shows no SDK
            seen.append((url, detect_error_tracking(script.text)))
    hits = [f"{what} (in {url})" for url, found in seen for what in found]
    return hits, f"looked at {page_url} and {len(seen) - 1} of its scripts"


def judge_error_tracking(hits: list[str], looked: str) -> tuple[Status, str, dict]:
    """Pure: an SDK seen in the frontend passes (with what to confirm); nothing seen is for the consultant."""
    if hits:
        return (Status.PASS, "seen in the frontend: " + "; ".join(hits) + ". Confirm that sensitive fields are "
                "scrubbed (attest S6.error_tracking to record it).", {"evidence": hits})
    return (Status.MANUAL, f"no error-tracking SDK seen ({looked}); if errors are tracked server side, attest it: "
            "attest: {S6.error_tracking: {ok: true, note: ...}}", {})


async def check_error_tracking(ctx: CheckContext):
    attested = attested_finding(ctx)
    if attested is not None:
        yield attested
        return
    hits, looked = ([], "no network in this run") if ctx.net is None else await _frontend_evidence(ctx)
    status, evidence, details = judge_error_tracking(hits, looked)
    yield ctx.finding(status, ctx.profile.canonical if hits else ctx.profile.client, evidence, details=details)
