"""Attested checks: nothing to probe; the consultant's answer in the profile's ``attest:``."""

from __future__ import annotations

from ..findings import Finding, Status
from .base import CheckContext


def attested_finding(ctx: CheckContext) -> Finding | None:
    """The consultant's answer from the profile as a finding, or None when there is none."""
    answer = ctx.profile.attest.get(ctx.check.id)
    if answer is None:
        return None
    status = Status.PASS if answer.ok else Status.FAIL
    ctx.observe("attested answers")             # the consultant's word is what this verdict rests on
    return ctx.finding(status, ctx.profile.client, f"attested: {answer.note or ('yes' if answer.ok else 'no')}",
                       details={"attested": True})


async def check_attested(ctx: CheckContext):
    answer = attested_finding(ctx)
    if answer is None:
        answer = ctx.finding(Status.MANUAL, ctx.profile.client,
                             f"needs the consultant's answer: add attest: {{{ctx.check.id}: {{ok: true|false, note: ...}}}}")
    yield answer
