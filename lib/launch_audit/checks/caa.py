"""S2.caa: CAA records say which certificate authorities may issue for the domain (RFC 8659)."""

from __future__ import annotations

import re

from ..findings import Status
from .base import CheckContext

KNOWN_TAGS = {"issue", "issuewild", "iodef", "contactemail", "contactphone", "issuemail"}
_RECORD = re.compile(r'^\s*(\d{1,3})\s+([A-Za-z0-9]+)\s+"?(.*?)"?\s*$')


def parse_caa(record: str) -> tuple[int, str, str] | None:
    """Pure: 'flags tag "value"' as dnspython prints it, or None when it is not CAA syntax."""
    m = _RECORD.match(record)
    if not m or int(m.group(1)) > 255:
        return None
    return int(m.group(1)), m.group(2).lower(), m.group(3)


def judge_caa(records: list[str]) -> tuple[Status, str]:
    """Pure: the verdict on the apex's CAA set."""
    if not records:
        return Status.WARN, "no CAA record: any certificate authority may issue for this domain"
    parsed = [(r, parse_caa(r)) for r in records]
    bad = [r for r, p in parsed if p is None]
    if bad:
        return Status.FAIL, f"unparsable CAA record {bad[0][:80]!r}: CAs treat the set as broken"
    critical = [p for _, p in parsed if p and p[0] & 128 and p[1] not in KNOWN_TAGS]
    if critical:
        return Status.FAIL, (f"critical flag on unknown tag {critical[0][1]!r}: every CA must refuse to issue, "
                             "so renewals will fail")
    issuers = sorted({p[2].split(";")[0].strip() or "nobody" for _, p in parsed if p and p[1] == "issue"})
    wild = sorted({p[2].split(";")[0].strip() or "nobody" for _, p in parsed if p and p[1] == "issuewild"})
    report = [p[2] for _, p in parsed if p and p[1] == "iodef"]
    if not issuers and not wild:
        return Status.WARN, "CAA records exist but none has an issue or issuewild tag: they restrict nothing"
    text = f"may issue: {', '.join(issuers) or '(issue not set)'}"
    if wild:
        text += f"; wildcards: {', '.join(wild)}"
    text += f"; reports to {', '.join(report)}" if report else "; no iodef (no report of refused requests)"
    return Status.PASS, text


async def check_caa(ctx: CheckContext):
    assert ctx.net is not None
    domain = ctx.profile.domain
    records = await ctx.net.dns.query(domain, "CAA")
    status, evidence = judge_caa(records)
    yield ctx.finding(status, domain, evidence, details={"records": records})
