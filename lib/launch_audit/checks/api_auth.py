"""Who may call what: S1.unauth_access (no credentials), S4.authn_required (forged and stale tokens),
S4.bola (user A with user B's ids) and S4.bfla (a customer at admin endpoints).

Every refusal is only believed when the same request with a real token works: a broken endpoint is
never mistaken for a protected one.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, replace
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from ..findings import Finding, Status
from ..personal_data import mask, personal_values
from ..profile import MissingSecret
from ..redteam.markers import derive, leaked
from .api_calls import Operation, alg_none, call, excerpt, fill, granted, refusal_body, tampered, token_of, values_for
from .api_inventory import described_operations, normalize, openapi_document, probe_refusal
from .base import CheckContext, Unanswered
from .token_keys import guess_key

REFUSED = (401, 403)


def _endpoints(ctx: CheckContext, *auths: str):
    api = ctx.profile.api
    return [e for e in (api.endpoints if api else []) if e.auth in auths]


async def check_unauth_access(ctx: CheckContext):
    api = ctx.profile.api
    if api is None:
        yield ctx.finding(Status.SKIP, ctx.profile.domain, "no api section in the profile")
        return
    targets = {f"{e.method} {e.path}": e for e in _endpoints(ctx, "user", "admin")}
    # operations the site publishes but the profile does not declare: only when the profile opts in, one
    # GET/HEAD each, never one that names a state change or has a placeholder we cannot fill
    if ctx.profile.scope.probe_discovered:
        declared = declared_operations(ctx)
        _, doc = await openapi_document(ctx)
        values = values_for(ctx.profile)
        for method, path, secured, words in described_operations(doc or {}):
            undeclared = (method, normalize(path)) not in declared
            if undeclared and probe_refusal(method, path, words, values) is None:
                targets.setdefault(f"{method} {path}", Operation(method, path, documented_secured=secured))

    async def one(key: str):
        ep = targets[key]
        body = refusal_body(ep)
        resp = await call(ctx, ep, active=False, body=body)     # no answer: ctx.each says why, for this key
        where = f"{ep.method} {api.url(fill(ep.path, values_for(ctx.profile)))}"
        if granted(resp) and isinstance(ep, Operation):
            return _documented_open(ctx, key, ep, where, resp)
        status, evidence = judge_unauth(where, resp.status, granted(resp), excerpt(resp, 100),
                                        ep.effects if body is not None else None)
        return ctx.finding(status, key, evidence, details={"status": resp.status})

    if not targets:
        yield ctx.finding(Status.SKIP, ctx.profile.domain, "no endpoint is declared as needing a login")
        return
    async for f in ctx.each(targets, one):
        yield f


def judge_authn(where: str, answers: list[tuple[str, int, bool, str]], real_status: int) -> tuple[Status, str, dict]:
    """Pure: (token variant, status, let in, excerpt) for each forged, stale or missing token, given that A's
    real token works (``real_status``) → the verdict."""
    got_in = [(label, shown) for label, _, let_in, shown in answers if let_in]
    if got_in:
        shown = "; ".join(f"{label} → {answer}" for label, answer in got_in)
        return Status.FAIL, (f"{where} lets in {shown}. Verify the signature with a fixed algorithm list and reject "
                             "expired tokens"), {"accepted": [label for label, _ in got_in]}
    broken = [(label, shown) for label, status, _, shown in answers if status >= 500]
    if broken:                  # a server error is neither a refusal nor access
        return Status.ERROR, f"{where}: {broken[0][0]} → {broken[0][1]}: cannot tell a refusal from a broken " \
                             "endpoint", {}
    tried = ", ".join(f"{label} ({status})" for label, status, _, _ in answers)
    return Status.PASS, f"{where} refused {tried}; A's real token works ({real_status})", {}


def judge_unauth(where: str, status: int, got_in: bool, shown: str, empty_body_for: str | None) -> tuple[Status, str]:
    """Pure: one request without credentials → the verdict. ``empty_body_for``: the side effects for which
    ``{}`` was sent instead of the declared body (a validation error is then not a refusal of the login)."""
    if status >= 500:
        return Status.ERROR, f"{where} without credentials → {shown}: a server error is neither a refusal nor access"
    if got_in:
        return Status.FAIL, f"answers without any credentials: {where} → {shown}"
    if empty_body_for is not None and status not in REFUSED:
        return Status.WARN, (f"{where} without credentials, sent an empty body (its side effects are "
                             f"{empty_body_for}, so the declared body is not sent) → {status}, not 401/403: the body "
                             "may be checked before the login, or there is no login check. Verify by hand")
    return Status.PASS, f"refused without credentials ({status})"


def judge_bfla(where: str, answers: list[tuple[str, int, bool, str]], empty_body_for: str | None
               ) -> tuple[Status, str]:
    """Pure: (who, status, let in, excerpt) for a customer's token and for no token at an admin endpoint →
    the verdict (a pass says who was refused; the check adds what the admin token got)."""
    by = {who: (status, got_in, shown) for who, status, got_in, shown in answers}
    customer, anonymous = by["a customer token"], by["no token"]
    if customer[0] >= 500 and anonymous[0] in REFUSED:
        # the login check let the customer through to the handler, which then failed: no role check before it
        return Status.WARN, (f"{where}: a customer token → {customer[2]}, while no token is refused "
                             f"({anonymous[0]}). The customer got past the login check into the admin handler, which "
                             "crashed: the role is not checked first. Not a refusal; verify by hand what a customer "
                             "can make it do")
    broken = [(who, shown) for who, status, _, shown in answers if status >= 500]
    if broken:
        return Status.ERROR, (f"{where}: {broken[0][0]} → {broken[0][1]}: a server error is neither a refusal nor "
                              "access; cannot judge")
    let_in = [(who, shown) for who, _, got_in, shown in answers if got_in]
    if let_in:
        shown = "; ".join(f"{who} → {answer}" for who, answer in let_in)
        return Status.FAIL, f"admin endpoint {where} accepts {shown}: check the role on the server for every admin " \
                            "action"
    unclear = [(who, status) for who, status, _, _ in answers if empty_body_for is not None and status not in REFUSED]
    if unclear:
        shown = "; ".join(f"{who} → {status}" for who, status in unclear)
        return Status.WARN, (f"{where} with an empty body (its side effects are {empty_body_for}, so the declared "
                             f"body is not sent): {shown}, not 401/403. The role may be checked after the body, or "
                             "not at all: verify by hand")
    return Status.PASS, f"{where} refuses a customer ({customer[0]}) and nobody ({anonymous[0]})"


def declared_operations(ctx: CheckContext) -> set[tuple[str, str]]:
    """(METHOD, normalized path) of what the profile declares, the health path included, each also without
    the API base URL's own path (a document may list /v1/orders or /orders for the same operation)."""
    api = ctx.profile.api
    assert api is not None
    prefix = urlsplit(api.base_url).path.rstrip("/")
    paths = [(e.method, e.path) for e in api.endpoints] + ([("GET", api.health_path)] if api.health_path else [])
    out = set()
    for method, path in paths:
        out.add((method, normalize(path)))
        out.add((method, normalize(prefix + path if prefix and not path.startswith(prefix) else path)))
        if prefix and path.startswith(prefix + "/"):
            out.add((method, normalize(path[len(prefix):])))
    return out


