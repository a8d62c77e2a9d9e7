"""S2.hsts: HTTPS responses carry Strict-Transport-Security with a long max-age (RFC 6797)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..findings import Status
from .base import CheckContext

MIN_MAX_AGE = 15_768_000            # six months: the bar of checks.md (and of the preload list's floor)
_DIRECTIVE = re.compile(r'^\s*([A-Za-z0-9!#$%&\'*+.^_`|~-]+)\s*(?:=\s*("(?:[^"\\]|\\.)*"|[^;\s]*))?\s*$')


@dataclass
class HstsPolicy:
    max_age: int | None = None
    include_subdomains: bool = False
    preload: bool = False
    problems: list[str] = field(default_factory=list)


def parse_hsts(value: str) -> HstsPolicy:
    """Pure: one Strict-Transport-Security value, as RFC 6797 §6.1 reads it (directives case-insensitive,
    each at most once, quoted values allowed, unknown directives ignored)."""
    policy = HstsPolicy()
    seen: set[str] = set()
    for raw in value.split(";"):
        if not raw.strip():
            continue
        m = _DIRECTIVE.match(raw)
        if not m:
            policy.problems.append(f"unparsable directive {raw.strip()[:40]!r}")
            continue
        name, arg = m.group(1).lower(), (m.group(2) or "").strip('"')
        if name in seen:
            policy.problems.append(f"{name} given twice (the header is invalid)")
            continue
        seen.add(name)
        if name == "max-age":
            if not arg.isdigit():
                policy.problems.append(f"max-age {arg!r} is not a number")
            else:
                policy.max_age = int(arg)
        elif name == "includesubdomains":
            policy.include_subdomains = True
        elif name == "preload":
            policy.preload = True
    if policy.max_age is None and not any("max-age" in p for p in policy.problems):
        policy.problems.append("no max-age (the header is ignored)")
    return policy


def judge_hsts(values: list[str]) -> tuple[Status, str]:
    """Pure: the verdict on the Strict-Transport-Security header(s) of one HTTPS response."""
    if not values:
        return Status.FAIL, "no Strict-Transport-Security header: the first visit can be downgraded to http://"
    note = " (several headers: browsers use the first)" if len(values) > 1 else ""
    policy = parse_hsts(values[0])
    if policy.problems:
        return Status.FAIL, f"Strict-Transport-Security: {values[0][:120]!r} is invalid: {'; '.join(policy.problems)}{note}"
    assert policy.max_age is not None
    flags = ", ".join(f for f, on in (("includeSubDomains", policy.include_subdomains), ("preload", policy.preload)) if on)
    shown = f"max-age={policy.max_age}" + (f", {flags}" if flags else "") + note
    if policy.max_age == 0:
        return Status.FAIL, f"{shown}: max-age=0 tells browsers to forget HSTS"
    if policy.max_age < MIN_MAX_AGE:
        return Status.WARN, f"{shown}: under {MIN_MAX_AGE} s (six months)"
    return Status.PASS, shown


async def check_hsts(ctx: CheckContext):
    assert ctx.net is not None

    async def one(host: str):
        url = f"https://{host}/"
        resp = await ctx.net.get(url)
        status, evidence = judge_hsts(resp.headers.get_list("strict-transport-security"))
        return ctx.finding(status, url, f"{resp.status}: {evidence}")

    async for f in ctx.each(ctx.profile.hosts, one):
        yield f
