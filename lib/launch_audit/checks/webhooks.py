"""S4.webhook_signature: each signed webhook refuses unsigned, wrongly signed, tampered and replayed events,
and accepts a correctly signed one (which proves the refusals are real and the endpoint is alive).

Signers follow each provider's published scheme: Stripe (``Stripe-Signature: t=…,v1=…``, HMAC-SHA256 over
``t.body``), Shopify (base64 HMAC-SHA256 of the body in ``X-Shopify-Hmac-Sha256``), GitHub
(``X-Hub-Signature-256: sha256=<hex>``), and a generic hex HMAC-SHA256 in a header the profile names.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

from ..findings import Status
from ..net.errors import NetError
from .api_calls import excerpt
from .base import CheckContext

EVENT = {"id": "evt_launch_audit_probe", "type": "launch_audit.probe", "object": "event", "data": {"object": {}}}
REPLAY_AGE_S = 3600


def sign(scheme: str, secret: str, body: bytes, *, timestamp: int | None = None,
         header: str | None = None) -> dict[str, str]:
    """Pure: the headers a provider would send with ``body``."""
    key = secret.encode()
    if scheme == "stripe":
        t = int(time.time()) if timestamp is None else timestamp
        mac = hmac.new(key, f"{t}.".encode() + body, hashlib.sha256).hexdigest()
        return {"Stripe-Signature": f"t={t},v1={mac}"}
    if scheme == "shopify":
        return {"X-Shopify-Hmac-Sha256": base64.b64encode(hmac.new(key, body, hashlib.sha256).digest()).decode()}
    if scheme == "github":
        return {"X-Hub-Signature-256": "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()}
    if scheme == "hmac-sha256":
        return {header or "X-Signature": hmac.new(key, body, hashlib.sha256).hexdigest()}
    raise ValueError(f"unknown signature scheme {scheme!r}")


def variants(scheme: str, secret: str, header: str | None) -> dict[str, tuple[bytes, dict[str, str], bool]]:
    """Pure (but for the clock): label -> (body, headers, should be accepted)."""
    body = json.dumps(EVENT).encode()
    tampered = json.dumps({**EVENT, "type": "launch_audit.tampered"}).encode()
    out = {
        "unsigned": (body, {}, False),
        "signed with a wrong secret": (body, sign(scheme, secret + "-wrong", body, header=header), False),
        "a tampered body under a valid signature": (tampered, sign(scheme, secret, body, header=header), False),
    }
    if scheme == "stripe":
        old = int(time.time()) - REPLAY_AGE_S
        out["replayed, signed an hour ago"] = (body, sign(scheme, secret, body, timestamp=old), False)
    out["correctly signed"] = (body, sign(scheme, secret, body, header=header), True)
    return out


async def check_webhook_signature(ctx: CheckContext):
    assert ctx.net is not None
    api = ctx.profile.api
    hooks = [e for e in (api.endpoints if api else []) if e.auth == "signature" and e.signature]
    if not hooks:
        yield ctx.finding(Status.SKIP, ctx.profile.domain, "no endpoint declared with auth: signature")
        return

    async def one(name: str):
        ep = next(e for e in hooks if e.name == name)
        if not ep.writable:           # the correctly signed test event is meant to be accepted
            return ctx.finding(Status.SKIP, name, ep.why_not_writable())
        secret = ctx.profile.secret(ep.signature.secret_env)         # MissingSecret → skip
        url = api.url(ep.path)
        wrong, right = [], None
        for label, (body, headers, should) in variants(ep.signature.scheme, secret, ep.signature.header).items():
            try:
                resp = await ctx.net.request(ep.method, url, active=True, content=body, changes_state=ep.changes_state,
                                             headers={"Content-Type": "application/json", **headers},
                                             label=f"a webhook event {label}")
            except NetError as e:
                return ctx.from_error(name, e, label)
            ok = 200 <= resp.status < 300
            if should:
                right = resp
            elif ok:
                wrong.append((label, resp))
        where = f"{ep.method} {url} ({ep.signature.scheme})"
        if wrong:
            shown = "; ".join(f"{label} → {excerpt(r, 80)}" for label, r in wrong)
            fix = " and reject timestamps older than 5 minutes" if any("replayed" in w for w, _ in wrong) else ""
            return ctx.finding(Status.FAIL, name, f"{where} accepts {shown}. Verify the signature with a constant-time "
                               f"compare{fix}", details={"accepted": [w for w, _ in wrong]})
        if right is None or not 200 <= right.status < 300:
            shown = excerpt(right) if right is not None else "no answer"
            return ctx.finding(Status.FAIL, name, f"{where} refuses a correctly signed event ({shown}): real "
                               "events from the provider are being dropped (or the secret in the profile is stale)")
        return ctx.finding(Status.PASS, name, f"{where} refuses unsigned, wrongly signed, tampered"
                           + (", replayed" if ep.signature.scheme == "stripe" else "")
                           + f" events and accepts a correctly signed one ({right.status})")

    async for f in ctx.each([e.name for e in hooks], one):
        yield f