def _documented_open(ctx: CheckContext, key: str, op: Operation, where: str, resp) -> Finding:
    """An undeclared operation from the API's document answered without credentials: a fail when the document
    says it needs them or the answer holds personal data; else a warn to confirm it is meant to be public."""
    try:
        people = sorted(personal_values(json.loads(resp.text)))
    except ValueError:
        people = []
    shown = f"{len(people)} personal values, e.g. {mask(people[0])}" if people else ""
    details = {"status": resp.status, "documented_secured": op.documented_secured, "personal_values": len(people)}
    if people:
        return ctx.finding(Status.FAIL, key, f"answers without any credentials with personal data ({shown}): "
                           f"{where} → {resp.status}. Not in the profile's inventory: require a login, or remove it",
                           details=details)
    if op.documented_secured:
        return ctx.finding(Status.FAIL, key, f"the API's document says {op.method} {op.path} needs credentials, "
                           f"yet it answers without any: {where} → {excerpt(resp)}", details=details)
    return ctx.finding(Status.WARN, key, f"documented without auth: confirm it is meant to be public. {where} "
                       f"answers without credentials ({resp.status}, no personal data seen) and is not in the "
                       "profile: declare it with auth: public, or require a login", details=details)


async def check_authn_required(ctx: CheckContext):
    endpoints = _endpoints(ctx, "user")
    if not endpoints:
        yield ctx.finding(Status.SKIP, ctx.profile.domain, "no endpoint declared with auth: user")
        return
    token = token_of(ctx.profile, "a")                  # MissingSecret → the runner makes this a skip
    expired = None
    user_a = ctx.profile.api.users.a if ctx.profile.api and ctx.profile.api.users else None
    if user_a and user_a.expired_token_env:
        try:
            expired = ctx.profile.secret(user_a.expired_token_env)
        except MissingSecret:
            expired = None
    variants = {"no token": None, "a garbage token": "launch-audit-not-a-token",
                "a token with a tampered payload": tampered(token), "an alg:none JWT of A's claims": alg_none(token),
                "A's expired token": expired}

    async def one(name: str):
        ep = next(e for e in endpoints if e.name == name)
        if not ep.writable:       # the control (A's real token) would be accepted, and so would write
            return ctx.finding(Status.SKIP, name, ep.why_not_writable())
        real = await call(ctx, ep, token=token)                 # no answer: ctx.each says why, for this name
        if not 200 <= real.status < 300:
            return ctx.finding(Status.ERROR, name, f"{ep.method} {ep.path} with A's real token answers "
                               f"{excerpt(real)}: cannot tell a refusal from a broken endpoint")
        answers = []
        for label, forged in variants.items():
            if forged is None and label != "no token":
                continue
            resp = await call(ctx, ep, token=forged)
            answers.append((label, resp.status, granted(resp), excerpt(resp, 100)))
        where = f"{ep.method} {ctx.profile.api.url(fill(ep.path, values_for(ctx.profile)))}"
        status, evidence, details = judge_authn(where, answers, real.status)
        return ctx.finding(status, name, evidence, details=details)

    async for f in ctx.each([e.name for e in endpoints], one):
        yield f
    yield await asyncio.to_thread(signing_key_finding, ctx, token)


