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
import re
from collections.abc import Iterator
from typing import Any

from ..findings import Impact, Status
from ..net.errors import TargetTimeout
from ..net.watch import grows
from .api_calls import call, excerpt, fill, read_own, token_of, values_for
from .api_inventory import openapi_document
from .base import CheckContext, Unanswered
from .browser_trust import login_sets_cookie

SIZES = (1_000, 10_000, 100_000)     # oversized strings, sent in this order
SLOW_S = 2.0                          # a step this slow is a stall on its own
DEPTH = 2_000
PRIVILEGED = {"role": "admin", "is_admin": True, "price": 0, "user_id": "u_launch_audit_other"}
# words in a field's name that say it grants something (matched as whole words of the key, after the
# API's own objects and its OpenAPI schemas are read for names like `admin`, `is_staff`, `balance`)
PRIVILEGE_WORDS = frozenset("""role roles admin administrator staff superuser super verified approved balance credit
    credits price discount plan tier permission permissions scope scopes group groups owner vip premium
    subscription trusted internal""".split())
_KEY_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")

# what a 2xx to each kind of malformed body means (a 5xx is always a failure, a 4xx always right)
KIND_VERDICT = {
    "syntax": ("fail", "invalid JSON was accepted: the body is not parsed, or a parse error is swallowed"),
    "shape": ("fail", "a body of the wrong shape was accepted: required fields and the top-level type are not "
                      "checked"),
    "type": ("fail", "wrong types were accepted: values reach the code unchecked"),
    "content_type": ("warn", "JSON sent as text/plain was accepted: the content type is not checked"),
    "control": ("warn", "control characters or broken UTF-8 were accepted: they reach storage and logs "
                        "unescaped"),
    "depth": ("warn", "a body nested 2,000 levels deep was accepted: bound the nesting depth"),
    "size": ("warn", "a 100,000-character string was accepted: there is no length limit"),
}


def variant_kind(label: str) -> str:
    """Pure: which kind of malformed body a variant's label names."""
    for prefix, kind in (("invalid JSON", "syntax"), ("missing required", "shape"), ("a JSON array", "shape"),
                         ("wrong types", "type"), ("the right JSON under", "content_type"), ("a NUL", "control"),
                         ("invalid UTF-8", "control"), ("nesting", "depth"), ("oversized", "size")):
        if label.startswith(prefix):
            return kind
    return "size"


def judge_variant(label: str, status: int, cookie_session: bool | None = None) -> tuple[str, str]:
    """Pure: (pass/warn/fail, why) of one malformed variant's answer. JSON under text/plain is a failure
    where the API takes a session cookie: a cross-site HTML form can send exactly that."""
    if status >= 500:
        return "fail", f"a server error ({status}) instead of a 4xx"
    if not 200 <= status < 300:
        return "pass", f"refused ({status})"
    kind = variant_kind(label)
    verdict, why = KIND_VERDICT[kind]
    if kind == "content_type" and cookie_session:
        return "fail", why + ", and the login sets a session cookie: a cross-site form can send this request"
    if kind == "content_type" and cookie_session is None:
        why += " (a failure if this API takes a session cookie: a cross-site form could send it)"
    return verdict, why


def _fields(node: Any, limit: int, under_properties: bool = False) -> Iterator[tuple[str, Any, bool]]:
    """Pure: (key, value, is it a schema's property) of every field in a JSON document, depth first, at most
    ``limit`` items of each list."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield str(k), v, under_properties
            yield from _fields(v, limit, k == "properties")
    elif isinstance(node, list):
        for v in node[:limit]:
            yield from _fields(v, limit)


def privileged_names(*docs: Any) -> set[str]:
    """Pure: field names in the API's own objects and OpenAPI schemas that say they grant something."""
    return {k for doc in docs for k, v, in_properties in _fields(doc, 50)
            if (in_properties or not isinstance(v, (dict, list)))
            and {w.lower() for w in _KEY_WORD.findall(k)} & PRIVILEGE_WORDS}


def privileged_value(name: str, current: Any) -> Any:
    """Pure: the value that would grant something, given what the field holds now."""
    if isinstance(current, bool):
        return not current
    if isinstance(current, (int, float)):
        low = name.lower()
        return 0 if any(w in low for w in ("price", "cost", "amount")) else current + 1_000_000
    if isinstance(current, list):
        return [*current, "admin"]
    return PRIVILEGED.get(name, "admin" if isinstance(current, str) or current is None else True)


