"""S3.debug_exposure: one malformed request per API endpoint (and an unknown page) must get a plain
error, not a stack trace, a framework debug page or the server's file paths."""

from __future__ import annotations

import re
import secrets

from ..findings import Status
from ..profile import MissingSecret
from .base import CheckContext

# what debug builds print; each pattern names the stack it gives away
DEBUG_SIGNS: list[tuple[str, re.Pattern[str]]] = [
    ("Python traceback", re.compile(r"Traceback \(most recent call last\)")),
    ("Python source path", re.compile(r'File "/[^"]+\.py", line \d+')),
    ("Node.js stack trace", re.compile(r"\bat (?:[\w$.<>\[\] ]+ \()?(?:/|file:///|[A-Z]:\\)[^\s)]+\.(?:m?js|ts|cjs):\d+:\d+")),
    ("Java stack trace", re.compile(r"(?m)^\s+at [\w$.]+\([\w$]+\.java:\d+\)")),
    (".NET stack trace", re.compile(r"(?m)^\s+at [\w.<>`]+\(.*\) in .+:line \d+")),
    ("Werkzeug debugger", re.compile(r"Werkzeug Debugger|__debugger__")),
    ("Django debug page", re.compile(r"DEBUG = True|Django Version:")),
    ("Laravel/Symfony debug page", re.compile(r"Whoops, looks like something went wrong|Symfony\\Component|Illuminate\\")),
    ("Rails debug page", re.compile(r"ActionController::|Application Trace \| Framework Trace")),
    ("ASP.NET error page", re.compile(r"Server Error in '/' Application|Exception Details:")),
    ("PHP error", re.compile(r"<b>(?:Fatal error|Warning|Parse error)</b>:|Stack trace:\s*#0")),
    ("server file path", re.compile(r"(?:/home/\w+|/var/www|/srv/[\w.-]+|/usr/src/app|/app/node_modules|C:\\inetpub)/")),
    ("debug flag", re.compile(r"(?i)\bDEBUG\s*=\s*True\b")),
]
MALFORMED_ID = "1'\"<x>%"


def debug_signs(body: str) -> list[str]:
    """Pure: which kinds of internals an error body reveals."""
    return [name for name, pattern in DEBUG_SIGNS if pattern.search(body)]


def judge_debug(probe: str, status: int, body: str) -> tuple[Status, str, dict]:
    """Pure: the answer to one malformed request (``probe`` says which) → the verdict."""
    signs = debug_signs(body)
    details = {"status": status, "signs": signs}
    if signs:
        return Status.FAIL, (f"a malformed request ({probe}) got {status} with {', '.join(signs)}: turn off debug "
                             "mode and return a generic error"), details
    return Status.PASS, f"{status}: no stack trace, debug page or file path ({probe})", details


async def check_debug_exposure(ctx: CheckContext):
    assert ctx.net is not None
    api = ctx.profile.api
    probes: list[tuple[str, str, str, dict[str, str], bytes | None]] = []   # name, method, url, headers, body
    probes.append(("unknown page", "GET", f"{ctx.profile.canonical.rstrip('/')}/launch-audit-{secrets.token_hex(4)}'%22",
                   {}, None))
    if api:
        token = None
        if api.users and api.users.a.token_env:
            try:                    # errors behind the login are the ones debug builds leak most
                token = ctx.profile.secret(api.users.a.token_env)
            except MissingSecret:
                token = None
        for ep in api.endpoints:
            path = re.sub(r"\{[^}]+\}", "1%27%22%3Cx%3E", ep.path)
            headers = api.credentials(token) if token and ep.auth == "user" else {}
            if ep.method == "GET":
                probes.append((ep.name, "GET", api.base_url.rstrip("/") + path, headers, None))
            else:
                probes.append((ep.name, ep.method, api.base_url.rstrip("/") + path,
                               {**headers, "Content-Type": "application/json"}, b'{"broken": [1, 2'))

    by_target = {f"{method} {url}": (name, method, url, headers, body) for name, method, url, headers, body in probes}

    async def one(target: str):
        name, method, url, headers, body = by_target[target]
        # a 429 is waited out: its body says nothing about the endpoint's own error handling; a request that
        # gets no answer is the target's finding, made by ctx.each
        resp = await ctx.net.request(method, url, active=True, headers=headers, content=body, max_bytes=500_000)
        status, evidence, details = judge_debug(name, resp.status, resp.text)
        return ctx.finding(status, f"{method} {url}", evidence, details=details)

    async for f in ctx.each(by_target, one):
        yield f
