"""Attested checks: nothing to probe; the consultant's answer in the profile's ``attest:``."""

from __future__ import annotations

from ..findings import Status
from .base import CheckContext


async def check_attested(ctx: CheckContext):
    answer = ctx.profile.attest.get(ctx.check.id)
    if answer is None:
        yield ctx.finding(Status.MANUAL, ctx.profile.client,
                          f"needs the consultant's answer: add attest: {{{ctx.check.id}: {{ok: true|false, note: ...}}}}")
        return
    status = Status.PASS if answer.ok else Status.FAIL
    yield ctx.finding(status, ctx.profile.client, f"attested: {answer.note or ('yes' if answer.ok else 'no')}",
                      details={"attested": True})
