"""S2.cloudflare: is a CDN/DDoS proxy in front of each host? Cloudflare by NS, published ranges or cf-ray.

Other CDNs are recognised by their response headers, so a founder on Fastly or
CloudFront is not told to move to Cloudflare.
"""

from __future__ import annotations

import ipaddress
import json
from functools import lru_cache
from pathlib import Path

import httpx

from ..findings import Status
from .base import CheckContext

DATA = Path(__file__).parent / "data" / "cdn_ranges.json"
# response header -> the CDN that sets it
CDN_HEADERS = {
    "cf-ray": "Cloudflare", "x-amz-cf-id": "Amazon CloudFront", "x-served-by": "Fastly",
    "x-fastly-request-id": "Fastly", "x-akamai-transformed": "Akamai", "x-vercel-id": "Vercel",
    "x-nf-request-id": "Netlify", "x-azure-ref": "Azure Front Door", "x-cdn": "a CDN",
}


@lru_cache(maxsize=1)
def cloudflare_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    data = json.loads(DATA.read_text(encoding="utf-8"))["cloudflare"]
    return [ipaddress.ip_network(n) for n in data["ipv4"] + data["ipv6"]]


def in_cloudflare(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in cloudflare_networks() if net.version == ip.version)


def cdn_from_headers(headers: httpx.Headers | dict[str, str]) -> str | None:
    lower = {k.lower(): v for k, v in dict(headers).items()}
    for name, cdn in CDN_HEADERS.items():
        if name in lower:
            return cdn
    server = lower.get("server", "").lower()
    if server == "cloudflare":
        return "Cloudflare"
    if "cloudfront" in server or "akamaighost" in server:
        return "Amazon CloudFront" if "cloudfront" in server else "Akamai"
    return None


def judge_cdn(addresses: list[str], headers_cdn: str | None, ns_on_cloudflare: bool) -> tuple[Status, str]:
    """Pure: one host's verdict from its addresses, the CDN its headers name, and the domain's NS."""
    proxied = [a for a in addresses if in_cloudflare(a)]
    ns = "NS on Cloudflare" if ns_on_cloudflare else "NS not on Cloudflare"
    if proxied:
        return Status.PASS, f"proxied by Cloudflare ({', '.join(proxied)} in its published ranges; {ns})"
    if headers_cdn:
        return Status.PASS, f"behind {headers_cdn} (response headers; addresses {', '.join(addresses) or 'unknown'}; {ns})"
    if ns_on_cloudflare:
        return Status.WARN, (f"DNS only: Cloudflare serves the zone but this host is not proxied "
                             f"({', '.join(addresses)}): turn the orange cloud on")
    return Status.WARN, (f"no CDN or DDoS proxy in front ({', '.join(addresses) or 'no address'}; {ns}): "
                         "a traffic spike or an attack reaches the origin directly")


async def check_cloudflare(ctx: CheckContext):
    assert ctx.net is not None
    ns = await ctx.net.dns.query(ctx.profile.domain, "NS")
    ns_on_cf = bool(ns) and all(n.rstrip(".").lower().endswith(".ns.cloudflare.com") for n in ns)

    async def one(host: str):
        addresses = await ctx.net.dns.addresses(host)
        resp = await ctx.net.get(f"https://{host}/")
        status, evidence = judge_cdn(addresses, cdn_from_headers(resp.headers), ns_on_cf)
        return ctx.finding(status, host, evidence, details={"addresses": addresses, "ns": ns})

    async for f in ctx.each(ctx.profile.hosts, one):
        yield f
