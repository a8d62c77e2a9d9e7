"""S2.www_canonical and S2.redirect_chain: deep links survive the trip to the canonical URL.

The chains are followed hop by hop by the network layer (never out of scope,
never to a non-http scheme, loops and hop counts stopped); these judges read them.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from ..findings import Status
from ..net.http import PERMANENT_REDIRECTS, RedirectChain
from .base import CheckContext

PROBE = "/launch-audit/deep-link?utm_source=launch-audit&la=1"   # a path and query that must survive
MAX_REDIRECTS = 2


def judge_canonical(chain: RedirectChain, canonical: str, probe: str = PROBE) -> tuple[Status, str]:
    """Pure: does https://<non-canonical host><probe> go to the canonical host in one hop, path and query kept?"""
    if not chain.hops:
        return Status.ERROR, f"no answer ({chain.stop or 'nothing fetched'})"
    first = chain.hops[0]
    path = chain.describe()
    if first.location is None:
        return Status.FAIL, f"answers {first.status} itself instead of redirecting: the same site on two hosts ({path})"
    target = urlsplit(urljoin(first.url, first.location))
    want = urlsplit(canonical)
    if (target.scheme, target.hostname) != (want.scheme, want.hostname):
        return Status.FAIL, f"first hop goes to {target.scheme}://{target.hostname}, not to {want.scheme}://{want.hostname} ({path})"
    sent = urlsplit(probe)
    if target.path != sent.path or target.query != sent.query:
        lost = "path and query" if target.path != sent.path else "query"
        return Status.FAIL, f"drops the {lost}: {probe} lands on {target.path or '/'}{'?' + target.query if target.query else ''} ({path})"
    if first.status not in PERMANENT_REDIRECTS:
        return Status.WARN, f"one hop with path and query kept, but a temporary {first.status} ({path})"
    return Status.PASS, path


def judge_chain(chain: RedirectChain, max_redirects: int = MAX_REDIRECTS) -> tuple[Status, str]:
    """Pure: a critical URL (checkout, login, reset) reaches a working page within two redirects, in scope."""
    if not chain.hops:
        return Status.ERROR, f"no answer ({chain.stop or 'nothing fetched'})"
    path = chain.describe()
    if chain.stop == "loop":
        return Status.FAIL, f"redirect loop: browsers show 'too many redirects' ({path})"
    if chain.stop == "too_many_hops":
        return Status.FAIL, f"more than {len(chain.hops)} hops without arriving ({path})"
    if chain.stop == "out_of_scope":
        return Status.FAIL, f"leaves the audited hosts for {chain.stop_url} ({path})"
    if chain.stop == "unsupported_scheme":
        return Status.FAIL, f"redirects to a non-web URL {chain.stop_url} ({path})"
    final = chain.hops[-1]
    if chain.redirects > max_redirects:
        return Status.FAIL, f"{chain.redirects} redirects (more than {max_redirects}): slow, and fragile on mobile ({path})"
    if final.status is None or final.status >= 400:
        return Status.FAIL, f"ends in {final.status}: customers following this link hit an error ({path})"
    start, end = urlsplit(chain.start), urlsplit(final.url)
    if start.path not in ("", "/") and end.path in ("", "/"):
        return Status.FAIL, f"lands on the home page, not on {start.path}: the deep link is lost ({path})"
    return Status.PASS, f"{chain.redirects} redirect{'s' * (chain.redirects != 1)}: {path}"


def non_canonical_host(canonical_host: str, domain: str) -> str:
    return domain if canonical_host != domain else f"www.{domain}"


async def check_www_canonical(ctx: CheckContext):
    assert ctx.net is not None
    profile = ctx.profile
    other = non_canonical_host(profile.canonical_host, profile.domain)
    url = f"https://{other}{PROBE}"
    chain = await ctx.net.follow(url, max_hops=3)
    status, evidence = judge_canonical(chain, profile.canonical)
    yield ctx.finding(status, url, evidence, details={"chain": chain.as_data()})


async def check_redirect_chain(ctx: CheckContext):
    assert ctx.net is not None
    urls = list(ctx.profile.critical_urls)
    if not urls:
        yield ctx.finding(Status.SKIP, ctx.profile.domain, "no critical_urls in the profile (checkout, login, reset links)")
        return

    async def one(url: str):
        chain = await ctx.net.follow(url, max_hops=MAX_REDIRECTS + 4)
        status, evidence = judge_chain(chain)
        return ctx.finding(status, url, evidence, details={"chain": chain.as_data()})

    async for f in ctx.each(urls, one):
        yield f
