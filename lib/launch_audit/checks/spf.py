"""S2.spf: one valid SPF record whose whole include/redirect tree stays within RFC 7208's limits and ends in -all."""

from __future__ import annotations

from ..findings import Status
from ..mailauth.spf import expand, judge_tree
from .base import CheckContext


async def check_spf(ctx: CheckContext):
    assert ctx.net is not None
    domain = ctx.profile.domain
    tree = await expand(ctx.net.dns, domain)         # SERVFAIL/timeouts propagate: the runner reports error
    status, verdict = judge_tree(tree)
    info = [i for n in tree.root.walk() for i in n.info]
    if info:
        verdict += "; " + "; ".join(info)
    evidence = verdict + "\n" + "\n".join(tree.lines())
    ctx.run.mail_auth["spf"] = {"record": tree.root.record, "lookups": tree.lookups,
                                                     "all": tree.effective_all, "tree": tree.lines(),
                                                     "status": status}
    yield ctx.finding(Status(status), domain, evidence,
                      details={"record": tree.root.record, "lookups": tree.lookups, "void_lookups": tree.voids,
                               "all": tree.effective_all, "tree": tree.lines(), "notes": tree.notes})
