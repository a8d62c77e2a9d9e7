"""S2.dmarc: one valid DMARC record with an enforcing policy and reports (RFC 7489)."""

from __future__ import annotations

from ..findings import Status
from ..mailauth.dmarc import dmarc_policy, parse_dmarc, report_domains
from ..mailauth.domains import organizational_domain
from ..net.errors import DNSNotFound
from ..net.resolver import txt_value
from .base import CheckContext


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


async def check_dmarc(ctx: CheckContext):
    assert ctx.net is not None
    domain = ctx.profile.domain
    records, where = await dmarc_policy(ctx.net.dns, domain)
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
