"""DMARC records (RFC 7489): the parser, the report destinations, and the query that finds the record
that applies to a domain (its own, else its organizational domain's). Queries take a resolver, like SPF's."""

from __future__ import annotations

import re

from ..net.errors import DNSNotFound
from ..net.resolver import Resolver, txt_value
from .domains import organizational_domain
from .tags import parse_tags

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


async def dmarc_records(dns: Resolver, domain: str) -> list[str]:
    """The v=DMARC1 TXT records at _dmarc.<domain> ([] when there are none)."""
    try:
        values = [txt_value(r) for r in await dns.query(f"_dmarc.{domain}", "TXT")]
    except DNSNotFound:
        return []
    return [v for v in values if v.strip().lower().startswith("v=dmarc1")]


async def dmarc_policy(dns: Resolver, domain: str) -> tuple[list[str], str]:
    """The DMARC records that apply to ``domain`` and where they were found: its own, else its
    organizational domain's (RFC 7489 §6.6.3)."""
    records = await dmarc_records(dns, domain)
    org = organizational_domain(domain)
    if not records and org != domain:
        return await dmarc_records(dns, org), f"_dmarc.{org} (organizational domain)"
    return records, f"_dmarc.{domain}"
