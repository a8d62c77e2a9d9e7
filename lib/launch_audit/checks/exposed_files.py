"""S1.exposed_files: sensitive paths (/.env, /.git/config, backups, /server-status…) served publicly, judged
by what the body holds, not by the status alone: a soft-404 page that answers 200 to everything is not a
finding."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable

from ..findings import Status
from ..secrets.scanner import Scanner
from .base import CheckContext, Unanswered

_SCANNER: Scanner | None = None


def _has_secret(body: bytes) -> bool:
    global _SCANNER
    _SCANNER = _SCANNER or Scanner()
    return any(m.kind != "publishable" for m in _SCANNER.scan(body))


def _text(body: bytes) -> str:
    return body[:200_000].decode("utf-8", "replace")


def _env(body: bytes) -> bool:
    lines = [x for x in _text(body).splitlines() if x.strip() and not x.startswith("#")]
    return bool(lines) and not _text(body).lstrip().startswith("<") and sum(
        bool(re.match(r"^(?:export\s+)?[A-Za-z_][A-Za-z0-9_]*\s*=", x)) for x in lines) >= max(1, len(lines) // 2)


def _json_with_secrets(body: bytes) -> bool:
    try:
        doc = json.loads(_text(body))
    except ValueError:
        return False
    return isinstance(doc, (dict, list)) and (_has_secret(body) or bool(
        re.search(r'(?i)"[\w-]*(?:secret|password|passwd|private|token|api_?key|database|db_?url)[\w-]*"\s*:\s*"[^"]{6,}', _text(body))))


# path -> (what it is, does this body prove it)
SENSITIVE: dict[str, tuple[str, Callable[[bytes], bool]]] = {
    "/.env": ("environment file", _env),
    "/.env.production": ("environment file", _env),
    "/.env.local": ("environment file", _env),
    "/.git/config": ("git repository config", lambda b: "[core]" in _text(b) and "repositoryformatversion" in _text(b)),
    "/.git/HEAD": ("git HEAD (the whole repository can be downloaded)", lambda b: bool(re.match(r"^(?:ref: refs/|[0-9a-f]{40}\s*$)", _text(b)))),
    "/.DS_Store": ("macOS folder listing", lambda b: b[:8] == b"\x00\x00\x00\x01Bud1"),
    "/server-status": ("Apache server-status (live requests and client IPs)", lambda b: "Apache Server Status" in _text(b)),
    "/phpinfo.php": ("phpinfo (configuration and environment)", lambda b: "phpinfo()" in _text(b) or "PHP Version" in _text(b)),
    "/config.json": ("configuration with secrets", _json_with_secrets),
    "/backup.zip": ("backup archive", lambda b: b[:4] == b"PK\x03\x04"),
    "/backup.sql": ("database dump", lambda b: bool(re.search(r"(?i)\b(?:CREATE TABLE|INSERT INTO)\b", _text(b)))),
    "/dump.sql": ("database dump", lambda b: bool(re.search(r"(?i)\b(?:CREATE TABLE|INSERT INTO)\b", _text(b)))),
    "/.npmrc": ("npm credentials", lambda b: "_authToken" in _text(b) or "_auth=" in _text(b)),
    "/.aws/credentials": ("AWS credentials", lambda b: "aws_access_key_id" in _text(b).lower()),
    "/wp-config.php.bak": ("WordPress config backup", lambda b: "DB_PASSWORD" in _text(b)),
    "/.htpasswd": ("password hashes", lambda b: bool(re.search(r"(?m)^[\w.-]+:(?:\$apr1\$|\$2[aby]\$|\{SHA\})", _text(b)))),
    "/docker-compose.yml": ("container setup", lambda b: "services:" in _text(b) and _has_secret(b)),
}


def judge_exposed(path: str, status: int, body: bytes, soft404: bytes | None) -> bool:
    """Pure: is ``path`` really exposed? A 2xx whose body proves it, and is not the site's soft-404 page."""
    if not 200 <= status < 300 or not body:
        return False
    if soft404 is not None and body == soft404:
        return False
    return SENSITIVE[path][1](body)


def judge_host(base: str, exposed: list[tuple[str, str]], errors: list[str], only_skipped: bool,
               soft404: bool) -> tuple[Status, str, dict]:
    """Pure: one host's verdict. A path served is a fail; a pass needs every planned path answered (a timeout,
    reset or 5xx is neither served nor refused); paths we did not send, or lost to an outage, are a skip."""
    if exposed:
        shown = "; ".join(f"{base}{p} ({what})" for p, what in exposed)
        return (Status.FAIL, f"served publicly: {shown}. Block these paths at the server or CDN and rotate anything "
                "they held", {"paths": [p for p, _ in exposed]})
    if errors:
        checked = len(SENSITIVE) - len(errors)
        return (Status.SKIP if only_skipped else Status.ERROR,
                f"{len(errors)} of {len(SENSITIVE)} sensitive paths could not be checked ({errors[0]})"
                + (f"; the {checked} that answered are not served" if checked else ""),
                {"checked": checked, "unchecked": len(errors)})
    note = " (it answers 200 to unknown paths: judged by content)" if soft404 else ""
    return Status.PASS, f"none of {len(SENSITIVE)} sensitive paths is served{note}", {"checked": len(SENSITIVE)}


async def check_exposed_files(ctx: CheckContext):
    assert ctx.net is not None
    hosts = [h for h in ctx.profile.hosts if ctx.profile.in_scope(h)]

    async def one(host: str):
        base = f"https://{host}"
        # what this host answers for a path that cannot exist: its soft-404, if it has one
        probe = await ctx.attempt(ctx.net.get(f"{base}/launch-audit-{secrets.token_hex(6)}.txt", max_bytes=200_000))
        if isinstance(probe, Unanswered):
            return ctx.from_error(host, probe, "host not reachable over HTTPS")
        soft404 = probe.body if 200 <= probe.status < 300 else None
        exposed, errors, only_skipped = [], [], True
        for path in SENSITIVE:
            resp = await ctx.attempt(ctx.net.get(base + path, max_bytes=1_000_000))
            if isinstance(resp, Unanswered):
                errors.append(f"{path}: {resp.reason}")
                only_skipped = only_skipped and resp.status == "skip"
                continue
            if resp.status >= 500:          # neither served nor refused: that path was not checked
                errors.append(f"{path}: answered {resp.status}")
                only_skipped = False
                continue
            if judge_exposed(path, resp.status, resp.body, soft404):
                exposed.append((path, SENSITIVE[path][0]))
        status, evidence, details = judge_host(base, exposed, errors, only_skipped, soft404 is not None)
        return ctx.finding(status, host, evidence, details=details)

    async for f in ctx.each(hosts, one):
        yield f
