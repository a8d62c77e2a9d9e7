"""Stage 1's offline secret checks over the founder's repository and CI logs:
S1.secrets_in_repo (working tree), S1.secrets_in_history (every blob ever committed),
S1.secrets_in_ci_logs (log folders and archives) and S1.env_file_committed (tracked now or ever).

The scans are CPU work, so they run in a worker thread while the network checks go on.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from ..findings import Status
from ..secrets.describe import describe
from ..git import GitError, git
from ..secrets.history import scan_history
from ..secrets.repo_setup import ScanSetup, scanner_for
from ..secrets.rules import RuleError
from ..secrets.scanner import Scanner
from ..secrets.sources import Located, ScanResult, scan_paths
from .base import CheckContext

# .env, .env.production, prod.env, .envrc, wrangler's .dev.vars — not the templates meant to be shared
_ENV_FILE = re.compile(r"(?:^|/)(?:\.env(?:\.[\w.-]+)?|[\w.-]+\.env|\.envrc|\.dev\.vars)$")
_ENV_TEMPLATE = re.compile(r"(?i)(?:example|sample|template|dist|defaults?|schema)(?:\.env)?$")


def is_env_file(path: str) -> bool:
    """Pure: a file that holds environment values (not a template of names)."""
    return bool(_ENV_FILE.search(path)) and not _ENV_TEMPLATE.search(path)


def _repo(ctx: CheckContext) -> Path | None:
    repo = ctx.profile.repo
    return ctx.profile.path(repo.path) if repo and repo.path else None


def _setup(repo: Path) -> ScanSetup:
    """The shipped rules with the repository's own gitleaks setup (a .gitleaks.toml, .gitleaksignore)."""
    return scanner_for(repo if repo.is_dir() else None)


def _findings(ctx: CheckContext, found: list[Located], *, history: bool = False):
    for loc in found:
        status, evidence, location, details = describe(loc, history=history)
        target = f"{loc.path} @ {loc.commit[:12]}" if history and loc.commit else f"{loc.path}:{loc.match.line}"
        yield ctx.finding(Status(status), target, evidence, location=location, details=details)


async def check_secrets_in_repo(ctx: CheckContext):
    repo = _repo(ctx)
    if repo is None:
        yield ctx.finding(Status.SKIP, ctx.profile.domain, "no repo.path in the profile: clone the repository and name it")
        return
    if not repo.is_dir():
        yield ctx.finding(Status.ERROR, str(repo), "repo.path is not a folder")
        return
    try:
        setup = _setup(repo)
    except RuleError as e:
        yield ctx.finding(Status.ERROR, str(repo), str(e))
        return
    result: ScanResult = await asyncio.to_thread(scan_paths, [repo], setup.scanner)
    ctx.observe("files", result.files)
    found = setup.kept(result.found)
    if not found:
        yield ctx.finding(Status.PASS, str(repo), f"no secret in the working tree ({result.summary()}"
                          f"{setup.summary()})")
        return
    for f in _findings(ctx, found):
        yield f


async def check_secrets_in_history(ctx: CheckContext):
    repo = _repo(ctx)
    if repo is None:
        yield ctx.finding(Status.SKIP, ctx.profile.domain, "no repo.path in the profile")
        return
    try:
        setup = _setup(repo)
        result = await asyncio.to_thread(scan_history, repo, setup.scanner)
    except (GitError, RuleError) as e:
        yield ctx.finding(Status.ERROR, str(repo), str(e))
        return
    ctx.observe("blobs", result.files)
    found = setup.kept(result.found)
    if not found:
        yield ctx.finding(Status.PASS, str(repo), f"no secret in any commit of any branch or tag ({result.summary()}, "
                          f"{result.seconds:.1f}s{setup.summary()})")
        return
    for f in _findings(ctx, found, history=True):
        yield f


async def check_secrets_in_ci_logs(ctx: CheckContext):
    repo = ctx.profile.repo
    if repo is None or not repo.ci_logs:
        yield ctx.finding(Status.SKIP, ctx.profile.domain,
                          "no repo.ci_logs in the profile: download recent build logs (GitHub Actions: the run's "
                          "'Download log archive') and list the folder")
        return
    scanner = Scanner()

    async def one(entry: str):
        path = ctx.profile.path(entry)
        if not path.exists():
            return ctx.finding(Status.ERROR, entry, f"no such file or folder: {path}")
        result = await asyncio.to_thread(scan_paths, [path], scanner)
        if not result.found:
            return ctx.finding(Status.PASS, entry, f"no secret printed in the logs ({result.summary()})",
                               details={"tried": {"files": result.files}})
        def shown(rel: str) -> str:          # as the profile names it (a file keeps an archive's "!member")
            return entry + rel[len(str(path)):] if path.is_file() else f"{entry.rstrip('/')}/{rel}"
        return list(_findings(ctx, [Located(shown(loc.path), loc.match) for loc in result.found]))

    async for f in ctx.each(repo.ci_logs, one):
        yield f


def env_files_in_git(repo: Path) -> tuple[list[str], dict[str, str], int]:
    """(env files tracked now, env file -> first commit for those only in history, paths looked at)."""
    def lines(*args: str) -> list[str]:
        return git(repo, *args).decode("utf-8", "replace").splitlines()

    listed = lines("ls-files")
    tracked = [p for p in listed if is_env_file(p)]
    ever: dict[str, str] = {}
    commit, seen = "", len(listed)
    for line in lines("log", "--all", "--reverse", "--name-only", "--format=commit %H"):
        if line.startswith("commit "):
            commit = line[7:]
        elif line:
            seen += 1
            if is_env_file(line) and line not in tracked:
                ever.setdefault(line, commit)
    return tracked, ever, seen


async def check_env_file_committed(ctx: CheckContext):
    repo = _repo(ctx)
    if repo is None:
        yield ctx.finding(Status.SKIP, ctx.profile.domain, "no repo.path in the profile")
        return
    try:
        tracked, ever, seen = await asyncio.to_thread(env_files_in_git, repo)
        ctx.observe("paths in the tree and history", seen)
    except (GitError, FileNotFoundError, NotADirectoryError) as e:
        yield ctx.finding(Status.ERROR, str(repo), f"cannot read the repository's history: {e}")
        return
    for status, target, evidence, location, details in judge_env_files(tracked, ever, str(repo)):
        yield ctx.finding(status, target, evidence, location=location, details=details)


def judge_env_files(tracked: list[str], ever: dict[str, str], repo: str) -> list[tuple[Status, str, str, dict | None,
                                                                                      dict | None]]:
    """Pure: (status, target, evidence, location, details) for every env file tracked now or committed in the
    past (``ever``: path → the commit that added it), or one pass for the repository when there is none."""
    out: list[tuple[Status, str, str, dict | None, dict | None]] = []
    for path in tracked:
        out.append((Status.FAIL, path, f"{path} is tracked: everyone with the repository has its values. Untrack it "
                    "(git rm --cached), add it to .gitignore and rotate what it holds.", {"path": path}, None))
    for path, commit in ever.items():
        out.append((Status.FAIL, f"{path} @ {commit[:12]}", f"{path} was committed in {commit[:12]} and later "
                    "removed, but it is still in the history: rotate what it held (rewriting history does not reach "
                    "existing clones)", {"path": path}, {"commit": commit}))
    return out or [(Status.PASS, repo, "no .env-style file is tracked or was ever committed", None, None)]
