"""S2.https_redirect: http:// of apex, www and every subdomain moves to https:// for good."""

from __future__ import annotations

from urllib.parse import urlsplit

from ..findings import Status
from ..net.errors import TargetUnreachable
from ..net.http import PERMANENT_REDIRECTS, RedirectChain
from .base import CheckContext, Unanswered



def judge_https_redirect(chain: RedirectChain) -> tuple[Status, str]:
    """Pure: the verdict on the chain that starts at ``http://host/``."""
    if not chain.hops:
        return Status.ERROR, f"no answer ({chain.stop or 'nothing fetched'})"
    first = chain.hops[0]
    path = chain.describe()
    if first.location is None:
        return Status.FAIL, f"http:// answers {first.status} without redirecting to https:// ({path})"
    if first.status not in PERMANENT_REDIRECTS:
        return Status.FAIL, f"redirects with temporary {first.status}; browsers and search engines need 301 or 308 ({path})"
    if chain.stop in ("loop", "too_many_hops"):
        return Status.FAIL, f"redirect {chain.stop.replace('_', ' ')} ({path})"
    if chain.stop == "out_of_scope":
        target = urlsplit(chain.stop_url or "")
        if target.scheme == "https":
            return Status.WARN, f"moves to https:// on {target.hostname}, outside the audit scope ({path})"
        return Status.FAIL, f"leaves for {chain.stop_url} without reaching https:// ({path})"
    final = chain.final_url or ""
    if not final.startswith("https://"):
        return Status.FAIL, f"never reaches https:// ({path})"
    if not first.location.lower().startswith("https://") and not first.location.startswith("//"):
        return Status.WARN, f"reaches https:// only after an extra http:// hop ({path})"
    return Status.PASS, path


def judge_port_80_closed(reason: str) -> tuple[Status, str]:
    """Pure: nothing answers http:// at all (refused or reset): no redirect can be judged, and a visitor who
    types the bare name sees an error."""
    return Status.WARN, f"nothing answers on port 80 ({reason}); browsers that try http:// first show an error"


async def check_https_redirect(ctx: CheckContext):
    assert ctx.net is not None
    net = ctx.net

    async def one(url: str):
        chain = await ctx.attempt(net.follow(url, max_hops=5))
        if isinstance(chain, Unanswered):
            if not isinstance(chain.error, TargetUnreachable):
                return ctx.from_error(url, chain)
            status, evidence = judge_port_80_closed(chain.reason)     # a closed port 80 is what was observed
            return ctx.finding(status, url, evidence, details={})
        status, evidence = judge_https_redirect(chain)
        return ctx.finding(status, url, evidence, details={"chain": chain.as_data()})

    async for f in ctx.each([f"http://{h}/" for h in ctx.profile.hosts], one):
        yield f
