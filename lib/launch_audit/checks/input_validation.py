"""S4.input_validation: malformed bodies get a 4xx, never a 2xx or a 5xx, and privileged fields slipped
into a valid body (role, is_admin, price, user_id) are not taken (mass assignment).

Variants are built from the declared body (the fallback that works without an OpenAPI document).
Admin and webhook endpoints are left out, and so is any endpoint whose declared side effects reach beyond
the test account (a variant the server accepts is a write): after the probes, the test account's own
values are sent again. Long strings grow stepwise (1 KB, 10 KB, 100 KB) and stop at the first size that
takes markedly longer than the first: a server whose time grows with the input is reported before a
larger input can stall it.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from ..findings import Impact, Status
from ..net.errors import NetError, TargetTimeout
from ..net.watch import grows
from .api_calls import call, excerpt, fill, token_of, values_for
from .base import CheckContext

SIZES = (1_000, 10_000, 100_000)     # oversized strings, sent in this order
SLOW_S = 2.0                          # a step this slow is a stall on its own
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
        out["a NUL byte"] = (enc({**body, keys[0]: "\u0000"}), "application/json")
        out["invalid UTF-8"] = (b'{"' + keys[0].encode() + b'": "\xff\xfe\xfd"}', "application/json")
    return out


def oversized(body: dict, size: int) -> bytes:
    """Pure: the body with every string field ``size`` characters long."""
    return json.dumps({**body, **{k: "A" * size for k in _strings(body)}}).encode()


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
    candidates = [e for e in (api.endpoints if api else []) if e.method in ("POST", "PUT", "PATCH")
                  and e.auth in ("public", "user") and isinstance(e.body, dict)]
    if not candidates:
        yield ctx.finding(Status.SKIP, ctx.profile.domain, "no public or user endpoint with a declared JSON body")
        return
    for ep in candidates:
        if not ep.writable:
            yield ctx.finding(Status.SKIP, ep.name, ep.why_not_writable())
    targets = [e for e in candidates if e.writable]
    if not targets:
        return
    token = token_of(ctx.profile, "a") if any(e.auth == "user" for e in targets) else None
    one_size_at_a_time = asyncio.Lock()     # a stall one endpoint causes must not be timed as another's growth

    async def one(name: str):
        ep = next(e for e in targets if e.name == name)
        values = values_for(ctx.profile, "a")
        body = fill(ep.body, values)
        who = token if ep.auth == "user" else None
        where = f"{ep.method} {api.url(ep.path)}"
        bad, held, accepted = [], [], 0
        unjudged: list[tuple[str, str, str]] = []      # (label, why, "error" or "skip": not sent / lost to our outage)

        async def send(label: str, raw: bytes, ctype: str = "application/json"):
            nonlocal accepted
            send.error = None               # what the last request raised, for _grow
            try:
                resp = await call(ctx, ep, token=who, values=values, content=raw, headers={"Content-Type": ctype},
                                  expect_throttle=True, label=f"{label} to {ep.method} {ep.path}")
            except NetError as e:
                send.error = e
                unjudged.append((label, e.reason, e.status))
                return None
            if resp.status == 429:          # the rate limiter answered, not the validation: no verdict
                unjudged.append((label, "throttled (429)", "skip"))
                return None
            accepted += 200 <= resp.status < 300
            return resp

        for label, (raw, ctype) in malformed(body).items():
            resp = await send(label, raw, ctype)
            if resp is None:
                continue
            if resp.status >= 500 or 200 <= resp.status < 300:
                bad.append(f"{label} → {excerpt(resp, 80)}")
            else:
                held.append(resp.status)
        extra: list = []
        fields = " and ".join(f"`{k}`" for k in _strings(body))
        if fields:
            send.judged_as_growth = None
            async with one_size_at_a_time:
                growth = await _grow(send, body, fields, bad, held)
            if send.judged_as_growth:
                unjudged[:] = [u for u in unjudged if u[0] != send.judged_as_growth]
            if growth:
                extra.append(ctx.finding(Status.FAIL, f"{name} input size", f"{where}: {growth}. Bound the length "
                                         "before any pattern runs, and use linear-time patterns (RE2, or no nested "
                                         "quantifiers)", severity="high", impact=Impact.DOWNTIME,
                                         title="Long inputs do not slow the API down"))
        resp = await send("privileged fields", json.dumps({**body, **PRIVILEGED}).encode())
        if resp is not None:
            echoed = echoed_privilege(resp.text) if 200 <= resp.status < 300 else []
            if echoed or resp.status >= 500:
                bad.append(f"privileged fields {', '.join(PRIVILEGED)} → {excerpt(resp, 80)}"
                           + (f" (it took {', '.join(echoed)})" if echoed else ""))
        restored = ""
        if accepted and ep.changes_state:   # put the test account's own values back
            try:
                back = await call(ctx, ep, token=who, values=values, label=f"the test account's values to {ep.name}")
                restored = f"; {accepted} variant(s) were accepted, the declared body was sent again ({back.status})"
            except NetError as e:
                restored = (f"; {accepted} variant(s) were accepted and the declared body could not be sent "
                            f"again: {e.reason}")
        if bad:
            return [ctx.finding(Status.FAIL, name, f"{where}: {'; '.join(bad)}. Validate every body against a "
                                "schema (types, required fields, lengths, content type) and answer 400/413/415/422"
                                + restored, details={"problems": bad})] + extra
        refused = f"{len(held)} malformed bodies refused with {', '.join(str(s) for s in sorted(set(held)))}"
        if unjudged:        # a pass needs every variant answered: a timeout or a 429 says nothing of validation
            so_far = f"; {refused}" if held else ""
            failed = any(kind == "error" for _, _, kind in unjudged)
            shown = "; ".join(f"{label}: {why}" for label, why, _ in unjudged[:3])
            return [ctx.finding(Status.ERROR if failed else Status.SKIP, name,
                                f"{where}: {len(unjudged)} variants could not be judged ({shown})"
                                + so_far + restored, details={"unjudged": len(unjudged), "refused": len(held)})] + extra
        return [ctx.finding(Status.PASS, name, f"{where}: {refused}; privileged fields not taken" + restored,
                            details={"refused": len(held)})] + extra

    async for f in ctx.each([e.name for e in targets], one):
        yield f


def growth_text(fields: str, first: tuple[int, float], size: int, seen: str) -> str:
    """Pure: what the stepwise growth saw, for the evidence."""
    larger = [s for s in SIZES if s > size]
    return (f"a {first[0]:,}-character {fields} answered in {first[1]:.0f} ms, a {size:,}-character one {seen}: the "
            "time grows with the input's length, likely regular-expression backtracking (ReDoS); one request can tie "
            "up the server" + (f". {', '.join(f'{s:,}' for s in larger)} characters were not sent" if larger else ""))


async def _grow(send, body: dict, fields: str, bad: list, held: list) -> str | None:
    """Oversized strings, 1 KB then 10 KB then 100 KB: the largest is judged like any malformed body; a size that
    takes markedly longer than the first stops the growth and is returned as what was seen."""
    timings: list[tuple[int, float]] = []
    for size in SIZES:
        label = f"a {size:,}-character {fields}"
        resp = await send(label, oversized(body, size))
        if resp is None:
            if timings and isinstance(send.error, TargetTimeout):    # the longest answer of all: none
                send.judged_as_growth = label       # this step is the growth finding, not an unjudged variant
                return growth_text(fields, timings[0], size, f"got no answer ({send.error.reason})")
            return None
        if resp.status >= 500:
            bad.append(f"oversized strings ({size:,} characters) → {excerpt(resp, 80)}")
            return None
        ms = resp.latency_ms
        if timings and grows(timings[0][1], ms) and ms < SLOW_S * 1000:
            again_first = await send(f"a {SIZES[0]:,}-character {fields} (again)", oversized(body, SIZES[0]))
            again = await send(f"{label} (again)", oversized(body, size))
            if again_first is None or again is None or not grows(again_first.latency_ms, again.latency_ms):
                timings.append((size, ms))
                continue                    # a one-off delay, not the input's length
            ms = again.latency_ms
        if timings and grows(timings[0][1], ms):
            return growth_text(fields, timings[0], size, f"in {ms / 1000:.1f} s ({resp.status})")
        timings.append((size, ms))
        if size == SIZES[-1]:
            if 200 <= resp.status < 300:
                bad.append(f"oversized strings ({size // 1000} KB) → {excerpt(resp, 80)}")
            else:
                held.append(resp.status)
    return None
