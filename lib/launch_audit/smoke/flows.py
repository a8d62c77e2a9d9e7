"""The post-deploy smoke flows: what must work after every deploy, as a customer (and a payment provider)
uses it. Each flow sends a handful of requests through the run's network layer (scope, pacing, declared
limits) and says pass, fail or skip with what it saw; a network error is a fail (the deploy is what broke).

Only requests the profile marks safe: GETs, the login, one chat message and webhook test events, which
the profile declares own-data (a test account's own state); never an endpoint declared shared_data."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ..checks.api_calls import MESSAGE, call, excerpt, fill, read_own, token_of, values_for
from ..checks.chat_driver import converse
from ..checks.webhooks import EVENT, sign
from ..net import CheckNet
from ..net.errors import NetError, Refused
from ..profile import MissingSecret, Profile
from ..redteam.detectors import prompt_leak

PASS, FAIL, SKIP = "pass", "fail", "skip"


@dataclass
class FlowResult:
    name: str
    status: str                 # pass | fail | skip | error (error: launch-audit itself broke)
    message: str
    ms: float = 0.0
    requests: list[str] = field(default_factory=list)   # "METHOD URL → status", for the JUnit log


@dataclass
class FlowContext:
    """What api_calls needs from a check's context: the profile and a network view."""

    profile: Profile
    net: CheckNet


def _shown(resp) -> str:
    return f"{resp.method} {resp.url} → {resp.status}"


async def health(ctx: FlowContext) -> FlowResult:
    api = ctx.profile.api
    url = api.url(api.health_path) if api and api.health_path else ctx.profile.canonical.rstrip("/") + "/"
    resp = await ctx.net.request("GET", url, label="smoke: health")
    ok = 200 <= resp.status < 300
    return FlowResult("health", PASS if ok else FAIL,
                      f"GET {url} → {excerpt(resp, 80)}" + ("" if ok else ": the health endpoint is not healthy"),
                      requests=[_shown(resp)])


def _login_endpoint(profile: Profile):
    api = profile.api
    return next((e for e in (api.endpoints if api else []) if e.kind == "login" and e.writable), None)


async def login(ctx: FlowContext) -> FlowResult:
    """User A logs in with its password (when the profile names one), then reads its own objects with its token."""
    api = ctx.profile.api
    if api is None or api.users is None:
        return FlowResult("login", SKIP, "no api.users in the profile: nobody to log in as")
    seen: list[str] = []
    said: list[str] = []
    user = api.users.a
    endpoint = _login_endpoint(ctx.profile)
    if endpoint is not None and user.password_env:
        try:
            password = ctx.profile.secret(user.password_env)
        except MissingSecret as e:
            return FlowResult("login", SKIP, f"{e}: set it to log in as user A")
        resp = await call(ctx, endpoint, values=values_for(ctx.profile, "a", password=password),
                          label="smoke: user A logs in")
        seen.append(_shown(resp))
        if not 200 <= resp.status < 300:
            return FlowResult("login", FAIL, f"user A's login: {endpoint.method} {api.url(endpoint.path)} → "
                              f"{resp.status}: customers cannot log in", requests=seen)
        said.append(f"user A logs in ({resp.status})")
    try:
        token_of(ctx.profile, "a")
    except MissingSecret:
        if said:
            return FlowResult("login", PASS, f"{said[0]}; no api.users.a.token_env to read A's objects with",
                              requests=seen)
        return FlowResult("login", SKIP, "user A has neither a password_env with a login endpoint nor a token_env")
    readable = [e for e in api.endpoints if e.method == "GET" and e.auth == "user" and not e.changes_state
                and "{" not in fill(e.path, values_for(ctx.profile, "a"))]
    if not readable:            # nothing declared to read: nothing to judge, not a failure
        why = "no declared GET with auth: user that A's own ids fill, to read A's objects with"
        return FlowResult("login", PASS if said else SKIP, "; ".join(said + [why]), requests=seen)
    read = await read_own(ctx, "a", limit=3, strict=True)
    seen.append(f"{len(read)} of A's own objects read")
    if not read:
        return FlowResult("login", FAIL, "; ".join(said + ["user A's token reads none of A's own objects "
                                                            "(declared GETs with auth: user answered no JSON)"]),
                          requests=seen)
    return FlowResult("login", PASS, "; ".join(said + [f"A's token reads A's own {', '.join(n for n, _ in read)}"]),
                      requests=seen)


async def chat(ctx: FlowContext) -> FlowResult:
    """One ordinary question, answered within the p95 budget, with no canary or prompt fragment in the reply."""
    profile, chat_cfg = ctx.profile, ctx.profile.chat
    api = profile.api
    endpoint = api.endpoint(chat_cfg.endpoint) if api and chat_cfg else None
    if endpoint is None or chat_cfg is None:
        return FlowResult("chat", SKIP, "no chat endpoint in the profile")
    try:
        token = profile.secret(chat_cfg.token_env) if chat_cfg.token_env else token_of(profile, "a")
    except MissingSecret as e:
        return FlowResult("chat", SKIP, f"{e}: set it to ask the chatbot a question")
    question = (profile.monitoring.chat_messages or [MESSAGE])[0]
    # the red team's conversation driver, one ordinary turn (not an attack-shaped probe)
    [answer] = await converse(ctx, token, [question], "a", active=False, label="smoke: one chat question")
    budget = profile.monitoring.p95_budget_ms
    seen = [f"{endpoint.method} {api.url(endpoint.path)} → {answer.status}"]
    if not 200 <= answer.status < 300:
        return FlowResult("chat", FAIL, f"the chatbot answered {answer.status} {answer.reply.strip()[:80]!r} to "
                          f"{question!r}", requests=seen)
    leaks = prompt_leak(answer.reply, chat_cfg.canaries, chat_cfg.prompt_fragments)
    if leaks:
        return FlowResult("chat", FAIL, f"an ordinary question got a reply holding {', '.join(leaks)}", requests=seen)
    if not answer.reply.strip():
        return FlowResult("chat", FAIL, f"the reply has no text in {chat_cfg.reply_field!r}", requests=seen)
    if answer.ms > budget:
        return FlowResult("chat", FAIL, f"answered in {answer.ms:.0f} ms, over the {budget:g} ms budget",
                          requests=seen)
    return FlowResult("chat", PASS, f"answered {question!r} in {answer.ms:.0f} ms (budget {budget:g} ms), "
                      "no canary or prompt fragment in the reply", requests=seen)


