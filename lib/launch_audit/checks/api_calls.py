"""Calling the client's API the way stage 4 needs to: a declared endpoint with its placeholders filled, as
user A, user B, the admin, nobody, or with a forged token; and telling what an answer proves.

Tokens come from the profile's env vars only when a check asks (MissingSecret → the check skips).
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from typing import Any

from ..net.errors import UnfilledPlaceholder
from ..net.http import HttpResponse
from ..profile import SAFE_METHODS, MissingSecret, Profile
from .base import CheckContext, Unanswered

WRONG_PASSWORD = "launch-audit-wrong-password-0"  # launch-audit: allow (login probes never send a real password)
UNKNOWN_EMAIL = "nobody-launch-audit@example.invalid"
UNKNOWN_USERNAME = "nobody-launch-audit"
MESSAGE = "Hi! What are your opening hours?"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Operation:
    """An operation found in the site's own API description, called like a declared endpoint (GET or HEAD
    only, and only when the profile opts in: scope.probe_discovered)."""

    method: str
    path: str
    body: Any = None
    documented_secured: bool = True   # the document names a security requirement for it
    effects = "none"              # a GET or HEAD whose name says no state change (api_inventory.probe_refusal)
    changes_state = False
    writable = True

    @property
    def name(self) -> str:
        return f"{self.method} {self.path}"


def values_for(profile: Profile, who: str = "a", **extra: str) -> dict[str, str]:
    """What fills ``{email}``, ``{username}``, ``{password}`` (always wrong), ``{message}`` and resource ids (the
    user's own)."""
    api = profile.api
    user = getattr(api.users, who, None) if api and api.users and who in ("a", "b") else None
    values = {"email": (user.email if user and user.email else UNKNOWN_EMAIL), "password": WRONG_PASSWORD,
              "message": MESSAGE, "username": (user.username if user and user.username else UNKNOWN_USERNAME)}
    if user:
        for resource, ids in user.owns.items():
            if ids:
                values[resource] = ids[0]
    values.update(extra)
    return values


def fill(value: Any, values: dict[str, str]) -> Any:
    """Placeholders in a body (recursively) or a path; unknown placeholders are left as written."""
    if isinstance(value, str):
        whole = _PLACEHOLDER.fullmatch(value)
        if whole and whole.group(1) in values:
            return values[whole.group(1)]
        return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), value)
    if isinstance(value, dict):
        return {k: fill(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, values) for v in value]
    return value


def token_of(profile: Profile, who: str) -> str:
    """user A's, user B's or the admin's token; raises MissingSecret when not configured."""
    api = profile.api
    if api is None:
        raise MissingSecret("api")
    if who == "admin":
        return profile.secret(api.admin.token_env if api.admin else None)
    user = getattr(api.users, who, None) if api.users else None
    return profile.secret(user.token_env if user else None)


def auth_headers(profile: Profile, token: str | None) -> dict[str, str]:
    if token is None:
        return {}
    assert profile.api is not None
    return profile.api.credentials(token)


async def call(ctx: CheckContext, endpoint, *, token: str | None = None, values: dict[str, str] | None = None,
               body: Any = None, content: bytes | None = None, headers: dict[str, str] | None = None,
               active: bool = True, expect_throttle: bool = False, limit_probe: bool = False,
               label: str | None = None) -> HttpResponse:
    """One request to a declared endpoint. ``body`` replaces the declared body; ``content`` sends raw bytes.
    Whether it could change state is the endpoint's declared side effects (the network layer refuses such a
    request without scope.allow_active)."""
    assert ctx.net is not None and ctx.profile.api is not None
    values = values or values_for(ctx.profile)
    path = fill(endpoint.path, values)
    unfilled = _PLACEHOLDER.findall(path)
    if unfilled:
        raise UnfilledPlaceholder(f"{endpoint.method} {endpoint.path}: nothing in the profile fills "
                                  f"{', '.join('{' + u + '}' for u in unfilled)} (declare it under api.users.a.owns): "
                                  "not sent")
    url = ctx.profile.api.url(path)
    send_headers = {**auth_headers(ctx.profile, token), **(headers or {})}
    kw = {"active": active, "headers": send_headers, "expect_throttle": expect_throttle, "label": label,
          "changes_state": endpoint.changes_state, "limit_probe": limit_probe}
    if content is not None:
        return await ctx.net.request(endpoint.method, url, content=content, **kw)
    payload = fill(body if body is not None else endpoint.body, values)
    if endpoint.method in ("GET", "HEAD"):
        payload = None
    elif payload is None:
        payload = {}
    return await ctx.net.request(endpoint.method, url, json=payload, **kw)