def signing_key_finding(ctx: CheckContext, token: str) -> Finding:
    """A's own token against common secrets, offline: a guessable HMAC key lets anyone mint any user's token."""
    names = [ctx.profile.client, *ctx.profile.domain.split("."), ctx.profile.domain]
    found = guess_key(token, names)
    target = "A's token signing key"
    if found.alg is None:
        return ctx.finding(Status.SKIP, target, "A's token is not an HMAC-signed JWT (HS256/384/512): its key "
                           "cannot be guessed offline")
    tried = {"keys guessed offline": found.tried}
    if found.key is not None:
        return ctx.finding(Status.FAIL, target, f"A's token is signed {found.alg} with a guessable secret "
                           f"({found.redacted()}, guess {found.tried:,} of a common-secrets list): anyone can mint a "
                           "token for any user, admin included. Sign with 32+ random bytes from the host's secret "
                           "store, then rotate it (every issued token becomes invalid)",
                           title="Tokens are signed with a key nobody can guess", details={"tried": tried})
    return ctx.finding(Status.PASS, target, f"A's {found.alg} token resists {found.tried:,} common secrets and the "
                       "client's own names (no request sent)", title="Tokens are signed with a key nobody can guess",
                       details={"tried": tried})


@dataclass(frozen=True)
class Read:
    """A's token on one of B's ids, as the pure judge sees it."""

    other: str                      # B's id
    where: str                      # "GET https://…/orders/3001"
    status: int
    granted: bool
    excerpt: str
    found: tuple[str, ...] = ()     # B's data in the answer (derived markers)
    same: bool = False              # exactly what B's own token reads there
    comparable: bool = True         # anything known of B's data to compare with