async def webhooks(ctx: FlowContext) -> list[FlowResult]:
    """Each signed webhook the profile declares harmless: a correctly signed test event accepted, an unsigned
    one refused (4xx)."""
    api = ctx.profile.api
    hooks = [e for e in (api.endpoints if api else []) if e.auth == "signature" and e.signature]
    if not hooks:
        return [FlowResult("webhook", SKIP, "no endpoint declared with auth: signature")]
    out = []
    for ep in hooks:
        name = f"webhook {ep.name}"
        if not ep.writable:
            out.append(FlowResult(name, SKIP, ep.why_not_writable()))
            continue
        try:
            secret = ctx.profile.secret(ep.signature.secret_env)
        except MissingSecret as e:
            out.append(FlowResult(name, SKIP, f"{e}: set it to send a signed test event"))
            continue
        body = json.dumps({**EVENT, "id": f"evt_launch_audit_smoke_{int(time.time())}"}).encode()
        url = api.url(ep.path)
        answers = {}
        try:
            for label, headers in (("signed", sign(ep.signature.scheme, secret, body, header=ep.signature.header)),
                                   ("unsigned", {})):
                answers[label] = await ctx.net.request(ep.method, url, content=body, changes_state=ep.changes_state,
                                                       headers={"Content-Type": "application/json", **headers},
                                                       label=f"smoke: a {label} webhook test event")
        except NetError as e:
            out.append(not_sent(name, e))
            continue
        signed, unsigned = answers["signed"].status, answers["unsigned"].status
        seen = [f"{label}: {_shown(r)}" for label, r in answers.items()]
        where = f"{ep.method} {url} ({ep.signature.scheme})"
        if not 200 <= signed < 300:
            out.append(FlowResult(name, FAIL, f"{where} refuses a correctly signed event ({signed}): real events are "
                                  "dropped, or the signing secret changed with the deploy", requests=seen))
        elif not 400 <= unsigned < 500:
            out.append(FlowResult(name, FAIL, f"{where} answers an unsigned event {unsigned}: "
                                  + ("it accepts forged events" if unsigned < 300 else "not a refusal"), requests=seen))
        else:
            out.append(FlowResult(name, PASS, f"{where} accepts a signed test event ({signed}) and refuses an "
                                  f"unsigned one ({unsigned})", requests=seen))
    return out


def url_name(url: str) -> str:
    parts = urlsplit(url)
    return f"url {parts.hostname}{parts.path or '/'}"


def landing(start: str, final_url: str | None, status: int | None, canonical_host: str) -> str:
    """Pure: why a critical URL does not land where customers should ("" when it does): a 2xx on the
    canonical host at the same path (a redirect to https or to the canonical host on the way is fine)."""
    if final_url is None or status is None:
        return "got no final answer"
    want, got = urlsplit(start), urlsplit(final_url)
    if not 200 <= status < 300:
        return f"ends with {status}"
    if got.hostname != canonical_host:
        return f"lands on {got.hostname}, not the canonical host {canonical_host}"
    if (got.path or "/").rstrip("/") != (want.path or "/").rstrip("/"):
        return f"lands on {got.path or '/'}, not {want.path or '/'}: the deep link is lost"
    return ""


async def critical_url(ctx: FlowContext, url: str) -> FlowResult:
    """A page or critical URL as customers open it: redirects followed (in scope), ending 2xx on the
    canonical host at the same path."""
    chain = await ctx.net.follow(url, max_hops=5)
    name = url_name(url)
    seen = [chain.describe()]
    if chain.stop:
        return FlowResult(name, FAIL, f"GET {url}: {chain.describe()}", requests=seen)
    why = landing(url, chain.final_url, chain.final.status if chain.final else None, ctx.profile.canonical_host)
    if why:
        return FlowResult(name, FAIL, f"GET {url} {why} ({chain.describe()})", requests=seen)
    hops = f" after {chain.redirects} redirect{'s' if chain.redirects != 1 else ''}" if chain.redirects else ""
    return FlowResult(name, PASS, f"GET {url} → {chain.final.status} on {chain.final_url}{hops}", requests=seen)


def critical_urls(profile: Profile) -> list[str]:
    """The pages on the canonical host and the critical URLs as the profile writes them."""
    base = profile.canonical.rstrip("/")
    return list(dict.fromkeys([base + p for p in profile.pages] + list(profile.critical_urls)))


def not_sent(name: str, e: NetError) -> FlowResult:
    """A request that got no answer: the site is down or broken (fail), or we chose not to send (skip)."""
    return FlowResult(name, SKIP if isinstance(e, Refused) else FAIL, e.reason)
