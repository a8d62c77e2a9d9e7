"""Who may call what: S1.unauth_access (no credentials), S4.authn_required (forged and stale tokens),
S4.bola (user A with user B's ids) and S4.bfla (a customer at admin endpoints).

Every refusal is only believed when the same request with a real token works: a broken endpoint is
never mistaken for a protected one.
"""

from __future__ import annotations

from ..findings import Status
from ..net.errors import NetError
from ..profile import MissingSecret
from .api_calls import (Operation, alg_none, call, excerpt, fill, granted, refusal_body, tampered, token_of,
                        values_for)
from .api_inventory import described_operations, normalize, openapi_document, probe_refusal
from .base import CheckContext

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
        declared = {(e.method, normalize(e.path)) for e in api.endpoints}
        _, doc = await openapi_document(ctx)
        values = values_for(ctx.profile)
        for method, path, secured, words in described_operations(doc or {}):
            undeclared = (method, normalize(path)) not in declared
            if secured and undeclared and probe_refusal(method, path, words, values) is None:
                targets.setdefault(f"{method} {path}", Operation(method, path))

    async def one(key: str):
        ep = targets[key]
        body = refusal_body(ep)
        try:
            resp = await call(ctx, ep, active=False, body=body)
        except NetError as e:
            return ctx.from_error(key, e)
        where = f"{ep.method} {api.url(fill(ep.path, values_for(ctx.profile)))}"
        if resp.status >= 500:
            return ctx.finding(Status.ERROR, key, f"{where} without credentials → {excerpt(resp, 100)}: a server "
                               "error is neither a refusal nor access; cannot judge")
        if granted(resp):
            return ctx.finding(Status.FAIL, key, f"answers without any credentials: {where} → {excerpt(resp)}",
                               details={"status": resp.status})
        if body is not None and resp.status not in REFUSED:
            return ctx.finding(Status.WARN, key, f"{where} without credentials, sent an empty body (its side "
                               f"effects are {ep.effects}, so the declared body is not sent) → {resp.status}, not "
                               "401/403: the body may be checked before the login, or there is no login check. "
                               "Verify by hand")
        return ctx.finding(Status.PASS, key, f"refused without credentials ({resp.status})")

    if not targets:
        yield ctx.finding(Status.SKIP, ctx.profile.domain, "no endpoint is declared as needing a login")
        return
    async for f in ctx.each(targets, one):
        yield f


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
        try:
            real = await call(ctx, ep, token=token)
        except NetError as e:
            return ctx.from_error(name, e)
        if not 200 <= real.status < 300:
            return ctx.finding(Status.ERROR, name, f"{ep.method} {ep.path} with A's real token answers "
                               f"{excerpt(real)}: cannot tell a refusal from a broken endpoint")
        got_in, refused = [], []
        for label, forged in variants.items():
            if forged is None and label != "no token":
                continue
            resp = await call(ctx, ep, token=forged)
            (got_in if granted(resp) else refused).append((label, resp))
        where = f"{ep.method} {ctx.profile.api.url(fill(ep.path, values_for(ctx.profile)))}"
        if got_in:
            shown = "; ".join(f"{label} → {excerpt(resp, 100)}" for label, resp in got_in)
            return ctx.finding(Status.FAIL, name, f"{where} lets in {shown}. Verify the signature with a fixed "
                               "algorithm list and reject expired tokens", details={"accepted": [x for x, _ in got_in]})
        broken = [(label, resp) for label, resp in refused if resp.status >= 500]
        if broken:                  # a server error is neither a refusal nor access
            return ctx.finding(Status.ERROR, name, f"{where}: {broken[0][0]} → {excerpt(broken[0][1], 100)}: "
                               "cannot tell a refusal from a broken endpoint")
        tried = ", ".join(f"{label} ({resp.status})" for label, resp in refused)
        return ctx.finding(Status.PASS, name, f"{where} refused {tried}; A's real token works ({real.status})")

    async for f in ctx.each([e.name for e in endpoints], one):
        yield f


def b_markers_in(text: str, markers: list[str]) -> list[str]:
    """Pure: which of user B's markers an answer to user A contains."""
    low = text.lower()
    return [m for m in markers if m and m.lower() in low]