def judge_bola_read(resource: str, where: str, own: tuple[str, int, bool, str],
                    reads: list[Read]) -> tuple[Status, str, dict]:
    """Pure: A's own object must answer (else nothing can be told apart); then B's data in an answer to A
    is a leak, an answer without it is a question, a 5xx is neither, and refusals of all pass."""
    own_id, own_status, own_granted, own_excerpt = own
    if not own_granted:
        return (Status.ERROR, f"A's own {resource} {own_id} answers {own_excerpt}: cannot tell protection from a "
                "broken endpoint", {})
    leaks = [x for x in reads if x.granted and (x.found or x.same or not x.comparable)]
    if leaks:
        x = leaks[0]
        found = list(x.found) or (["the answer B's own token gets"] if x.same else [])
        proof = (f"B's data in the answer ({', '.join(found)})" if found
                 else "2xx (nothing known of B's data to compare: give user B a token)")
        return (Status.FAIL, f"user A reads user B's {resource} {x.other}: {x.where} with A's token → {x.status}, "
                f"{proof}. Check the owner on every object lookup", {"ids": [y.other for y in leaks], "markers": found})
    unclear = [x for x in reads if x.granted]
    if unclear:
        return (Status.WARN, f"A's token on B's {resource} {unclear[0].other} answers {unclear[0].status} without "
                "B's data: check by hand what it returns", {})
    broken = [x for x in reads if x.status >= 500]
    if broken:                  # a server error is neither a refusal nor access
        return (Status.ERROR, f"{where}: A's token on B's {resource} {broken[0].other} → {broken[0].excerpt}: cannot "
                "tell a refusal from a broken endpoint", {})
    return (Status.PASS, f"{where}: B's {resource} refused to A ({', '.join(str(x.status) for x in reads)}); A's own "
            f"works ({own_status})", {})


@dataclass(frozen=True)
class Write:
    """A's token writing B's object, and what B's own read-back showed."""

    where: str
    status: int
    excerpt: str
    read_back: bool                 # B's object was read with B's token before and after
    changed: bool = False
    after: str = ""                 # an excerpt of B's read after the write
    restored: str = ""              # how B's values were put back


def judge_bola_write(resource: str, other: str, own: tuple[str, int, str], w: Write) -> tuple[Status, str, dict]:
    """Pure: judged by its effect on B's object, never by the reply alone (a 204 has no body)."""
    own_id, own_status, own_excerpt = own
    if not 200 <= own_status < 300:
        return (Status.ERROR, f"A's own {resource} {own_id} answers {own_excerpt}: cannot tell protection from a "
                "broken endpoint", {})
    if w.status >= 500:
        return (Status.ERROR, f"{w.where} with A's token → {w.excerpt}: a server error is neither a refusal nor "
                "access; cannot judge", {})
    if not w.read_back:
        if 200 <= w.status < 300:
            return (Status.WARN, f"{w.where} with A's token → {w.status}: the write to B's {resource} was accepted; "
                    f"no GET of {resource} (or no token for B) to read its effect back: confirm by hand whether B's "
                    "object changed", {})
        return (Status.PASS, f"{w.where}: A's write to B's {resource} refused ({w.status}); A's own works "
                f"({own_status})", {})
    if w.changed:
        return (Status.FAIL, f"user A changes user B's {resource} {other}: {w.where} with A's token → {w.status}, and "
                f"B's own read of it changed ({w.after}). Check the owner on every write; {w.restored}",
                {"ids": [other], "status": w.status})
    accepted = f" (it answered {w.status}, but nothing changed)" if 200 <= w.status < 300 else ""
    return (Status.PASS, f"{w.where}: A's write left B's {resource} as it was, read back with B's token "
            f"({w.status}){accepted}; A's own works ({own_status})", {})


