"""S3.security_headers: CSP, nosniff, frame protection and Referrer-Policy on pages (each missing one is
`warn`), and no server version banners (`fail`: they tell an attacker which exploits to try)."""

from __future__ import annotations

import re

from ..findings import Status
from .base import CheckContext, Unanswered
from .frontend_assets import collect

_VERSIONED = re.compile(r"\d+\.\d+")
BANNER_HEADERS = ("server", "x-powered-by", "x-aspnet-version", "x-aspnetmvc-version", "x-generator", "x-runtime-version")


def judge_headers(headers: dict[str, str], *, page: bool = True) -> tuple[Status, str]:
    """Pure: response headers (lower-case names) of a page (or an API response: CSP and framing skipped)."""
    missing = []
    csp = headers.get("content-security-policy", "")
    if page and not csp:
        missing.append("Content-Security-Policy")
    if headers.get("x-content-type-options", "").lower() != "nosniff":
        missing.append("X-Content-Type-Options: nosniff")
    if page and "frame-ancestors" not in csp.lower() and headers.get("x-frame-options", "").upper() not in ("DENY", "SAMEORIGIN"):
        missing.append("frame protection (X-Frame-Options or CSP frame-ancestors)")
    if page and not headers.get("referrer-policy"):
        missing.append("Referrer-Policy")
    banners = [f"{h}: {headers[h]}" for h in BANNER_HEADERS
               if h in headers and (h != "server" or _VERSIONED.search(headers[h]))]
    if banners:
        return Status.FAIL, f"version banner(s) {'; '.join(banners)}" + (f"; missing {', '.join(missing)}" if missing else "")
    if missing:
        return Status.WARN, f"missing {', '.join(missing)}"
    return Status.PASS, "CSP, nosniff, frame protection and Referrer-Policy set; no version banner"


async def check_security_headers(ctx: CheckContext):
    assert ctx.net is not None
    assets = await collect(ctx)
    for page in assets.pages:
        status, evidence = judge_headers(page.headers)
        yield ctx.finding(status, page.url, evidence)
    for url, why in assets.errors.items():
        if not url.endswith(".js"):
            yield ctx.finding(Status.ERROR, url, f"could not read: {why}")
    api = ctx.profile.api
    if api and api.health_path:
        url = api.base_url.rstrip("/") + api.health_path
        resp = await ctx.attempt(ctx.net.get(url))
        if isinstance(resp, Unanswered):
            yield ctx.from_error(url, resp)
            return
        status, evidence = judge_headers({k.lower(): v for k, v in resp.headers.items()}, page=False)
        yield ctx.finding(status, url, evidence)