def field_values(docs: list[Any], names: set[str]) -> dict[str, Any]:
    """Pure: name -> the first value found for it anywhere in ``docs``."""
    out: dict[str, Any] = {}
    for doc in docs:
        for k, v, _ in _fields(doc, 200):
            if k in names and k not in out and not isinstance(v, dict):
                out[k] = v
    return out


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
    one_write_at_a_time = asyncio.Lock()    # a privileged field read back must be this endpoint's doing
    # mass assignment: the field names the API itself uses (its objects, its schemas), judged by reading back
    _, doc = await openapi_document(ctx)
    own_before = [d for _, d in await read_own(ctx, "a")] if token else []
    names = privileged_names(*own_before, doc or {}) | set(PRIVILEGED)
    cookie: dict[str, bool | None] = {}

    async def cookie_session() -> bool | None:
        if "v" not in cookie:
            cookie["v"] = await login_sets_cookie(ctx)
        return cookie["v"]

    async def one(name: str):
        ep = next(e for e in targets if e.name == name)
        values = values_for(ctx.profile, "a")
        body = fill(ep.body, values)
        who = token if ep.auth == "user" else None
        where = f"{ep.method} {api.url(ep.path)}"
        rows: list[dict] = []                   # one per variant: what was sent, the answer, the verdict
        accepted = 0
        unjudged: list[tuple[str, str, str]] = []      # (label, why, "error" or "skip": not sent / lost to our outage)

        async def send(label: str, raw: bytes, ctype: str = "application/json"):
            nonlocal accepted
            # a 429 is waited out and the variant sent again: the limiter's answer is not the validation's
            resp = await ctx.attempt(call(ctx, ep, token=who, values=values, content=raw, label=f"{label} to "
                                          f"{ep.method} {ep.path}", headers={"Content-Type": ctype}))
            send.error = resp.error if isinstance(resp, Unanswered) else None     # what _grow reads
            if isinstance(resp, Unanswered):
                unjudged.append((label, resp.reason, resp.status))
                return None
            if resp.status == 429:          # still the rate limiter's answer, not the validation's: no verdict
                unjudged.append((label, "throttled (429)", "skip"))
                return None
            accepted += 200 <= resp.status < 300
            return resp

        async def judge(label: str, resp) -> None:
            session = await cookie_session() if variant_kind(label) == "content_type" and resp.status < 300 else None
            verdict, why = judge_variant(label, resp.status, session)
            rows.append({"variant": label, "status": resp.status, "verdict": verdict, "why": why,
                         "answer": excerpt(resp, 80)})

        for label, (raw, ctype) in malformed(body).items():
            resp = await send(label, raw, ctype)
            if resp is not None:
                await judge(label, resp)
        extra: list = []
        fields = " and ".join(f"`{k}`" for k in _strings(body))
        if fields:
            send.judged_as_growth = None
            async with one_size_at_a_time:
                growth = await _grow(send, body, fields, rows)
            if send.judged_as_growth:
                unjudged[:] = [u for u in unjudged if u[0] != send.judged_as_growth]
            if growth:
                extra.append(ctx.finding(Status.FAIL, f"{name} input size", f"{where}: {growth}. Bound the length "
                                         "before any pattern runs, and use linear-time patterns (RE2, or no nested "
                                         "quantifiers)", severity="high", impact=Impact.DOWNTIME,
                                         title="Long inputs do not slow the API down"))
        async with one_write_at_a_time:
            taken, restored_fields = await _mass_assignment(ctx, ep, who, body, names, own_before, send, rows,
                                                            unjudged)
        restored = ""
        if accepted and ep.changes_state:   # put the test account's own values back
            back = await ctx.attempt(call(ctx, ep, token=who, values=values,
                                          label=f"the test account's values to {ep.name}"))
            restored = (f"; {accepted} variant(s) were accepted and the declared body could not be sent again: "
                        f"{back.reason}" if isinstance(back, Unanswered) else
                        f"; {accepted} variant(s) were accepted, the declared body was sent again ({back.status})")
        status, evidence, details = judge_endpoint(where, rows, unjudged, taken, restored + restored_fields)
        return [ctx.finding(status, name, evidence, details=details)] + extra

    async for f in ctx.each([e.name for e in targets], one):
        yield f


def judge_endpoint(where: str, rows: list[dict], unjudged: list[tuple[str, str, str]], taken: str,
                   restored: str) -> tuple[Status, str, dict]:
    """Pure: one endpoint's verdict from its variants. ``rows``: the variants answered, each judged
    (``variant``, ``status``, ``verdict``, ``why``, ``answer``); ``unjudged``: (label, why, "error" or "skip")
    for those that got no answer to judge; ``taken``: the privileged fields tried; ``restored``: what was put
    back. A failure is reported whatever else happened; a pass needs every variant answered (a timeout or a
    429 says nothing of validation)."""
    details: dict[str, Any] = {"variants": rows, "tried": {"variants answered": len(rows)}}
    fails = [r for r in rows if r["verdict"] == "fail"]
    warns = [r for r in rows if r["verdict"] == "warn"]

    def shown(rs: list[dict]) -> str:
        return "; ".join(f"{r['variant']} → {r['answer']} ({r['why']})" for r in rs)

    if fails:
        also = f". Also: {shown(warns)}" if warns else ""
        return (Status.FAIL, f"{where}: {shown(fails)}{also}. Validate every body against a schema (types, required "
                "fields, lengths, content type) and answer 400/413/415/422" + restored,
                {**details, "problems": [r["variant"] for r in fails]})
    if unjudged:
        held = [r for r in rows if r["verdict"] == "pass"]
        so_far = f"; {len(held)} malformed bodies refused" if held else ""
        failed = any(kind == "error" for _, _, kind in unjudged)
        listed = "; ".join(f"{label}: {why}" for label, why, _ in unjudged[:3])
        return (Status.ERROR if failed else Status.SKIP,
                f"{where}: {len(unjudged)} variants could not be judged ({listed})" + so_far + restored,
                {**details, "unjudged": len(unjudged)})
    if warns:
        return Status.WARN, f"{where}: {shown(warns)}; everything else was refused" + restored, details
    statuses = ", ".join(str(s) for s in sorted({r["status"] for r in rows}))
    return (Status.PASS, f"{where}: {len(rows)} malformed or privileged bodies refused with {statuses}; privileged "
            f"fields not taken ({taken})" + restored, details)