async def check_bola(ctx: CheckContext):
    api = ctx.profile.api
    endpoints = [e for e in _endpoints(ctx, "user", "admin") if e.resource]
    if not endpoints or api is None or api.users is None:
        yield ctx.finding(Status.SKIP, ctx.profile.domain, "no endpoint with a resource: placeholder, or no users a/b")
        return
    token = token_of(ctx.profile, "a")
    try:
        b_token = token_of(ctx.profile, "b")
    except MissingSecret:
        b_token = None
    b = api.users.b
    one_write_at_a_time = asyncio.Lock()        # a read-back must see only this endpoint's write

    async def one(name: str):
        ep = next(e for e in endpoints if e.name == name)
        if not ep.writable:
            return ctx.finding(Status.SKIP, name, ep.why_not_writable())
        theirs = b.owns.get(ep.resource, [])
        if not theirs:
            return ctx.finding(Status.SKIP, name, f"users.b.owns has no {ep.resource} ids")
        if ep.changes_state:                # a request that gets no answer: ctx.each says why, for this name
            async with one_write_at_a_time:
                return await _bola_write(ctx, ep, token, b_token, theirs[0])
        return await _bola_read(ctx, ep, token, b_token, theirs)

    async for f in ctx.each([e.name for e in endpoints], one):
        yield f


async def _bola_read(ctx: CheckContext, ep, token: str, b_token: str | None, theirs: list[str]) -> Finding:
    """A's token on B's ids. A leak is shown by B's own data in the answer: B's markers (derived from what
    B's token reads there, minus what A's own object holds, plus the declared ones), or B's exact answer."""
    api, b = ctx.profile.api, ctx.profile.api.users.b
    own = values_for(ctx.profile, "a")
    control = await call(ctx, ep, token=token, values=own)
    reads = []
    for other in theirs if granted(control) else []:
        values = values_for(ctx.profile, "a", **{ep.resource: other})
        reference = None
        if b_token:                          # what B's own token reads there: the data a leak would show
            mine = await call(ctx, ep, token=b_token, values=values_for(ctx.profile, "b", **{ep.resource: other}))
            reference = mine if granted(mine) else None
        markers = derive([_json(reference.text)] if reference else [], [_json(control.text)], b.email, [], b.markers)
        url = api.url(fill(ep.path, values))
        resp = await call(ctx, ep, token=token, values=values)
        let_in = granted(resp)
        reads.append(Read(other, f"{ep.method} {url}", resp.status, let_in, excerpt(resp, 100),
                          tuple(leaked(resp.text, markers, sent=[url])) if let_in else (),
                          let_in and reference is not None and resp.text.strip() == reference.text.strip(),
                          bool(markers or reference)))
    status, evidence, details = judge_bola_read(
        ep.resource, f"{ep.method} {api.url(ep.path)}",
        (own.get(ep.resource), control.status, granted(control), excerpt(control)), reads)
    return ctx.finding(status, ep.name, evidence, details=details)


async def _bola_write(ctx: CheckContext, ep, token: str, b_token: str | None, other: str) -> Finding:
    """A's token writes B's object. Judged by its effect, not the reply (a 204 has no body to read): B reads
    the object back with B's own token through a declared GET of the same resource, and B's values are put
    back. Without such a GET, a 2xx is a warning to confirm by hand."""
    api = ctx.profile.api
    own = values_for(ctx.profile, "a")
    mine = values_for(ctx.profile, "b", **{ep.resource: other})
    theirs = values_for(ctx.profile, "a", **{ep.resource: other})
    where = f"{ep.method} {api.url(fill(ep.path, theirs))}"
    control = await call(ctx, ep, token=token, values=own, label=f"A's own {ep.resource} to {ep.name}")
    verdict = partial(judge_bola_write, ep.resource, other, (own.get(ep.resource), control.status, excerpt(control)))
    if not 200 <= control.status < 300:
        status, evidence, details = verdict(Write(where, 0, "", read_back=False))
        return ctx.finding(status, ep.name, evidence, details=details)
    reader = next((e for e in api.endpoints if e.resource == ep.resource and e.method == "GET"
                   and not e.changes_state), None)
    before = None
    if reader is not None and b_token:
        first = await call(ctx, reader, token=b_token, values=mine, active=False, label=f"B's own {ep.resource}")
        before = first.text if granted(first) else None
    body = _distinct(fill(ep.body, theirs), before)
    resp = await call(ctx, ep, token=token, values=theirs, body=body, label=f"A's token writing B's {ep.resource}")
    write = Write(where, resp.status, excerpt(resp, 100), read_back=before is not None and resp.status < 500)
    if write.read_back:
        after = await call(ctx, reader, token=b_token, values=mine, active=False,
                           label=f"B's own {ep.resource}, again")
        changed = granted(after) and after.text != before
        restored = await _put_back(ctx, ep, b_token, mine, before) if changed else ""  # type: ignore[arg-type]
        write = replace(write, changed=changed, after=excerpt(after, 80), restored=restored)
    status, evidence, details = verdict(write)
    return ctx.finding(status, ep.name, evidence, details=details)


