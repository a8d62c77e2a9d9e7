"""The founder's kit (``kit/`` in every run folder): what keeps running in the founder's repository after the
audit — GitHub Actions workflows for secret scanning, post-deploy smoke tests and a weekly deliverability and
prompt-injection run, a pre-commit hook, the profile those run with, and a README that says what each does
and which repository secrets to set (names only: no value is ever written here)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from .. import __version__
from ..atomic import atomic_open
from ..checks import catalog
from ..profile import Profile
from ..profile_loader import credential_fields, format_path

TEMPLATES = Path(__file__).resolve().parent / "templates"
PROFILE_DIR = ".launch-audit"
WORKFLOWS = {"secret-scan.yml": "secret scanning on every push and pull request",
             "smoke.yml": "smoke tests after each successful deployment",
             "weekly-checks.yml": "weekly deliverability and prompt-injection checks"}
DELIVERABILITY = ("S2.spf", "S2.dkim", "S2.dmarc", "S2.mx")
# what a profile keeps for the founder's CI: no local evidence (the consultant's clones, logs and samples),
# no env_file (CI sets repository secrets), no network overrides (staging and tests only)
LOCAL_ONLY = ("repo", "logs", "env_file", "network", "attest")


def weekly_only(profile: Profile) -> list[str]:
    """The ``--only`` selection of the weekly run: deliverability, and the red team when there is a chatbot
    the profile lets the audit talk to."""
    ids = [c for c in DELIVERABILITY if c in catalog.CATALOG and catalog.CATALOG[c].run is not None]
    if profile.chat is not None and profile.scope.allow_active:
        ids.append("S5.")
    return ids


def ci_profile(profile: Profile) -> str:
    """The profile as the founder's CI uses it (YAML), without what only the consultant's machine has."""
    doc = profile.model_dump(mode="json", exclude_none=True, exclude_defaults=True, by_alias=True)
    for key in LOCAL_ONLY:
        doc.pop(key, None)
    if isinstance(doc.get("email"), dict):
        doc["email"].pop("samples", None)
    head = (f"# {profile.client}: the profile the launch-audit workflows run with (made by the audit's kit).\n"
            "# Credentials are repository secrets named by the *_env keys; never write a value here.\n")
    return head + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=110)


def _smoke_needs(loc: tuple) -> bool:
    """User A's token and password, the chat account's token, the webhook signing secrets."""
    return (loc[:3] == ("api", "users", "a") and loc[-1] in ("token_env", "password_env")) \
        or loc == ("chat", "token_env") or (loc[:2] == ("api", "endpoints") and loc[-2:] == ("signature", "secret_env"))


def _weekly_needs(loc: tuple) -> bool:
    """The red team talks as its own account, A and B (deliverability needs none); never the admin."""
    return loc == ("chat", "token_env") or (loc[:2] == ("api", "users") and loc[-1] == "token_env")


def secret_names(profile: Profile, needed=lambda loc: True) -> list[tuple[str, str]]:
    """(variable, the profile key that names it) of the credentials a workflow needs: only those (a smoke
    test never gets the admin token)."""
    seen: dict[str, str] = {}
    for loc, env in credential_fields(profile):
        if needed(loc):
            seen.setdefault(env, format_path(loc))
    return sorted(seen.items())


def _env_block(names: list[tuple[str, str]], indent: int = 10) -> str:
    pad = " " * indent
    return "".join(f"\n{pad}{name}: ${{{{ secrets.{name} }}}}" for name, _ in names)


def build_kit(profile: Profile) -> dict[str, str]:
    """{path inside kit/: text}: pure, from the profile."""
    profile_path = f"{PROFILE_DIR}/{profile.client}.yaml"
    only = weekly_only(profile)
    needs = {"smoke.yml": secret_names(profile, _smoke_needs),
             "weekly-checks.yml": secret_names(profile, _weekly_needs) if "S5." in only else []}
    fill = {"@@CLIENT@@": profile.client, "@@VERSION@@": __version__, "@@PROFILE@@": profile_path,
            "@@ONLY@@": ",".join(only),
            "@@AND_CHAT@@": ", and the chatbot's prompt-injection eval" if "S5." in only else ""}

    def render(name: str) -> str:
        text = (TEMPLATES / name).read_text(encoding="utf-8")
        names = needs.get(name, [])
        # a step that needs no secret has no env: at all (actionlint refuses an empty one)
        text = text.replace("@@ENV@@", _env_block(names)) if names else re.sub(r"\n *env:@@ENV@@", "", text)
        for key, value in fill.items():
            text = text.replace(key, value)
        return text

    files = {f".github/workflows/{name}": render(name) for name in WORKFLOWS}
    files[".pre-commit-config.yaml"] = render("pre-commit-config.yaml")
    files[profile_path] = ci_profile(profile)
    files["README.md"] = readme(profile, profile_path, needs, only)
    return files


def readme(profile: Profile, profile_path: str, needs: dict[str, list[tuple[str, str]]], only: list[str]) -> str:
    rows: dict[str, tuple[str, list[str]]] = {}
    for workflow, names in needs.items():
        for name, where in names:
            rows.setdefault(name, (where, []))[1].append(workflow)
    secrets = "\n".join(f"| `{name}` | `{where}` | {', '.join(used)} |"
                        for name, (where, used) in sorted(rows.items()))
    secrets = secrets or "| (none) | the profile names no credential the workflows use | |"
    return f"""# The launch-audit kit for {profile.client}

