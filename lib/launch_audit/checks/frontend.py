"""What the frontend gives away (stage 3): secrets and internal URLs in pages and bundles, downloadable
source maps, and test-mode keys in production. All four read the run's one fetch of the frontend."""

from __future__ import annotations

import ipaddress
import json
import re
from urllib.parse import urlsplit

from ..findings import Status
from ..secrets.scanner import Scanner, SecretMatch
from .base import CheckContext, Unanswered
from .frontend_assets import Asset, Assets, collect

_URL = re.compile(r"""(?i)\b(?:https?|wss?)://[^\s"'`<>\\)]{1,300}""")
_INTERNAL_SUFFIX = (".internal", ".local", ".localhost", ".lan", ".corp", ".intranet", ".home.arpa", ".cluster.local")
_NONPROD_LABEL = re.compile(r"(?i)^(?:staging|stage|stg|dev|develop|test|testing|qa|uat|preview|sandbox|internal|admin)"
                            r"(?:[-.\d]|$)|[-.](?:staging|dev|qa|uat|internal)$")


def internal_reason(url: str) -> str | None:
    """Pure: why a URL points somewhere a browser should never be sent, or None."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    if not host:
        return None
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        ip = None
    if ip is not None:
        if ip.is_loopback:
            return "loopback address"
        if ip.is_link_local:
            return "link-local address (cloud metadata range)" if str(ip).startswith("169.254.") else "link-local address"
        if ip.is_private:
            return "private network address"
        return None
    if host == "localhost" or host.endswith(_INTERNAL_SUFFIX):
        return "internal host name"
    first = host.split(".")[0]
    if _NONPROD_LABEL.search(first):
        return f"non-production host ({first})"
    return None


def internal_urls(text: str) -> list[tuple[str, str]]:
    """Pure: (url, reason) for every internal or non-production URL in a text, first of each host."""
    out: dict[str, tuple[str, str]] = {}
    for url in _URL.findall(text):
        reason = internal_reason(url)
        host = urlsplit(url).hostname or url
        if reason and host not in out:
            out[host] = (url.rstrip(".,;"), reason)
    return list(out.values())


def judge_bundled_secret(m: SecretMatch) -> tuple[Status, str, dict] | None:
    """Pure: a key found in what every visitor downloads. A publishable key is meant to be there (None); a
    provider's live key fails; anything else (a test or expired key, a name-based guess in a minified bundle)
    is a question, not a verdict (warn)."""
    if m.kind == "publishable":
        return None
    why = ("a random value under a secret's name; if it is a credential, rotate it and move the call to the server"
           if m.kind == "generic" else "rotate it and move the call that needs it to the server")
    return (Status.FAIL if m.kind == "live" else Status.WARN,
            f"{m.provider} {m.kind} secret ({m.rule_id}) {m.preview} is sent to every visitor's browser: {why}",
            {"rule": m.rule_id, "fingerprint": m.fingerprint, "kind": m.kind, "provider": m.provider,
             "preview": m.preview})


def _unreadable(ctx: CheckContext, assets: Assets):
    for url, why in assets.errors.items():
        yield ctx.finding(Status.ERROR, url, f"could not read: {why}")


def _bundled(assets: Assets) -> list[Asset]:
    return [a for a in assets.items if a.kind in ("page", "script", "inline")]


async def check_frontend_secrets(ctx: CheckContext):
    assets = await collect(ctx)
    found = 0
    for asset, m in assets.secrets():
        verdict = judge_bundled_secret(m)
        if verdict is not None:
            found += 1
            status, evidence, details = verdict
            yield ctx.finding(status, f"{asset.url}:{m.line}", evidence, details=details)
    for f in _unreadable(ctx, assets):
        yield f
    if not found and assets.items:
        yield ctx.finding(Status.PASS, ctx.profile.canonical,
                          f"no secret key in {len(assets.pages)} pages and {len(assets.scripts)} scripts"
                          + (" (stopped at the script limit)" if assets.capped else ""))


async def check_frontend_internal_urls(ctx: CheckContext):
    assets = await collect(ctx)
    found = 0
    for asset in _bundled(assets):
        hits = internal_urls(asset.text)
        if hits:
            found += 1
            shown = "; ".join(f"{url} ({why})" for url, why in hits[:6])
            yield ctx.finding(Status.FAIL, asset.url, f"{len(hits)} internal URL(s) shipped to browsers: {shown}",
                              details={"urls": [u for u, _ in hits]})
    for f in _unreadable(ctx, assets):
        yield f
    if not found and assets.items:
        yield ctx.finding(Status.PASS, ctx.profile.canonical,
                          f"no internal or non-production URL in {len(assets.pages)} pages and {len(assets.scripts)} scripts")


def judge_source_map(status: int, body: str) -> tuple[bool, str]:
    """Pure: is this response a real source map (not a soft-404 page)?"""
    if status != 200:
        return False, f"{status}"
    try:
        doc = json.loads(body)
    except ValueError:
        return False, "not JSON"
    if not isinstance(doc, dict) or "mappings" not in doc or not isinstance(doc.get("sources"), list):
        return False, "JSON but not a source map"
    with_content = len([c for c in doc.get("sourcesContent") or [] if c])
    return True, (f"{len(doc['sources'])} source file(s)" + (f", {with_content} with full source text" if with_content else ""))


async def check_source_maps(ctx: CheckContext):
    assert ctx.net is not None
    assets = await collect(ctx)
    if not assets.scripts:
        for f in _unreadable(ctx, assets):
            yield f
        yield ctx.finding(Status.SKIP, ctx.profile.canonical, "no same-site script on the declared pages")
        return

    async def one(script_url: str):
        asset = next(a for a in assets.scripts if a.url == script_url)
        map_url = asset.source_map or script_url + ".map"
        declared = asset.source_map is not None
        resp = await ctx.attempt(ctx.net.get(map_url, max_bytes=20_000_000))
        if isinstance(resp, Unanswered):
            return ctx.from_error(map_url, resp)
        served, what = judge_source_map(resp.status, resp.text)
        if served:
            return ctx.finding(Status.FAIL, map_url, f"the source map of {script_url} is downloadable: {what}; anyone "
                               "can read the original source. Stop uploading .map files to production (or serve "
                               "them only to your error tracker)", details={"declared": declared})
        note = " (declared in the script, but not served)" if declared else ""
        return ctx.finding(Status.PASS, map_url, f"no source map served ({what}){note}")

    async for f in ctx.each([a.url for a in assets.scripts], one):
        yield f


async def check_test_keys_in_prod(ctx: CheckContext):
    assets = await collect(ctx)
    scanner = Scanner()
    found = 0
    for asset, m in assets.secrets():
        if m.kind == "test":
            found += 1
            yield ctx.finding(Status.FAIL, f"{asset.url}:{m.line}",
                              f"production serves a test-mode key: {m.provider} {m.preview} ({m.rule_id}); "
                              "checkout will not take real payments", details={"fingerprint": m.fingerprint})
    prod_env = ctx.profile.repo.prod_env_file if ctx.profile.repo else None
    if prod_env:
        path = ctx.profile.path(prod_env)
        try:
            data = path.read_bytes()
        except OSError as e:
            yield ctx.finding(Status.ERROR, prod_env, f"cannot read the prod env file: {e.strerror or e}")
            data = b""
        for m in scanner.scan(data):
            if m.kind == "test":
                found += 1
                yield ctx.finding(Status.FAIL, f"{prod_env}:{m.line}",
                                  f"the production environment uses a test-mode key: {m.provider} {m.preview} "
                                  f"({m.rule_id}); payments in production will not be real",
                                  details={"fingerprint": m.fingerprint})
    for f in _unreadable(ctx, assets):
        yield f
    if not found:
        where = f"{len(assets.pages)} pages, {len(assets.scripts)} scripts" + (" and the prod env file" if prod_env else "")
        yield ctx.finding(Status.PASS, ctx.profile.canonical, f"no test-mode key in {where}")
