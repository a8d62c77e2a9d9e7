"""S2.dns_records: apex, www and every declared subdomain resolve, to where the profile says."""

from __future__ import annotations

import asyncio

from ..findings import Finding, Status
from ..net.errors import DNSNotFound
from .base import CheckContext

ADDRESS_TYPES = ("A", "AAAA", "CNAME")
APEX_TYPES = ("NS", "MX", "TXT", "CAA")


def _norm(value: str) -> str:
    return value.strip().rstrip(".").lower()


def judge_records(records: dict[str, list[str]], expected: list[str] | None) -> tuple[Status, str]:
    """Pure: the verdict on one name's A/AAAA/CNAME answers (``records['NXDOMAIN']`` marks no such name)."""
    if "NXDOMAIN" in records:
        return Status.FAIL, "the name does not exist (NXDOMAIN): visitors get 'site can't be reached'"
    addresses = records.get("A", []) + records.get("AAAA", [])
    cnames = records.get("CNAME", [])
    if not addresses and not cnames:
        return Status.FAIL, "no A, AAAA or CNAME record: visitors get 'site can't be reached'"
    if cnames and not addresses:
        return Status.FAIL, f"CNAME to {cnames[0]} which has no address (dangling)"
    shown = "; ".join(f"{t} {', '.join(records[t])}" for t in ADDRESS_TYPES if records.get(t))
    if expected:
        want = {_norm(v) for v in expected}
        have_addr, have_cname = {_norm(a) for a in addresses}, {_norm(c) for c in cnames}
        if not want & (have_addr | have_cname):
            return Status.FAIL, f"points to {shown}, not to the declared {', '.join(sorted(want))}"
        if not want & have_cname:       # declared as addresses: they must match exactly
            if have_addr - want:
                return Status.WARN, f"{shown}; also answers {', '.join(sorted(have_addr - want))}, not declared (stale record?)"
            if want - have_addr:
                return Status.WARN, f"{shown}; declared {', '.join(sorted(want - have_addr))} is missing"
    return Status.PASS, shown


async def _lookup(ctx: CheckContext, name: str, types: tuple[str, ...]) -> dict[str, list[str]]:
    assert ctx.net is not None
    results = await asyncio.gather(*(ctx.net.dns.query(name, t) for t in types), return_exceptions=True)
    records: dict[str, list[str]] = {}
    for rdtype, result in zip(types, results):
        if isinstance(result, DNSNotFound):
            return {"NXDOMAIN": []}
        if isinstance(result, BaseException):
            raise result
        if result:
            records[rdtype] = result
    return records


async def check_dns_records(ctx: CheckContext):
    profile = ctx.profile
    dns_map: dict[str, dict[str, list[str]]] = ctx.run.dns_map

    async def one(host: str) -> Finding:
        records = await _lookup(ctx, host, ADDRESS_TYPES + (APEX_TYPES if host == profile.domain else ()))
        dns_map[host] = records
        status, evidence = judge_records(records, profile.expected_records.get(host))
        return ctx.finding(status, host, evidence, details={"records": records},
                           title=f"{host} resolves" if status is Status.PASS else f"{host} does not resolve as intended")

    async for f in ctx.each(profile.hosts, one):
        yield f
