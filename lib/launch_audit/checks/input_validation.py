"""S4.input_validation: malformed bodies get a 4xx, never a 2xx or a 5xx, and privileged fields slipped
into a valid body (role, is_admin, price, user_id) are not taken (mass assignment).

Variants are built from the declared body (the fallback that works without an OpenAPI document).
Admin and webhook endpoints are left out: their side effects are not ours to trigger.
"""

from __future__ import annotations

import json
from typing import Any

from ..findings import Status
from ..net.errors import NetError
from .api_calls import call, excerpt, fill, token_of, values_for
from .base import CheckContext

OVERSIZED = 100_000
DEPTH = 2_000
PRIVILEGED = {"role": "admin", "is_admin": True, "price": 0, "user_id": "u_launch_audit_other"}


def _strings(body: dict) -> list[str]:
    return [k for k, v in body.items() if isinstance(v, str)]


def malformed(body: dict) -> dict[str, tuple[bytes, str]]:
    """Pure: label -> (raw body, content type) of every malformed variant of a valid JSON object body."""
    enc = lambda d: json.dumps(d).encode()  # noqa: E731
    keys = _strings(body)
    out: dict[str, tuple[bytes, str]] = {
        "invalid JSON": (enc(body)[:-1] + b",", "application/json"),
        "missing required fields": (b"{}", "application/json"),
        "a JSON array instead of an object": (b"[]", "application/json"),
        f"nesting {DEPTH} levels deep": (b'{"a":' * DEPTH + b"1" + b"}" * DEPTH, "application/json"),
        "the right JSON under text/plain": (enc(body), "text/plain"),
    }
    if keys:
        out["wrong types (numbers for strings)"] = (enc({**body, **{k: 12345 for k in keys}}), "application/json")
        out["wrong types (lists for strings)"] = (enc({**body, **{k: ["x"] for k in keys}}), "application/json")
        out[f"oversized strings ({OVERSIZED // 1000} KB)"] = (enc({**body, **{k: "A" * OVERSIZED for k in keys}}),
                                                              "application/json")
        out["a NUL byte"] = (enc({**body, keys[0]: "\u0000"}), "application/json")
        out["invalid UTF-8"] = (b'{"' + keys[0].encode() + b'": "\xff\xfe\xfd"}', "application/json")
    return out


def echoed_privilege(text: str) -> list[str]:
    """Pure: privileged values an answer repeats back (the server stored or applied them)."""
    try:
        doc: Any = json.loads(text)
    except ValueError:
        return []
    found = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k in PRIVILEGED and v == PRIVILEGED[k]:
                    found.append(f"{k}={v!r}")
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(doc)
    return found


async def check_input_validation(ctx: CheckContext):
    api = ctx.profile.api
    targets = [e for e in (api.endpoints if api else []) if e.method in ("POST", "PUT", "PATCH")
               and e.auth in ("public", "user") and isinstance(e.body, dict)]
    if not targets:
        yield ctx.finding(Status.SKIP, ctx.profile.domain, "no public or user endpoint with a declared JSON body")
        return
    token = token_of(ctx.profile, "a") if any(e.auth == "user" for e in targets) else None

    async def one(name: str):
        ep = next(e for e in targets if e.name == name)
        values = values_for(ctx.profile, "a")
        body = fill(ep.body, values)
        who = token if ep.auth == "user" else None
        bad, held, unjudged = [], [], []
        for label, (raw, ctype) in malformed(body).items():
            try:
                resp = await call(ctx, ep, token=who, values=values, content=raw, headers={"Content-Type": ctype},
                                  expect_throttle=True)
            except NetError as e:
                unjudged.append(f"{label}: {e.reason}")
                continue
            if resp.status == 429:          # the rate limiter answered, not the validation: no verdict
                unjudged.append(f"{label}: throttled (429)")
            elif resp.status >= 500 or 200 <= resp.status < 300:
                bad.append(f"{label} → {excerpt(resp, 80)}")
            else:
                held.append(resp.status)
        try:
            resp = await call(ctx, ep, token=who, values=values, body={**body, **PRIVILEGED}, expect_throttle=True)
            echoed = echoed_privilege(resp.text) if 200 <= resp.status < 300 else []
            if echoed or resp.status >= 500:
                bad.append(f"privileged fields {', '.join(PRIVILEGED)} → {excerpt(resp, 80)}"
                           + (f" (it took {', '.join(echoed)})" if echoed else ""))
        except NetError as e:
            unjudged.append(f"privileged fields: {e.reason}")
        where = f"{ep.method} {api.url(ep.path)}"
        if not bad and not held:
            return ctx.finding(Status.ERROR, name, f"{where}: no variant could be judged: {'; '.join(unjudged[:3])}")
        if bad:
            return ctx.finding(Status.FAIL, name, f"{where}: {'; '.join(bad)}. Validate every body against a "
                               "schema (types, required fields, lengths, content type) and answer 400/413/415/422",
                               details={"problems": bad})
        note = f" ({len(unjudged)} not judged: {unjudged[0]})" if unjudged else ""
        return ctx.finding(Status.PASS, name, f"{where}: {len(held)} malformed bodies refused with "
                           f"{', '.join(str(s) for s in sorted(set(held)))}; privileged fields not taken{note}")

    async for f in ctx.each([e.name for e in targets], one):
        yield f
