"""What a hostile web page can make a visitor's browser do to the API: S4.cors (which origins may read
answers) and S4.csrf (cookie flags, and a state-changing request carried by the session cookie alone)."""

from __future__ import annotations

from http.cookies import SimpleCookie
from urllib.parse import urlsplit

from ..findings import Status
from ..net.http import HttpResponse
from ..profile import MissingSecret
from .api_calls import call, excerpt, fill, granted, values_for
from .base import CheckContext, Unanswered

EVIL = "https://evil.launch-audit.invalid"


def origin_variants(allowed: list[str]) -> dict[str, str]:
    """Pure: label -> Origin to send; the tricks are built from the first allowed origin."""
    out = {"a foreign origin": EVIL, "the null origin": "null"}
    if allowed:
        first = allowed[0].rstrip("/")
        parts = urlsplit(first)
        out["the allowed origin with a suffix"] = f"{first}.evil.invalid"
        out["a look-alike with a prefix"] = f"{parts.scheme}://evil{parts.hostname}"
    return out


def judge_cors(origin: str, headers: dict[str, str]) -> str | None:
    """Pure: why an answer to a disallowed ``origin`` is unsafe, or None."""
    acao = headers.get("access-control-allow-origin", "")
    creds = headers.get("access-control-allow-credentials", "").lower() == "true"
    if acao == "*" and creds:
        return "Access-Control-Allow-Origin: * with credentials"
    if acao and acao == origin:
        return f"reflected{' with Access-Control-Allow-Credentials: true' if creds else ''}"
    return None


