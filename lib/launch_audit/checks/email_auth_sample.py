"""S2.email_auth_sample: a raw message the product really sent passes SPF, DKIM and DMARC alignment.

The DKIM keys, SPF tree and DMARC record are looked up through the run's resolver (the profile's
nameservers), so the verdict is about the same DNS the other stage 2 checks judged.
"""

from __future__ import annotations

import asyncio

from ..findings import Status
from ..mailauth.dmarc import dmarc_policy, parse_dmarc
from ..mailauth.message import judge_sample, read_facts, verify_dkim
from ..mailauth.spf import check_host
from ..mailauth.tags import parse_tags
from ..net.errors import DNSNotFound
from ..net.resolver import txt_value
from .base import CheckContext

MAX_SAMPLE_BYTES = 10_000_000


async def check_email_auth_sample(ctx: CheckContext):
    assert ctx.net is not None
    email = ctx.profile.email
    if email is None or not email.samples:
        yield ctx.finding(Status.SKIP, ctx.profile.domain,
                          "no email.samples in the profile: save a real message the product sent "
                          "(\"show original\" in the mailbox) and list its path")
        return
    loop = asyncio.get_running_loop()
    dns = ctx.net.dns

    def txt_lookup(name: str) -> bytes | None:
        """dkimpy's DNS hook, called from its worker thread; answers come from the run's resolver."""
        try:
            answers = asyncio.run_coroutine_threadsafe(dns.query(name, "TXT"), loop).result(timeout=dns.timeout_s + 5)
        except DNSNotFound:
            return None
        return txt_value(answers[0]).encode() if answers else None

    async def one(sample: str):
        path = ctx.profile.path(sample)
        try:
            if path.stat().st_size > MAX_SAMPLE_BYTES:
                return ctx.finding(Status.ERROR, sample, f"{path.name} is over {MAX_SAMPLE_BYTES // 1_000_000} MB: "
                                   "not a single message")
            raw = path.read_bytes()
        except OSError as e:
            return ctx.finding(Status.ERROR, sample, f"cannot read the sample: {e.strerror or e}")
        ctx.observe("email samples")
        facts = read_facts(raw)
        outcomes = await asyncio.to_thread(verify_dkim, raw, txt_lookup)
        spf = None
        if facts.client_ip and facts.mail_from_domain:
            spf = await check_host(dns, facts.client_ip, facts.mail_from_domain, facts.mail_from or "",
                                   helo=facts.helo or "")
        tags = None
        if len(set(facts.from_domains)) == 1:
            from_domain = facts.from_domains[0]
            records, _ = await dmarc_policy(dns, from_domain)
            if len(records) == 1:
                tags = parse_tags(records[0])[0] if not parse_dmarc(records[0])[1] else None
        verdict = judge_sample(facts, outcomes, spf, tags)
        return ctx.finding(Status(verdict.status), sample, verdict.evidence,
                           details={"from": facts.from_domains, "mail_from": facts.mail_from_domain,
                                    "client_ip": facts.client_ip, "dkim": [vars(o) for o in outcomes],
                                    "spf": spf.result if spf else None, "provider_said": facts.provider_results})

    async for f in ctx.each(email.samples, one):
        yield f
