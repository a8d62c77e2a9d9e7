"""DNS through the profile's nameservers (host:port) or the system's, with dnspython.

Used both by DNS checks and to resolve every host the HTTP and TLS layers connect to,
so a check sees the same answers the audit's DNS checks see.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import time

import dns.asyncresolver
import dns.exception
import dns.message
import dns.nameserver
import dns.rdatatype
import dns.resolver

from .errors import DNSError, DNSNoAddress, DNSNotFound, TargetTimeout


def parse_nameserver(spec: str) -> tuple[str, int]:
    if spec.count(":") == 1:            # "ip:port" (IPv4); a bare IPv6 address has several colons
        host, port = spec.split(":")
        return host, int(port)
    return spec, 53


FAILURE_MEMORY_S = 10.0        # how long a host that failed to resolve keeps failing without a new query


def txt_value(record: str) -> str:
    """dnspython prints TXT as quoted chunks: '"v=DKIM1; k=rsa; " "p=MIIB…"' → one string (RFC 7208 §3.3)."""
    chunks = re.findall(r'"((?:[^"\\]|\\.)*)"', record)
    joined = "".join(chunks) if chunks else record
    # undo the zone-file escapes dnspython adds: \" \\ and \DDD
    return re.sub(r"\\(\d{3}|.)", lambda m: chr(int(m.group(1))) if len(m.group(1)) == 3 else m.group(1), joined)


class Resolver:
    def __init__(self, nameservers: list[str], timeout_s: float) -> None:
        self.timeout_s = timeout_s
        if nameservers:
            r = dns.asyncresolver.Resolver(configure=False)
            r.nameservers = [dns.nameserver.Do53Nameserver(h, p) for h, p in map(parse_nameserver, nameservers)]
            self.description = ", ".join(nameservers)
        else:
            try:
                r = dns.asyncresolver.Resolver()
            except dns.resolver.NoResolverConfiguration:
                r = dns.asyncresolver.Resolver(configure=False)
                r.nameservers = ["127.0.0.53"]
            self.description = "system resolver"
        r.lifetime = timeout_s
        r.timeout = min(timeout_s, 3.0)
        r.retry_servfail = False
        self._r = r
        self._addr_cache: dict[str, list[str]] = {}
        self._addr_locks: dict[str, asyncio.Lock] = {}
        self._addr_failed: dict[str, tuple[Exception, float]] = {}

    async def query(self, name: str, rdtype: str) -> list[str]:
        """Records of one type as text; [] when the name exists without that type.

        Raises DNSNotFound for NXDOMAIN, DNSError for SERVFAIL/refused, TargetTimeout.
        """
        try:
            answer = await self._r.resolve(name, rdtype, raise_on_no_answer=False, search=False)
        except dns.resolver.NXDOMAIN:
            raise DNSNotFound(f"{name}: no such domain (NXDOMAIN)", host=name) from None
        except dns.resolver.LifetimeTimeout:
            raise TargetTimeout(f"DNS query {name} {rdtype} timed out after {self.timeout_s:g}s ({self.description})",
                                host=name) from None
        except dns.resolver.NoNameservers as e:
            errors = [err for _, _, _, err, _ in e.kwargs.get("errors", [])]
            if errors and all(isinstance(err, dns.message.ChainTooLong) for err in errors):
                raise DNSError(f"DNS query {name} {rdtype} failed: its CNAME chain loops or is too long "
                               "(browsers cannot resolve it)", host=name) from None
            raise DNSError(f"DNS query {name} {rdtype} failed: no nameserver answered usefully (SERVFAIL/REFUSED): {e.msg if hasattr(e, 'msg') else e}",
                           host=name) from None
        except dns.resolver.YXDOMAIN:
            raise DNSError(f"{name}: name too long after CNAME substitution", host=name) from None
        except dns.exception.DNSException as e:
            raise DNSError(f"DNS query {name} {rdtype} failed: {e}", host=name) from None
        if answer.rrset is None:
            return []
        return [r.to_text() for r in answer.rrset]

    async def cname_chain(self, name: str, max_len: int = 10) -> list[str]:
        """name -> ... following CNAMEs one query at a time (for dangling-CNAME detection).

        The chain ends at the first name without a CNAME, or that does not exist
        (the caller resolves the last name to tell a dangling record).
        """
        chain = [name.rstrip(".")]
        while len(chain) <= max_len:
            try:
                targets = await self.query(chain[-1], "CNAME")
            except DNSNotFound:
                if len(chain) == 1:
                    raise
                return chain
            if not targets:
                return chain
            nxt = targets[0].rstrip(".")
            if nxt in chain:
                raise DNSError(f"CNAME loop: {' -> '.join(chain + [nxt])}", host=name)
            chain.append(nxt)
        raise DNSError(f"CNAME chain longer than {max_len}: {' -> '.join(chain)}", host=name)

    async def addresses(self, host: str) -> list[str]:
        """IPv4 then IPv6 addresses for connecting; cached for the run."""
        try:
            ipaddress.ip_address(host)
            return [host]
        except ValueError:
            pass
        host = host.rstrip(".").lower()
        if host in self._addr_cache:
            return self._addr_cache[host]
        lock = self._addr_locks.setdefault(host, asyncio.Lock())
        async with lock:
            failed = self._addr_failed.get(host)
            if failed and time.monotonic() - failed[1] < FAILURE_MEMORY_S:
                raise failed[0]         # requests queued behind a failed lookup fail with it, not one timeout each
            if host not in self._addr_cache:
                try:
                    found = await self.query(host, "A")
                    if not found:
                        found = await self.query(host, "AAAA")
                    if not found:
                        raise DNSNoAddress(f"{host} has no A or AAAA record", host=host)
                except (DNSError, TargetTimeout) as e:
                    self._addr_failed[host] = (e, time.monotonic())
                    raise
                self._addr_cache[host] = found
        return self._addr_cache[host]