async def read_own(ctx: CheckContext, who: str, limit: int = 6, strict: bool = False) -> list[tuple[str, Any]]:
    """(endpoint name, JSON) of what ``who`` ("a" or "b") reads about themselves with their own token: the
    declared GETs of logged-in users that change nothing, with their own ids. Unreadable ones are left out;
    ``strict``: a request that got no answer raises (a read-back that did not happen judges nothing)."""
    api = ctx.profile.api
    if api is None:
        return []
    try:
        token = token_of(ctx.profile, who)
    except MissingSecret:
        return []
    values = values_for(ctx.profile, who)
    out = []
    for ep in [e for e in api.endpoints if e.method == "GET" and e.auth == "user" and not e.changes_state][:limit]:
        if _PLACEHOLDER.search(fill(ep.path, values)):
            continue
        request = call(ctx, ep, token=token, values=values, active=False, label=f"user {who.upper()}'s own {ep.name}")
        resp = await (request if strict else ctx.attempt(request))      # strict: the caller judges a lost read
        if isinstance(resp, Unanswered):
            continue
        if 200 <= resp.status < 300:
            try:
                out.append((ep.name, json.loads(resp.text)))
            except ValueError:
                continue
    return out


def refusal_body(endpoint) -> dict | None:
    """The body for a request that should be refused (no token, a customer at an admin route): the declared
    one where a request is harmless, else ``{}`` — a server that wrongly lets the caller in then fails
    validation instead of carrying out the action."""
    if endpoint.method in ("GET", "HEAD") or endpoint.writable:
        return None
    return {}


def excerpt(resp: HttpResponse, limit: int = 160) -> str:
    """What a developer needs to reproduce an answer: status and the start of the body (redacted later)."""
    body = resp.text.strip().replace("\n", " ")
    return f"{resp.status} {body[:limit]}{'…' if len(body) > limit else ''}"


def granted(resp: HttpResponse) -> bool:
    """The request got in: a read's 2xx with a body, or any 2xx to a write (a 204 says it was done)."""
    return 200 <= resp.status < 300 and (resp.method.upper() not in SAFE_METHODS or bool(resp.body.strip()))


# ------------------------------------------------------------------ forged tokens (pure)

def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def jwt_parts(token: str) -> tuple[dict, dict] | None:
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        header, claims = json.loads(_unb64(parts[0])), json.loads(_unb64(parts[1]))
    except ValueError:
        return None
    return (header, claims) if isinstance(header, dict) and isinstance(claims, dict) else None


def alg_none(token: str) -> str | None:
    """The user's own claims under ``alg: none`` with no signature: accepted only by a server that trusts
    the token's own header."""
    parsed = jwt_parts(token)
    if parsed is None:
        return None
    header, claims = parsed
    return ".".join([_b64(json.dumps({**header, "alg": "none"}).encode()), _b64(json.dumps(claims).encode()), ""])


def tampered(token: str) -> str | None:
    """The same signature over a changed payload (an extra claim): valid only where signatures go unchecked."""
    parsed = jwt_parts(token)
    if parsed is None:
        return None
    header_part, _, signature = token.split(".")
    _, claims = parsed
    return ".".join([header_part, _b64(json.dumps({**claims, "role": "admin", "la": 1}).encode()), signature])