def _distinct(body: Any, before: str | None) -> Any:
    """Pure: the declared body with each string made to differ from what B's object holds, so a write that
    went through shows in the read-back."""
    if not isinstance(body, dict):
        return body
    held = _json(before) if before else None
    out = {}
    for k, v in body.items():
        if isinstance(v, str) and isinstance(held, dict) and held.get(k) == v:
            v = f"{v} (launch-audit)"
        out[k] = v
    return out


async def _put_back(ctx: CheckContext, ep, b_token: str, values: dict, before: str) -> str:
    """B's own values back, with B's own token: the declared body's fields taken from B's earlier read."""
    held = _json(before)
    if not isinstance(held, dict) or not isinstance(ep.body, dict):
        return "B's old values could not be rebuilt from the read: set them back by hand"
    body = {k: held.get(k, v) for k, v in fill(ep.body, values).items()}
    resp = await ctx.attempt(call(ctx, ep, token=b_token, values=values, body=body,
                                  label=f"B's own {ep.resource}, put back"))
    if isinstance(resp, Unanswered):
        return f"B's old values could not be sent back ({resp.reason}): set them back by hand"
    return f"B's old values were sent back with B's token ({resp.status})"


def _json(text: str | None) -> Any:
    try:
        return json.loads(text or "")
    except ValueError:
        return None


async def check_bfla(ctx: CheckContext):
    endpoints = _endpoints(ctx, "admin")
    if not endpoints:
        yield ctx.finding(Status.SKIP, ctx.profile.domain, "no endpoint declared with auth: admin")
        return
    customer = token_of(ctx.profile, "a")
    try:
        admin = token_of(ctx.profile, "admin")
    except MissingSecret:
        admin = None

    async def one(name: str):
        ep = next(e for e in endpoints if e.name == name)
        where = f"{ep.method} {ctx.profile.api.url(ep.path)}"
        body = refusal_body(ep)             # an admin action that writes gets {} from those who must be refused
        as_customer = await call(ctx, ep, token=customer, body=body)   # no answer: ctx.each says why
        anonymous = await call(ctx, ep, token=None, body=body)
        answers = [(who, r.status, granted(r), excerpt(r, 100))
                   for who, r in (("a customer token", as_customer), ("no token", anonymous))]
        status, evidence = judge_bfla(where, answers, ep.effects if body is not None else None)
        if status is not Status.PASS:
            return ctx.finding(status, name, evidence, details={"status": as_customer.status})
        note = ""
        if admin and not ep.changes_state:
            control = await call(ctx, ep, token=admin)
            note = (f"; the admin token works ({control.status})" if 200 <= control.status < 300
                    else f"; the admin token gets {control.status} too (is the declared body valid?)")
        elif admin:
            note = f"; the admin token was not tried (the action would be carried out: side effects {ep.effects})"
        return ctx.finding(Status.PASS, name, evidence + note)

    async for f in ctx.each([e.name for e in endpoints], one):
        yield f
