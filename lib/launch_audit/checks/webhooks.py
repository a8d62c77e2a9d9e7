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
from .api_calls import excerpt
from .base import CheckContext, Unanswered

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


def judge_webhook(where: str, answers: list[tuple[str, bool, int, str]]) -> tuple[Status, str, dict]:
    """Pure: (variant, should be accepted, status, excerpt) of every event sent → the verdict. A forged event
    accepted is a failure; a correctly signed one refused means real events are dropped; a 5xx to a forged
    one is not a refusal (the verifier crashed, and the provider will retry): a warning."""
    accepted = [(label, shown) for label, should, status, shown in answers if not should and 200 <= status < 300]
    crashed = [(label, shown) for label, should, status, shown in answers if not should and status >= 500]
    right = next(((status, shown) for _, should, status, shown in answers if should), None)
    details = {"answers": {label: status for label, _, status, _ in answers}}
    if accepted:
        shown = "; ".join(f"{label} → {answer}" for label, answer in accepted)
        fix = " and reject timestamps older than 5 minutes" if any("replayed" in label for label, _ in accepted) else ""
        evidence = f"{where} accepts {shown}. Verify the signature with a constant-time compare{fix}"
        return Status.FAIL, evidence, {**details, "accepted": [label for label, _ in accepted]}
    if right is None or not 200 <= right[0] < 300:
        evidence = (f"{where} refuses a correctly signed event ({right[1] if right else 'not sent'}): real events "
                    "from the provider are being dropped (or the secret in the profile is stale)")
        return Status.FAIL, evidence, details
    if crashed:
        shown = "; ".join(f"{label} → {answer}" for label, answer in crashed)
        evidence = (f"{where} answers a forged event with a server error ({shown}): not a refusal. Reject a bad "
                    "signature with 400 before any processing, or the provider retries it")
        return Status.WARN, evidence, details
    refused = ", ".join(label for label, should, _, _ in answers if not should)
    return Status.PASS, f"{where} refuses {refused} events and accepts a correctly signed one ({right[0]})", details


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
        answers: list[tuple[str, bool, int, str]] = []
        for label, (body, headers, should) in variants(ep.signature.scheme, secret, ep.signature.header).items():
            resp = await ctx.attempt(ctx.net.request(ep.method, url, active=True, content=body,
                                                     changes_state=ep.changes_state, label=f"a webhook event {label}",
                                                     headers={"Content-Type": "application/json", **headers}))
            if isinstance(resp, Unanswered):
                return ctx.from_error(name, resp, label)
            answers.append((label, should, resp.status, excerpt(resp, 80)))
        status, evidence, details = judge_webhook(f"{ep.method} {url} ({ep.signature.scheme})", answers)
        return ctx.finding(status, name, evidence, details=details)

    async for f in ctx.each([e.name for e in hooks], one):
        yield f
