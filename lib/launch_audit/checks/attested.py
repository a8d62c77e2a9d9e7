"""Attested checks: nothing to probe; the consultant's answer in the profile's ``attest:``."""

from __future__ import annotations

from ..findings import Finding, Status
from .base import CheckContext


def judge_attested(ok: bool, note: str | None) -> tuple[Status, str, dict]:
    """Pure: the consultant's answer (yes or no, and what they saw) as a verdict."""
    return (Status.PASS if ok else Status.FAIL, f"attested: {note or ('yes' if ok else 'no')}", {"attested": True})


def attested_finding(ctx: CheckContext) -> Finding | None:
    """The consultant's answer from the profile as a finding, or None when there is none."""
    answer = ctx.profile.attest.get(ctx.check.id)
    if answer is None:
        return None
    ctx.observe("attested answers")             # the consultant's word is what this verdict rests on
    status, evidence, details = judge_attested(answer.ok, answer.note)
    return ctx.finding(status, ctx.profile.client, evidence, details=details)


async def check_attested(ctx: CheckContext):
    answer = attested_finding(ctx)
    if answer is None:
        answer = ctx.finding(Status.MANUAL, ctx.profile.client,
                             f"needs the consultant's answer: add attest: {{{ctx.check.id}: {{ok: true|false, note: ...}}}}")
    yield answer