async def _mass_assignment(ctx: CheckContext, ep, who: str | None, body: dict, names: set[str], before: list,
                           send, rows: list[dict], unjudged: list) -> tuple[str, str]:
    """The declared body plus every privileged field, each set to what would grant something; taken when the
    answer echoes it or the test account's own objects (``before``: read before any probe) read back now
    hold something else in it. Returns (what was tried, what was put back)."""
    fields = sorted(n for n in names if n not in body)
    current = field_values(before, set(fields))
    sent = {n: privileged_value(n, current.get(n)) for n in fields}
    label = "privileged fields"
    resp = await send(label, json.dumps({**body, **sent}).encode())
    tried = ", ".join(fields[:8]) + (f" and {len(fields) - 8} more" if len(fields) > 8 else "")
    if resp is None:
        return tried, ""
    if resp.status >= 500 or not 200 <= resp.status < 300:
        rows.append({"variant": label, "status": resp.status, "answer": excerpt(resp, 80),
                     "verdict": "fail" if resp.status >= 500 else "pass",
                     "why": f"a server error ({resp.status})" if resp.status >= 500 else f"refused ({resp.status})"})
        return tried, ""
    echoed = [f"{k}={v!r}" for k, v in field_values([_json(resp.text)], set(sent)).items() if v == sent[k]]
    read = await ctx.attempt(read_own(ctx, "a", strict=True)) if who else []
    if isinstance(read, Unanswered) and not echoed:     # accepted, not read back: nothing says if it was taken
        unjudged.append((label, f"accepted ({resp.status}), and the read-back got no answer: {read.reason}",
                         read.status))
        return tried, ""
    after = {} if isinstance(read, Unanswered) else field_values([d for _, d in read], set(sent))
    stored = {k: v for k, v in after.items() if v != current.get(k)}      # our body is the only change
    taken = sorted(set(echoed) | {f"{k}={v!r}" for k, v in stored.items()})
    how = (" (read back from the test account's own objects)" if stored else " (echoed in the answer)")
    rows.append({"variant": label, "status": resp.status, "answer": excerpt(resp, 80),
                 "verdict": "fail" if taken else "pass",
                 "why": f"it took {', '.join(taken)}{how}" if taken else "accepted, but no privileged field was "
                        "taken (not echoed, and the test account's objects did not change)"})
    if not stored:
        return tried, ""
    # put what the test account held back (send and read_own record a lost request, never raise)
    back = await send("the privileged fields' old values",
                      json.dumps({**body, **{k: current.get(k) for k in stored}}).encode())
    again = field_values([d for _, d in await read_own(ctx, "a")], set(stored))
    undone = all(again.get(k) == current.get(k) for k in stored)
    answer = back.status if back is not None else "no answer"
    outcome = "restored" if undone else "NOT restored, set them back by hand"
    return tried, f"; the old values of {', '.join(stored)} were sent back ({answer}): {outcome}"


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def growth_text(fields: str, first: tuple[int, float], size: int, seen: str) -> str:
    """Pure: what the stepwise growth saw, for the evidence."""
    larger = [s for s in SIZES if s > size]
    return (f"a {first[0]:,}-character {fields} answered in {first[1]:.0f} ms, a {size:,}-character one {seen}: the "
            "time grows with the input's length, likely regular-expression backtracking (ReDoS); one request can tie "
            "up the server" + (f". {', '.join(f'{s:,}' for s in larger)} characters were not sent" if larger else ""))


async def _grow(send, body: dict, fields: str, rows: list[dict]) -> str | None:
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
            rows.append({"variant": f"oversized strings ({size:,} characters)", "status": resp.status,
                         "verdict": "fail", "why": f"a server error ({resp.status})", "answer": excerpt(resp, 80)})
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
            verdict, why = judge_variant("oversized", resp.status)
            rows.append({"variant": f"oversized strings ({size:,} characters)", "status": resp.status,
                         "verdict": verdict, "why": why, "answer": excerpt(resp, 80)})
    return None
