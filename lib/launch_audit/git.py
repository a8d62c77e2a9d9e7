"""The one way the audit runs git: `git -C <repo> …`, its output as bytes, and a GitError that says which
command failed and why (the repository checks, the history scan and the working-tree listing share it)."""

from __future__ import annotations

import subprocess
from pathlib import Path


class GitError(RuntimeError):
    """The path is not a git repository, or git failed: says which command and why."""


def git(repo: Path | str, *args: str, stdin: bytes | None = None) -> bytes:
    try:
        return subprocess.run(["git", "-C", str(repo), *args], input=stdin, capture_output=True, check=True).stdout
    except FileNotFoundError:
        raise GitError("git is not installed") from None
    except subprocess.CalledProcessError as e:
        raise GitError(f"git {args[0]} failed in {repo}: {e.stderr.decode(errors='replace').strip()[:200]}") from None
