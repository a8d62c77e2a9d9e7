"""S2.mx: a domain that receives mail has MX hosts that resolve; one that does not says so (RFC 7505)."""

from __future__ import annotations

from ..findings import Status
from ..net.errors import DNSNoAddress, DNSNotFound
from .base import CheckContext


def parse_mx(record: str) -> tuple[int, str] | None:
    parts = record.split()
    if len(parts) != 2 or not parts[0].isdigit():
        return None
    return int(parts[0]), parts[1].rstrip(".").lower()


def is_null_mx(records: list[str]) -> bool:
    parsed = [parse_mx(r) for r in records]
    return len(parsed) == 1 and parsed[0] is not None and parsed[0][1] in ("", ".")


def judge_mx(records: list[str], resolving: dict[str, bool], *, receives: bool, sends: bool) -> tuple[Status, str]:
    """Pure: ``resolving`` maps each exchange to whether it has an address."""
    null = is_null_mx(records)
    if receives:
        if not records:
            return Status.FAIL, "no MX record: mail to this domain (replies, support@) bounces"
        if null:
            return Status.FAIL, "null MX (0 .): the domain says it takes no mail, but the profile says it receives mail"
        dead = sorted(h for h, ok in resolving.items() if not ok)
        shown = ", ".join(records)
        if dead and len(dead) == len(resolving):
            return Status.FAIL, f"MX {shown}: no exchange resolves ({', '.join(dead)})"
        if dead:
            return Status.WARN, f"MX {shown}: {', '.join(dead)} does not resolve"
        return Status.PASS, f"MX {shown}; every exchange resolves"
    if null:
        return Status.PASS, "null MX (0 .): senders learn at once that the domain takes no mail"
    advice = "publish a null MX (0 .)" + ("" if sends else " and 'v=spf1 -all'")
    if records:
        return Status.WARN, f"MX {', '.join(records)} although the profile says no mail is received: {advice}"
    return Status.WARN, f"no MX and no null MX: {advice} so nobody can receive or spoof mail for it"


async def check_mx(ctx: CheckContext):
    assert ctx.net is not None
    email = ctx.profile.email
    if email is None:
        yield ctx.finding(Status.SKIP, ctx.profile.domain, "no email: section in the profile")
        return
    records = await ctx.net.dns.query(ctx.profile.domain, "MX")
    resolving: dict[str, bool] = {}
    for record in records:
        parsed = parse_mx(record)
        if parsed is None or parsed[1] in ("", "."):
            continue
        try:
            resolving[parsed[1]] = bool(await ctx.net.dns.addresses(parsed[1]))
        except (DNSNotFound, DNSNoAddress):     # the answer is "no address"; a lookup that failed is the check's error
            resolving[parsed[1]] = False
    status, evidence = judge_mx(records, resolving, receives=email.receives_mail, sends=email.sends_mail)
    yield ctx.finding(status, ctx.profile.domain, evidence, details={"records": records})
