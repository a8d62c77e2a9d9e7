"""S2.dmarc: one valid DMARC record with an enforcing policy and reports (RFC 7489)."""

from __future__ import annotations

import re

from ..findings import Status
from ..mailauth.domains import organizational_domain
from ..net.errors import DNSNotFound
from .base import CheckContext
from ..net.resolver import txt_value
from .dkim import parse_tags

POLICIES = ("none", "quarantine", "reject")


def parse_dmarc(record: str) -> tuple[dict[str, str], list[str]]:
    """Pure: RFC 7489 §6.3 — v first and DMARC1, p required, values in range; returns the tags and the
    problems that make the record invalid (a syntax error is a fail in spec/checks.md even where
    receivers fall back to a default; each problem says what receivers do instead)."""
    tags, problems = parse_tags(record)
    if not record.strip().startswith("v=DMARC1"):
        problems.append("must start with v=DMARC1")
    p = tags.get("p", "").lower()
    if p not in POLICIES:
        fallback = ("receivers act as p=none because rua is valid (§6.6.3)" if tags.get("rua")
                    else "receivers apply no DMARC at all (§6.6.3)")
        problems.append((f"p={tags.get('p', '')!r} is not none, quarantine or reject" if "p" in tags
                         else "no p= tag") + f": {fallback}")
    if "sp" in tags and tags["sp"].lower() not in POLICIES:
        problems.append(f"sp={tags['sp']!r} is not a policy")
    if "pct" in tags and not (tags["pct"].isdigit() and 0 <= int(tags["pct"]) <= 100):
        problems.append(f"pct={tags['pct']!r} is not 0-100 (receivers ignore it and apply 100)")
    for align in ("adkim", "aspf"):
        if align in tags and tags[align].lower() not in ("r", "s"):
            problems.append(f"{align}={tags[align]!r} is not r or s (receivers use r, relaxed)")
    for uri_tag in ("rua", "ruf"):
        for uri in filter(None, (u.strip() for u in tags.get(uri_tag, "").split(","))):
            if not re.match(r"^(mailto:[^@\s]+@[^@\s!]+|https?://\S+)(![0-9]+[kmgt]?)?$", uri, re.I):
                problems.append(f"{uri_tag} {uri[:60]!r} is not a mailto: or http(s) URI (receivers drop it)")
    return tags, problems


def report_domains(tags: dict[str, str]) -> list[str]:
    """The domains rua/ruf mail goes to (for the external-destination check of RFC 7489 §7.1)."""
    out = []
    for uri_tag in ("rua", "ruf"):
        for uri in filter(None, (u.strip() for u in tags.get(uri_tag, "").split(","))):
            if uri.lower().startswith("mailto:") and "@" in uri:
                out.append(uri.split("@", 1)[1].split("!")[0].lower().rstrip("."))
    return list(dict.fromkeys(out))


def judge_dmarc(records: list[str], authorized: dict[str, bool] | None = None,
                undeliverable: list[str] | None = None) -> tuple[Status, str]:
    """Pure: the TXT values at _dmarc.<domain> that start with v=DMARC1, for each external report
    domain whether it published the authorization record, and the report domains mail cannot reach."""
    if not records:
        return Status.FAIL, "no DMARC record: anyone can send mail as this domain and inboxes cannot tell"
    if len(records) > 1:
        return Status.FAIL, f"{len(records)} DMARC records: receivers ignore them all (RFC 7489 §6.6.3)"
    tags, problems = parse_dmarc(records[0])
    if problems:
        return Status.FAIL, f"invalid DMARC record: {'; '.join(problems)}"
    p, pct = tags["p"].lower(), int(tags.get("pct", "100"))
    shown = f"p={p}" + (f", sp={tags['sp']}" if "sp" in tags else "") + f", pct={pct}"
    shown += f", rua={tags['rua']}" if "rua" in tags else ", no rua"
    weak = []
    if p == "none":
        weak.append("p=none only monitors: spoofed mail is still delivered")
    if pct < 100:
        weak.append(f"pct={pct}: the policy applies to {pct} % of failing mail")
    if "rua" not in tags:
        weak.append("no rua: nobody receives the aggregate reports")
    missing = sorted(d for d, ok in (authorized or {}).items() if not ok)
    if undeliverable:
        weak.append(f"report mail to {', '.join(undeliverable)} cannot be delivered (no MX and no address): "
                    "nobody receives the reports")
    if missing:
        weak.append(f"report destination {', '.join(missing)} has not authorised reports for this domain "
                    "(no _report._dmarc record): those reports are dropped")
    if weak:
        return Status.WARN, f"{shown}: " + "; ".join(weak)
    return Status.PASS, shown


async def dmarc_records(ctx: CheckContext, domain: str) -> list[str]:
    assert ctx.net is not None
    try:
        values = [txt_value(r) for r in await ctx.net.dns.query(f"_dmarc.{domain}", "TXT")]
    except DNSNotFound:
        return []
    return [v for v in values if v.strip().lower().startswith("v=dmarc1")]


async def dmarc_policy(ctx: CheckContext, domain: str) -> tuple[list[str], str]:
    """The DMARC records that apply to ``domain`` and where they were found: its own, else its
    organizational domain's (RFC 7489 §6.6.3)."""
    records = await dmarc_records(ctx, domain)
    org = organizational_domain(domain)
    if not records and org != domain:
        return await dmarc_records(ctx, org), f"_dmarc.{org} (organizational domain)"
    return records, f"_dmarc.{domain}"


async def check_dmarc(ctx: CheckContext):
    assert ctx.net is not None
    domain = ctx.profile.domain
    records, where = await dmarc_policy(ctx, domain)
    org = organizational_domain(domain)
    authorized: dict[str, bool] = {}
    undeliverable: list[str] = []
    if len(records) == 1:
        tags, problems = parse_dmarc(records[0])
        for dest in [] if problems else report_domains(tags):
            if not await _receives_mail(ctx, dest):
                undeliverable.append(dest)
            if dest == domain or dest.endswith("." + domain) or organizational_domain(dest) == org:
                continue
            try:
                auth = [txt_value(r) for r in await ctx.net.dns.query(f"{domain}._report._dmarc.{dest}", "TXT")]
            except DNSNotFound:
                auth = []
            authorized[dest] = any(a.strip().lower().startswith("v=dmarc1") for a in auth)
    status, evidence = judge_dmarc(records, authorized, undeliverable)
    ctx.run.mail_auth["dmarc"] = {
        "where": where, "record": records[0] if len(records) == 1 else None, "status": str(status), "summary": evidence}
    yield ctx.finding(status, where, evidence, details={"records": records, "external_reports": authorized,
                                                        "undeliverable_reports": undeliverable})


async def _receives_mail(ctx: CheckContext, domain: str) -> bool:
    """MX records, or an address for the implicit MX of RFC 5321 §5.1 (a null MX "0 ." refuses mail)."""
    assert ctx.net is not None
    try:
        mx = await ctx.net.dns.query(domain, "MX")
    except DNSNotFound:
        return False
    if mx:
        return not all(r.split()[-1] == "." for r in mx)
    return bool(await ctx.net.dns.query(domain, "A") or await ctx.net.dns.query(domain, "AAAA"))
