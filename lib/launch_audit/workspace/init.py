"""``launch-audit init DIR``: an engagement workspace with the design's layout, the way ``dbt init`` or
``scrapy startproject`` make a project: notebooks/, client_profiles/ (the commented example, the demo's
profiles, the schema), outputs/, a README for the consultant and a .gitignore that keeps client data out."""

from __future__ import annotations

import shutil
from pathlib import Path

from . import shipped_root
from .shipped import FILES

_TEMPLATE = Path(__file__).resolve().parent / "template"


class WorkspaceExists(ValueError):
    """DIR already holds a workspace: nothing is overwritten."""


def shipped_files() -> list[tuple[Path, str]]:
    """(source file, path inside a workspace) for every shipped workspace file."""
    root = shipped_root()
    out = []
    for pattern in FILES:
        matches = sorted(root.glob(pattern))
        if not matches:
            raise FileNotFoundError(f"{root / pattern}: missing from this installation")
        out += [(m, m.relative_to(root).as_posix()) for m in matches]
    return out


def create(target: Path) -> list[str]:
    """Make the workspace at ``target`` (created if missing; an existing folder must not be a workspace yet).

    Returns the paths written, relative to ``target``. Everything is checked before the first file is written;
    a README.md or .gitignore already there is kept."""
    taken = [name for name in ("client_profiles", "notebooks", "outputs") if (target / name).exists()]
    if taken:
        raise WorkspaceExists(f"{target} already has {', '.join(n + '/' for n in taken)}: "
                              "init never overwrites a workspace; choose a new folder")
    if target.exists() and not target.is_dir():
        raise WorkspaceExists(f"{target} is a file, not a folder")
    files = shipped_files() + [(_TEMPLATE / "README.md", "README.md"), (_TEMPLATE / "gitignore", ".gitignore")]
    files = [(src, rel) for src, rel in files if not (rel in ("README.md", ".gitignore") and (target / rel).exists())]
    for src, rel in files:
        dest = target / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
    return [rel for _, rel in files]
