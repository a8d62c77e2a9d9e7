"""S3.env_separation: dev and prod env files share no secret value, and every prod variable is in the
handover inventory (someone owns it and knows what it is for)."""

from __future__ import annotations

import math
from collections import Counter
from itertools import combinations

from dotenv import dotenv_values

from ..findings import Status
from ..profile import PROD_ENV_NAMES
from ..redact import fingerprint
from .base import CheckContext

_NOT_SECRET = {"true", "false", "yes", "no", "on", "off", "development", "production", "staging", "test", "debug",
               "info", "warn", "error", "localhost", "127.0.0.1", "0.0.0.0"}


def looks_secret(value: str) -> bool:
    """Pure: a value worth keeping apart between environments (not a flag, a port or a plain host)."""
    v = value.strip()
    if len(v) < 8 or v.lower() in _NOT_SECRET or v.isdigit():
        return False
    if "://" in v:
        return "@" in v.split("://", 1)[1].split("/", 1)[0]        # a URL only with credentials in it
    n = len(v)
    bits = -sum(c / n * math.log2(c / n) for c in Counter(v).values())
    return bits >= 3.0


def judge_env(envs: dict[str, dict[str, str]], inventory: set[str]) -> tuple[Status, list[str], dict]:
    """Pure: env name -> {VAR: value}; returns (status, problems, details) with names and fingerprints only."""
    problems, shared = [], []
    for (a, va), (b, vb) in combinations(sorted(envs.items()), 2):
        by_value: dict[str, list[str]] = {}
        for name, value in va.items():
            if value and looks_secret(value):
                by_value.setdefault(value, []).append(name)
        for name, value in vb.items():
            if value in by_value:
                where = ", ".join(sorted(set(by_value[value]) | {name}))
                shared.append({"envs": [a, b], "vars": where, "fingerprint": fingerprint(value)})
                problems.append(f"{a} and {b} share the value of {where} (#{fingerprint(value)}): "
                                f"a leak of {a} opens {b}")
    prod = next((envs[k] for k in envs if k.lower() in PROD_ENV_NAMES), None)
    missing = sorted(set(prod) - inventory) if prod is not None else []
    if missing:
        problems.append(f"prod variables not in the handover inventory (no owner, no purpose): {', '.join(missing)}")
    details = {"shared": shared, "missing_from_inventory": missing,
               "variables": {k: sorted(v) for k, v in envs.items()}}
    return (Status.FAIL if problems else Status.PASS), problems, details


async def check_env_separation(ctx: CheckContext):
    repo = ctx.profile.repo
    files = repo.env_files if repo else {}
    if not files:
        yield ctx.finding(Status.SKIP, ctx.profile.domain,
                          "no repo.env_files in the profile (e.g. {dev: .env.development, prod: evidence/prod.env})")
        return
    envs: dict[str, dict[str, str]] = {}
    for env, path in files.items():
        p = ctx.profile.path(path)
        if not p.is_file():
            yield ctx.finding(Status.ERROR, path, f"{env} env file not found: {p}")
            return
        envs[env] = {k: v or "" for k, v in dotenv_values(p).items()}
    inventory = {v.name for v in (ctx.profile.handover.env_vars if ctx.profile.handover else [])}
    status, problems, details = judge_env(envs, inventory)
    counts = ", ".join(f"{env} {len(v)}" for env, v in envs.items())
    evidence = "; ".join(problems) if problems else (
        f"no secret value is shared between {', '.join(envs)}; every prod variable is in the inventory ({counts} variables)")
    tried = {"env variables": sum(len(v) for v in envs.values())}
    yield ctx.finding(status, ", ".join(files.values()), evidence, details={**details, "tried": tried})