async def check_cors(ctx: CheckContext):
    assert ctx.net is not None
    api = ctx.profile.api
    if api is None:
        yield ctx.finding(Status.SKIP, ctx.profile.domain, "no api section in the profile")
        return
    target = next((e for e in api.endpoints if e.auth == "user" and e.method == "GET"), None)
    url = api.url(fill(target.path, values_for(ctx.profile)) if target else (api.health_path or "/"))
    allowed = [str(o) for o in api.allowed_origins]
    bad = []
    async def simple_and_preflight(origin: str) -> tuple[HttpResponse, HttpResponse]:
        simple = await ctx.net.get(url, active=True, headers={"Origin": origin})
        return simple, await ctx.net.request("OPTIONS", url, active=True, headers={
            "Origin": origin, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type"})

    for label, origin in origin_variants(allowed).items():
        answers = await ctx.attempt(simple_and_preflight(origin))
        if isinstance(answers, Unanswered):
            yield ctx.from_error(url, answers)
            return
        simple, pre = answers
        for kind, resp in (("GET", simple), ("preflight", pre)):
            why = judge_cors(origin, {k.lower(): v for k, v in resp.headers.items()})
            if why:
                bad.append(f"{label} ({origin}) {why} on {kind}")
                break
    note = ""
    if allowed:     # the control: a preflight from an origin the founder allows must be granted
        own = allowed[0].rstrip("/")
        resp = await ctx.net.request("OPTIONS", url, active=True, headers={
            "Origin": own, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"})
        if resp.headers.get("access-control-allow-origin") != own:
            note = f"; the allowed origin {allowed[0]} is not granted either (is api.allowed_origins current?)"
    if bad:
        yield ctx.finding(Status.FAIL, url, "; ".join(bad) + ": any website can read this API's answers with the "
                          "visitor's session. Allow only the exact origins you own" + note)
    else:
        yield ctx.finding(Status.PASS, url, f"foreign, null and look-alike origins are not granted{note}")


def cookie_problems(set_cookie: str) -> tuple[str, list[str], str]:
    """Pure: (cookie name, missing flags, SameSite value) of one Set-Cookie header."""
    jar = SimpleCookie()
    jar.load(set_cookie)
    if not jar:
        return "", [], ""
    name, morsel = next(iter(jar.items()))
    missing = [flag for flag, present in (("Secure", morsel["secure"]), ("HttpOnly", morsel["httponly"]),
                                          ("SameSite", morsel["samesite"])) if not present]
    return name, missing, str(morsel["samesite"] or "").lower()


async def real_login(ctx: CheckContext, login) -> HttpResponse:
    """The test account's real login, sent once for the run: S4.csrf and S4.input_validation both read what it
    sets. A missing password raises MissingSecret to every caller."""
    async def fetch(own: CheckContext) -> HttpResponse:
        password = own.profile.secret(own.profile.api.users.a.password_env)
        return await call(own, login, values=values_for(own.profile, "a", password=password),
                          label="the test account's real login")

    resp = await ctx.once("real-login", fetch)
    ctx.observe("logins")                       # sent for the run, read by this check
    return resp


async def login_sets_cookie(ctx: CheckContext) -> bool | None:
    """Whether the test account's real login sets a cookie (None: no login, no password, or it failed)."""
    api = ctx.profile.api
    login = next((e for e in (api.endpoints if api else []) if e.kind == "login"), None)
    if api is None or login is None or api.users is None or not api.users.a.password_env or not login.writable:
        return None
    try:
        resp = await ctx.attempt(real_login(ctx, login))
    except MissingSecret:
        return None
    if isinstance(resp, Unanswered) or not 200 <= resp.status < 300:
        return None
    return bool(resp.headers.get_list("set-cookie"))


async def check_csrf(ctx: CheckContext):
    api = ctx.profile.api
    login = next((e for e in (api.endpoints if api else []) if e.kind == "login"), None)
    if api is None or login is None or api.users is None:
        yield ctx.finding(Status.SKIP, ctx.profile.domain, "no login endpoint or test users in the profile")
        return
    resp = await real_login(ctx, login)          # MissingSecret (no password) → the runner makes it a skip
    if not 200 <= resp.status < 300:    # a failed login tells nothing about the session it would have set
        yield ctx.finding(Status.ERROR, api.url(login.path), f"the test account's real login answers {excerpt(resp)}: "
                          "cannot see which session it sets (is api.users.a.password_env current?)")
        return
    cookies = resp.headers.get_list("set-cookie")
    if not cookies:
        yield ctx.finding(Status.PASS, api.url(login.path), f"login sets no cookie ({resp.status}): a token in a "
                          "header cannot be sent by another site, so CSRF does not apply")
        return
    session = None
    for raw in cookies:
        name, missing, samesite = cookie_problems(raw)
        if not name:
            continue
        session = session or (name, raw.split(";", 1)[0].split("=", 1)[1], samesite)
        if missing:
            yield ctx.finding(Status.WARN, f"cookie {name}", f"Set-Cookie {name} lacks {', '.join(missing)}",
                              details={"missing": missing})
        else:
            yield ctx.finding(Status.PASS, f"cookie {name}", f"{name}: Secure, HttpOnly, SameSite={samesite}")
    if session is None:
        return
    name, value, samesite = session
    # a request the server may carry out: only to an endpoint whose side effects are the test account's own
    target = next((e for e in api.endpoints if e.auth == "user" and e.method != "GET" and e.writable), None)
    if target is None:
        yield ctx.finding(Status.SKIP, "cross-site request", "no user endpoint that writes only the test account's "
                          "own data (side_effects: none or own_data) to send a cookie-only cross-site request to")
        return
    cross = await call(ctx, target, token=None, headers={"Cookie": f"{name}={value}", "Origin": EVIL,
                                                           "Referer": EVIL + "/page"})
    where = f"{target.method} {api.url(target.path)}"
    if granted(cross) and samesite not in ("lax", "strict"):
        yield ctx.finding(Status.FAIL, where, f"with only the {name} cookie and Origin {EVIL} (no CSRF token) → "
                          f"{excerpt(cross, 100)}; the cookie has no SameSite, so a browser sends it from any site. "
                          "Set SameSite=Lax and check Origin or a CSRF token on state-changing requests")
    elif granted(cross):
        yield ctx.finding(Status.PASS, where, f"the server accepts a cookie-only cross-site request ({cross.status}), "
                          f"but SameSite={samesite} keeps browsers from sending the cookie from other sites")
    else:
        yield ctx.finding(Status.PASS, where, f"a cookie-only request from a foreign origin is refused ({cross.status})")