What keeps running after the audit. Copy this folder's contents to the root of the product's repository
(`.github/`, `.launch-audit/`, `.pre-commit-config.yaml`), set the repository secrets below, and each part
is on. Every workflow installs `launch-audit=={__version__}`; to install it from elsewhere (a wheel URL, a
private index), edit the `Install launch-audit` step of each.

| file | does | switch it on |
| --- | --- | --- |
| `.github/workflows/secret-scan.yml` | scans the tree and every commit for secrets on each push and pull request; a live key fails the build; findings appear under Security → Code scanning | commit it; nothing to set |
| `.github/workflows/smoke.yml` | after each successful deployment (GitHub deployments, as Vercel, Netlify and Render create them, or by hand): health, login, one chat question, a signed webhook test event, the critical URLs; a failure means roll back | commit it and set the secrets below; if your host makes no GitHub deployment, run `launch-audit smoke {profile_path}` as the last step of your deploy job |
| `.github/workflows/weekly-checks.yml` | every Monday: `launch-audit run --only {",".join(only)}`; fails on a high or critical finding and keeps the report as a private artifact for 30 days | commit it and set the secrets below |
| `.pre-commit-config.yaml` | the secret scanner on each commit's files, on the developer's machine | `pip install launch-audit=={__version__} pre-commit && pre-commit install` |
| `{profile_path}` | the audit's profile without the consultant's local files: what the workflows test, within the scope agreed for the audit | keep `scope` as agreed; edit `critical_urls` as the shop grows |

## Repository secrets to set (Settings → Secrets and variables → Actions)

Names only: take each value from your password manager or your host's dashboard. They are the test
accounts' credentials and the webhook signing secret the audit used.

| secret | the profile key that names it | used by |
| --- | --- | --- |
{secrets}

## What they send

Only what the audit's profile allows: hosts in `scope.hosts`, at `scope.max_requests_per_second`. The smoke
test logs in as test user A, asks the chatbot one ordinary question and sends one signed and one unsigned
webhook test event; nothing is refunded or written to shared data.
"""


def write_kit(dest: Path, profile: Profile) -> list[Path]:
    """Write the kit under ``dest`` (a run folder's ``kit/``); returns the files written."""
    written = []
    for rel, text in build_kit(profile).items():
        path = dest / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_open(path) as fh:
            fh.write(text)
        written.append(path)
    return written
