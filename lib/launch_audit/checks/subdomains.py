"""S1.subdomain_inventory: every live subdomain is intended, and none can be taken over.

Looks at the declared names and a bounded list of names founders and tools
commonly create. A live name nobody declared is `warn` (forgotten staging sites
leak data and run old code); a CNAME chain that ends in a name that does not
exist is `fail`: whoever registers that name at the service serves our domain.
"""

from __future__ import annotations

import re

from ..findings import Status
from ..net.errors import DNSNoAddress, DNSNotFound
from .base import CheckContext

COMMON = ("www", "app", "api", "admin", "dashboard", "portal", "staging", "stage", "dev", "test", "qa", "uat",
          "beta", "demo", "preview", "legacy", "old", "new", "shop", "store", "checkout", "pay", "blog", "docs",
          "help", "support", "status", "cdn", "static", "assets", "img", "media", "mail", "email", "smtp",
          "webmail", "vpn", "auth", "login", "sso", "chat", "bot", "ai", "internal", "git", "ci")
# services where a dangling CNAME can be claimed by anyone (after can-i-take-over-xyz); label patterns, any TLD
TAKEOVER_PRONE = re.compile(
    r"(\.|^)(herokuapp|herokudns|github\.io|azurewebsites|cloudapp|trafficmanager|blob\.core\.windows|"
    r"s3(-website)?[.-][a-z0-9.-]*amazonaws|elasticbeanstalk|ghost\.io|surge\.sh|bitbucket\.io|pantheonsite|"
    r"readthedocs|unbouncepages|helpscoutdocs|myshopify|wpengine|webflow\.io|netlify|fly\.dev|vercel)(\.|$)")


def judge_subdomain(name: str, chain: list[str], addresses: list[str], dangling: bool,
                    intended: bool) -> tuple[Status, str]:
    """Pure: one live (or dangling) name's verdict."""
    path = " → ".join(chain)
    service = next((n for n in chain[1:] if TAKEOVER_PRONE.search(n)), None)
    if dangling:
        kind = f" (a {service.split('.')[-2] if service and '.' in service else 'hosted'} service name)" if service else ""
        return Status.FAIL, (f"CNAME chain {path} ends in a name that does not exist{kind}: anyone who registers it "
                             "there serves pages and cookies on this domain — remove the record")
    where = f"{path} → {', '.join(addresses)}" if len(chain) > 1 else ", ".join(addresses)
    if intended:
        return Status.PASS, f"declared, live: {where}"
    note = f"; it points at {service}, a service where unclaimed names can be taken over" if service else ""
    return Status.WARN, f"live but not declared as intentional: {where}{note}"


async def check_subdomain_inventory(ctx: CheckContext):
    assert ctx.net is not None
    profile, dns = ctx.profile, ctx.net.dns
    domain = profile.domain
    declared = {f"www.{domain}", *(f"{s}.{domain}" for s in profile.subdomains)}
    infra: set[str] = set()            # names the zone itself uses (MX, NS targets) are intended too
    for rtype in ("MX", "NS"):
        for record in await dns.query(domain, rtype):
            infra.add(record.split()[-1].rstrip(".").lower())
    candidates = list(dict.fromkeys([*sorted(declared), *(f"{label}.{domain}" for label in COMMON)]))
    inventory: list[dict] = []

    async def one(name: str):
        try:
            chain = await dns.cname_chain(name)
        except DNSNotFound:
            return []                   # not live: nothing to say about a name that does not exist
        dangling, addresses = False, []
        try:
            addresses = await dns.addresses(chain[-1]) if len(chain) > 1 else (
                await dns.query(name, "A") + await dns.query(name, "AAAA"))
        except DNSNotFound:
            dangling = True
        except DNSNoAddress:
            pass                        # the name answers, with no address
        if not addresses and not dangling:
            return []                   # a name with other records only (TXT, MX): not a web host
        intended = name in declared or name in infra
        status, evidence = judge_subdomain(name, chain, addresses, dangling, intended)
        inventory.append({"name": name, "chain": chain, "addresses": addresses, "status": str(status),
                          "declared": intended})
        return [ctx.finding(status, name, evidence, details={"chain": chain, "addresses": addresses})]

    found = 0
    async for f in ctx.each(candidates, one):
        found += 1
        yield f
    ctx.run.subdomains = sorted(inventory, key=lambda r: r["name"])
    if not found:
        yield ctx.finding(Status.PASS, domain, f"none of {len(candidates)} common or declared names is live")
