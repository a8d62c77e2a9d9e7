"""Stage 7: is the handover complete enough for the founder to run the shop without the consultant?
S7.dns_map (filled from stage 2's hand-off in the same run), S7.env_inventory, S7.runbooks, S7.alert_contacts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dotenv import dotenv_values

from ..findings import Status
from .base import CheckContext
from .run_data import RunData

RUNBOOKS = {"rotate_keys": "rotate keys", "rollback": "roll back a deploy", "leak_response": "respond to a suspected leak"}


def stage_data(ctx: CheckContext, stage: int) -> dict[str, Any] | None:
    """Another stage's hand-off data in this run (None outside a run, or when that stage did not run)."""
    run_dir = ctx.run.run_dir
    path = Path(run_dir) / "stages" / f"{stage:02d}.json" if run_dir else None
    if path is None or not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("data") or {}
    except (OSError, ValueError):
        return None


async def check_dns_map(ctx: CheckContext):
    stage2 = stage_data(ctx, 2)
    if stage2 is None:
        yield ctx.finding(Status.FAIL, ctx.profile.domain, "no stage 2 results in this run: the handover has no "
                          "domain map. Run stage 2 in the same run (launch-audit run without --stages, or with 2)")
        return
    dns_map = RunData(stage2).dns_map
    if not dns_map:
        yield ctx.finding(Status.FAIL, ctx.profile.domain, "stage 2 ran but recorded no DNS records (see its errors)")
        return
    stage1 = RunData(stage_data(ctx, 1))
    mail = RunData(stage2).mail_auth
    parts = [f"{len(dns_map)} hosts, {sum(len(v) for r in dns_map.values() for v in r.values())} records"]
    if stage1.subdomains:
        parts.append(f"{len(stage1.subdomains)} live names under the domain")
    if mail:
        parts.append("mail setup (" + ", ".join(k.upper() for k in ("spf", "dkim", "dmarc") if k in mail) + ")")
    yield ctx.finding(Status.PASS, ctx.profile.domain, "the domain map is in the handover: " + "; ".join(parts),
                      details={"tried": {"hosts in stage 2's map": len(dns_map)}})


def _prod_env_names(ctx: CheckContext) -> list[str]:
    path = ctx.profile.repo.prod_env_file if ctx.profile.repo else None
    if not path or not ctx.profile.path(path).is_file():
        return []
    return list(dotenv_values(ctx.profile.path(path)))


async def check_env_inventory(ctx: CheckContext):
    handover = ctx.profile.handover
    listed = handover.env_vars if handover else []
    gaps = [f"{v.name} ({', '.join(x for x, have in (('owner', v.owner), ('purpose', v.purpose)) if not have)})"
            for v in listed if not v.owner or not v.purpose]
    unlisted = [n for n in _prod_env_names(ctx) if n not in {v.name for v in listed}]
    if not listed and not unlisted:
        yield ctx.finding(Status.FAIL, ctx.profile.domain, "no production env var is listed in handover.env_vars")
        return
    if gaps or unlisted:
        text = []
        if gaps:
            text.append(f"missing owner or purpose: {'; '.join(gaps)}")
        if unlisted:
            text.append(f"in the prod env file but not in the inventory: {', '.join(unlisted)}")
        yield ctx.finding(Status.FAIL, ctx.profile.domain, ". ".join(text) + ". Whoever inherits the shop cannot "
                          "rotate or remove what nobody owns", details={"gaps": gaps, "unlisted": unlisted})
        return
    yield ctx.finding(Status.PASS, ctx.profile.domain, f"{len(listed)} production env vars, each with an owner and a "
                      "purpose", details={"tried": {"handover.env_vars entries": len(listed)}})


async def check_runbooks(ctx: CheckContext):
    books = ctx.profile.handover.runbooks if ctx.profile.handover else None
    repo = ctx.profile.path(ctx.profile.repo.path) if ctx.profile.repo and ctx.profile.repo.path else None
    missing, absent = [], []
    for key, label in RUNBOOKS.items():
        where = getattr(books, key, None) if books else None
        if not where:
            missing.append(label)
        elif repo is not None and not where.startswith(("http://", "https://")) and not (repo / where).is_file():
            absent.append(f"{label} ({where})")
    if missing:
        yield ctx.finding(Status.FAIL, ctx.profile.domain, f"no runbook to {', '.join(missing)}: write it down before "
                          "launch (the handover lists the concrete steps for the secrets this audit found)")
    elif absent:
        yield ctx.finding(Status.WARN, ctx.profile.domain, f"named but not in the repository: {'; '.join(absent)}")
    else:
        yield ctx.finding(Status.PASS, ctx.profile.domain, "runbooks to rotate keys, roll back and respond to a leak",
                          details={"tried": {"handover.runbooks entries": len(RUNBOOKS)}})


async def check_alert_contacts(ctx: CheckContext):
    contacts = ctx.profile.handover.alert_contacts if ctx.profile.handover else []
    if not contacts:
        yield ctx.finding(Status.FAIL, ctx.profile.domain, "nobody is named to receive alerts")
        return
    vague = [c.who for c in contacts if not (c.first_action or "").strip()]
    if vague:
        yield ctx.finding(Status.FAIL, ctx.profile.domain, f"no first action written for {', '.join(vague)}: at 3 am "
                          "an alert with no first step gets ignored")
        return
    yield ctx.finding(Status.PASS, ctx.profile.domain, f"{len(contacts)} alert contact(s), each with a first action",
                      details={"tried": {"handover.alert_contacts entries": len(contacts)}})
