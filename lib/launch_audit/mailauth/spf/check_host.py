"""check_host() for one connecting IP (RFC 7208 §4, §7 macros): what a receiver concludes."""

from __future__ import annotations

import ipaddress
import re
import urllib.parse
from dataclasses import dataclass

from ...net.errors import DNSError, DNSNotFound, TargetTimeout
from .record import (DNS_TERMS, LOOKUP_LIMIT, MACRO, MX_PTR_LIMIT, QUALIFIERS, VOID_LIMIT, Resolver, Term,
                     parse_record)
from .tree import mx_hosts, spf_records


class _PermError(Exception):
    pass


class _TempError(Exception):
    pass


@dataclass
class SpfResult:
    result: str                 # none, neutral, pass, fail, softfail, temperror, permerror
    domain: str
    mechanism: str = ""         # the term that matched, or why it ended
    lookups: int = 0


def expand_macros(spec: str, *, ip: str, sender: str, domain: str, helo: str = "") -> str:
    """§7.3 macro expansion (letters s l o d i p h v; transformers digits, r, delimiters; upper case URL-escapes)."""
    local, _, sender_domain = sender.rpartition("@")
    local = local or "postmaster"
    addr = ipaddress.ip_address(ip)
    dotted = str(addr) if addr.version == 4 else ".".join(addr.exploded.replace(":", ""))
    values = {"s": f"{local}@{sender_domain}", "l": local, "o": sender_domain, "d": domain, "i": dotted,
              "p": "unknown", "v": "in-addr" if addr.version == 4 else "ip6", "h": helo or sender_domain}

    def one(m: re.Match) -> str:
        if m.group(5) is not None:
            return {"%": "%", "_": " ", "-": "%20"}.get(m.group(5), "")
        letter, digits, rev, delims = m.group(1), m.group(2), m.group(3), m.group(4) or "."
        parts = re.split("[" + re.escape(delims) + "]", values.get(letter.lower(), ""))
        if rev:
            parts.reverse()
        if digits and int(digits) > 0:
            parts = parts[-int(digits):]
        out = ".".join(parts)
        return urllib.parse.quote(out, safe="") if letter.isupper() else out

    return MACRO.sub(one, spec)


class _Evaluation:
    def __init__(self, dns: Resolver, ip: str, sender: str, helo: str) -> None:
        self.dns, self.ip, self.sender, self.helo = dns, ipaddress.ip_address(ip), sender, helo
        self.lookups = 0
        self.voids = 0

    async def q(self, name: str, rdtype: str, *, void_counts: bool = True) -> list[str]:
        try:
            found = await self.dns.query(name, rdtype)
        except DNSNotFound:
            found = []
        except (DNSError, TargetTimeout) as e:
            raise _TempError(str(e)) from None
        if not found and void_counts:
            self.voids += 1
            if self.voids > VOID_LIMIT:
                raise _PermError(f"more than {VOID_LIMIT} void lookups")
        return found

    def count(self, what: str) -> None:
        self.lookups += 1
        if self.lookups > LOOKUP_LIMIT:
            raise _PermError(f"more than {LOOKUP_LIMIT} DNS-querying terms at {what}")

    def target(self, t: Term, domain: str) -> str:
        spec = t.domain or domain
        return expand_macros(spec, ip=str(self.ip), sender=self.sender, domain=domain, helo=self.helo).rstrip(".")

    def _in(self, addresses: list[str], t: Term) -> bool:
        cidr = t.cidr4 if self.ip.version == 4 else t.cidr6
        for a in addresses:
            try:
                net = ipaddress.ip_network(f"{a}/{cidr if cidr is not None else (32 if self.ip.version == 4 else 128)}",
                                           strict=False)
            except ValueError:
                continue
            if self.ip in net:
                return True
        return False

    async def check(self, domain: str) -> tuple[str, str]:
        try:
            records = await spf_records(self.dns, domain)
        except (DNSError, TargetTimeout) as e:       # (NXDOMAIN is no record, handled in spf_records)
            return "temperror", str(e)
        if not records:
            return "none", f"no SPF record at {domain}"
        if len(records) > 1:
            return "permerror", f"{len(records)} SPF records at {domain}"
        terms, problems, _ = parse_record(records[0])
        if problems:
            return "permerror", f"{domain}: {problems[0]}"
        try:
            for t in terms:
                if t.modifier:
                    continue
                if t.name in DNS_TERMS:
                    self.count(t.raw)
                if await self.match(t, domain):
                    return QUALIFIERS[t.qualifier], f"{domain}: {t.raw}"
            redirect = next((t for t in terms if t.name == "redirect"), None)
            if redirect:
                self.count(redirect.raw)
                result, why = await self.check(self.target(redirect, domain))
                return ("permerror", f"redirect target: {why}") if result == "none" else (result, why)
        except _PermError as e:
            return "permerror", str(e)
        except _TempError as e:
            return "temperror", str(e)
        return "neutral", f"{domain}: no mechanism matched"

    async def match(self, t: Term, domain: str) -> bool:
        v4 = self.ip.version == 4
        if t.name == "all":
            return True
        if t.name in ("ip4", "ip6"):
            return self.ip in ipaddress.ip_network(t.network or "", strict=False)
        target = self.target(t, domain)
        if t.name == "include":
            result, why = await self.check(target)
            if result == "temperror":
                raise _TempError(why)
            if result in ("permerror", "none"):
                raise _PermError(f"include:{target}: {why}")
            return result == "pass"
        if t.name == "a":
            return self._in(await self.q(target, "A" if v4 else "AAAA"), t)
        if t.name == "mx":
            hosts = mx_hosts(await self.q(target, "MX"))
            if len(hosts) > MX_PTR_LIMIT:
                raise _PermError(f"{t.raw}: more than {MX_PTR_LIMIT} MX hosts")
            for host in hosts:
                if self._in(await self.q(host, "A" if v4 else "AAAA", void_counts=False), t):
                    return True
            return False
        if t.name == "exists":
            return bool(await self.q(target, "A"))
        if t.name == "ptr":
            names = [n.rstrip(".").lower() for n in
                     await self.q(ipaddress.ip_address(self.ip).reverse_pointer, "PTR")][:MX_PTR_LIMIT]
            for n in names:
                if n == target.lower() or n.endswith("." + target.lower()):
                    if self._in(await self.q(n, "A" if v4 else "AAAA", void_counts=False), t):
                        return True
            return False
        return False


async def check_host(dns: Resolver, ip: str, domain: str, sender: str, helo: str = "") -> SpfResult:
    """§4: the SPF result for mail from ``sender`` (MAIL FROM) at ``domain`` arriving from ``ip``."""
    ev = _Evaluation(dns, ip, sender, helo)
    result, why = await ev.check(domain.rstrip(".").lower())
    return SpfResult(result, domain, why, ev.lookups)