async def check_bola(ctx: CheckContext):
    api = ctx.profile.api
    endpoints = [e for e in _endpoints(ctx, "user", "admin") if e.resource]
    if not endpoints or api is None or api.users is None:
        yield ctx.finding(Status.SKIP, ctx.profile.domain, "no endpoint with a resource: placeholder, or no users a/b")
        return
    token = token_of(ctx.profile, "a")
    b = api.users.b

    async def one(name: str):
        ep = next(e for e in endpoints if e.name == name)
        if not ep.writable:
            return ctx.finding(Status.SKIP, name, ep.why_not_writable())
        theirs = b.owns.get(ep.resource, [])
        if not theirs:
            return ctx.finding(Status.SKIP, name, f"users.b.owns has no {ep.resource} ids")
        own = values_for(ctx.profile, "a")
        try:
            control = await call(ctx, ep, token=token, values=own)
        except NetError as e:
            return ctx.from_error(name, e)
        if not granted(control):
            return ctx.finding(Status.ERROR, name, f"A's own {ep.resource} {own.get(ep.resource)} answers "
                               f"{excerpt(control)}: cannot tell protection from a broken endpoint")
        leaks, unclear, refused = [], [], []
        for other in theirs:
            values = values_for(ctx.profile, "a", **{ep.resource: other})
            resp = await call(ctx, ep, token=token, values=values)
            if granted(resp):
                found = b_markers_in(resp.text, b.markers)
                (leaks if found or not b.markers else unclear).append((other, resp, found))
            else:
                refused.append((other, resp))
        if leaks:
            other, resp, found = leaks[0]
            where = f"{ep.method} {api.url(fill(ep.path, values_for(ctx.profile, 'a', **{ep.resource: other})))}"
            proof = f"B's data in the answer ({', '.join(found)})" if found else "2xx (no markers declared for B)"
            return ctx.finding(Status.FAIL, name, f"user A reads user B's {ep.resource} {other}: {where} with A's token "
                               f"→ {resp.status}, {proof}. Check the owner on every object lookup",
                               details={"ids": [x[0] for x in leaks], "markers": found})
        if unclear:
            return ctx.finding(Status.WARN, name, f"A's token on B's {ep.resource} {unclear[0][0]} answers "
                               f"{unclear[0][1].status} without B's markers: check by hand what it returns")
        where = f"{ep.method} {api.url(ep.path)}"
        broken = [(other, r) for other, r in refused if r.status >= 500]
        if broken:                  # a server error is neither a refusal nor access
            return ctx.finding(Status.ERROR, name, f"{where}: A's token on B's {ep.resource} {broken[0][0]} → "
                               f"{excerpt(broken[0][1], 100)}: cannot tell a refusal from a broken endpoint")
        return ctx.finding(Status.PASS, name, f"{where}: B's {ep.resource} refused to A "
                           f"({', '.join(str(r.status) for _, r in refused)}); A's own works ({control.status})")

    async for f in ctx.each([e.name for e in endpoints], one):
        yield f


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
        try:
            as_customer = await call(ctx, ep, token=customer, body=body)
            anonymous = await call(ctx, ep, token=None, body=body)
        except NetError as e:
            return ctx.from_error(name, e)
        answers = (("a customer token", as_customer), ("no token", anonymous))
        broken = [(who, r) for who, r in answers if r.status >= 500]
        if broken:
            return ctx.finding(Status.ERROR, name, f"{where}: {broken[0][0]} → {excerpt(broken[0][1], 100)}: a server "
                               "error is neither a refusal nor access; cannot judge")
        let_in = [(who, r) for who, r in answers if granted(r)]
        if let_in:
            shown = "; ".join(f"{who} → {excerpt(r, 100)}" for who, r in let_in)
            return ctx.finding(Status.FAIL, name, f"admin endpoint {where} accepts {shown}: check the role on the "
                               "server for every admin action")
        unclear = [(who, r) for who, r in answers if body is not None and r.status not in REFUSED]
        if unclear:
            shown = "; ".join(f"{who} → {r.status}" for who, r in unclear)
            return ctx.finding(Status.WARN, name, f"{where} with an empty body (its side effects are {ep.effects}, so "
                               f"the declared body is not sent): {shown}, not 401/403. The role may be checked after "
                               "the body, or not at all: verify by hand")
        note = ""
        if admin and not ep.changes_state:
            control = await call(ctx, ep, token=admin)
            note = (f"; the admin token works ({control.status})" if 200 <= control.status < 300
                    else f"; the admin token gets {control.status} too (is the declared body valid?)")
        elif admin:
            note = f"; the admin token was not tried (the action would be carried out: side effects {ep.effects})"
        return ctx.finding(Status.PASS, name, f"{where} refuses a customer ({as_customer.status}) and nobody "
                           f"({anonymous.status}){note}")

    async for f in ctx.each([e.name for e in endpoints], one):
        yield f
