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


Verdict = tuple[Status, str, dict[str, Any]]


def judge_dns_map(dns_map: dict | None, subdomains: int, mail: list[str]) -> Verdict:
    """Pure: the domain map is in the handover when stage 2 ran in this run and recorded records."""
    if dns_map is None:
        return (Status.FAIL, "no stage 2 results in this run: the handover has no domain map. Run stage 2 in the "
                "same run (launch-audit run without --stages, or with 2)", {})
    if not dns_map:
        return Status.FAIL, "stage 2 ran but recorded no DNS records (see its errors)", {}
    parts = [f"{len(dns_map)} hosts, {sum(len(v) for r in dns_map.values() for v in r.values())} records"]
    if subdomains:
        parts.append(f"{subdomains} live names under the domain")
    if mail:
        parts.append("mail setup (" + ", ".join(k.upper() for k in ("spf", "dkim", "dmarc") if k in mail) + ")")
    return (Status.PASS, "the domain map is in the handover: " + "; ".join(parts),
            {"tried": {"hosts in stage 2's map": len(dns_map)}})


async def check_dns_map(ctx: CheckContext):
    stage2 = stage_data(ctx, 2)
    dns_map = RunData(stage2).dns_map if stage2 is not None else None
    status, evidence, details = judge_dns_map(dns_map, len(RunData(stage_data(ctx, 1)).subdomains or []),
                                              list(RunData(stage2).mail_auth or {}) if stage2 is not None else [])
    yield ctx.finding(status, ctx.profile.domain, evidence, details=details)


def _prod_env_names(ctx: CheckContext) -> list[str]:
    path = ctx.profile.repo.prod_env_file if ctx.profile.repo else None
    if not path or not ctx.profile.path(path).is_file():
        return []
    return list(dotenv_values(ctx.profile.path(path)))


def judge_env_inventory(listed: list[tuple[str, str, str]], prod_names: list[str]) -> Verdict:
    """Pure: every production env var (name, owner, purpose) has an owner and a purpose, and every name in
    the production env file is listed."""
    gaps = [f"{name} ({', '.join(x for x, have in (('owner', owner), ('purpose', purpose)) if not have)})"
            for name, owner, purpose in listed if not owner or not purpose]
    unlisted = [n for n in prod_names if n not in {name for name, _, _ in listed}]
    if not listed and not unlisted:
        return Status.FAIL, "no production env var is listed in handover.env_vars", {}
    if gaps or unlisted:
        text = []
        if gaps:
            text.append(f"missing owner or purpose: {'; '.join(gaps)}")
        if unlisted:
            text.append(f"in the prod env file but not in the inventory: {', '.join(unlisted)}")
        return (Status.FAIL, ". ".join(text) + ". Whoever inherits the shop cannot rotate or remove what nobody "
                "owns", {"gaps": gaps, "unlisted": unlisted})
    return (Status.PASS, f"{len(listed)} production env vars, each with an owner and a purpose",
            {"tried": {"handover.env_vars entries": len(listed)}})


async def check_env_inventory(ctx: CheckContext):
    handover = ctx.profile.handover
    listed = [(v.name, v.owner or "", v.purpose or "") for v in (handover.env_vars if handover else [])]
    status, evidence, details = judge_env_inventory(listed, _prod_env_names(ctx))
    yield ctx.finding(status, ctx.profile.domain, evidence, details=details)


def judge_runbooks(named: dict[str, str | None], in_repo: dict[str, bool | None]) -> Verdict:
    """Pure: each runbook (by label) is named, and a named file exists in the repository (None: a URL, or
    no repository to look in)."""
    missing = [label for label, where in named.items() if not where]
    absent = [f"{label} ({named[label]})" for label, there in in_repo.items() if named.get(label) and there is False]
    if missing:
        return (Status.FAIL, f"no runbook to {', '.join(missing)}: write it down before launch (the handover lists "
                "the concrete steps for the secrets this audit found)", {})
    if absent:
        return Status.WARN, f"named but not in the repository: {'; '.join(absent)}", {}
    return (Status.PASS, "runbooks to rotate keys, roll back and respond to a leak",
            {"tried": {"handover.runbooks entries": len(named)}})


async def check_runbooks(ctx: CheckContext):
    books = ctx.profile.handover.runbooks if ctx.profile.handover else None
    repo = ctx.profile.path(ctx.profile.repo.path) if ctx.profile.repo and ctx.profile.repo.path else None
    named = {label: getattr(books, key, None) if books else None for key, label in RUNBOOKS.items()}
    in_repo = {label: None if not where or repo is None or where.startswith(("http://", "https://"))
               else (repo / where).is_file() for label, where in named.items()}
    status, evidence, details = judge_runbooks(named, in_repo)
    yield ctx.finding(status, ctx.profile.domain, evidence, details=details)


def judge_alert_contacts(contacts: list[tuple[str, str]]) -> Verdict:
    """Pure: someone (who, first action) receives alerts, each with a first action written down."""
    if not contacts:
        return Status.FAIL, "nobody is named to receive alerts", {}
    vague = [who for who, first in contacts if not first.strip()]
    if vague:
        return (Status.FAIL, f"no first action written for {', '.join(vague)}: at 3 am an alert with no first "
                "step gets ignored", {})
    return (Status.PASS, f"{len(contacts)} alert contact(s), each with a first action",
            {"tried": {"handover.alert_contacts entries": len(contacts)}})


async def check_alert_contacts(ctx: CheckContext):
    contacts = ctx.profile.handover.alert_contacts if ctx.profile.handover else []
    status, evidence, details = judge_alert_contacts([(c.who, c.first_action or "") for c in contacts])
    yield ctx.finding(status, ctx.profile.domain, evidence, details=details)
