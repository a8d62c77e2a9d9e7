"""Where an engagement's folders are, and where the shipped notebooks and profiles come from.

A *workspace* is a folder with ``client_profiles/`` (and usually ``notebooks/`` and ``outputs/``): the
checkout is one, and ``launch-audit init DIR`` makes one. Commands use the workspace that holds the profile
they are given, else the one holding the current folder. The notebooks and demo profiles the package ships
are read from the checkout in an editable install, else from the copy inside the installed package.
"""

from __future__ import annotations

import os
from pathlib import Path

from .shipped import PACKAGED_DIR

_HERE = Path(__file__).resolve().parent
_CHECKOUT = _HERE.parents[2]            # lib/launch_audit/workspace/ -> the checkout (editable install)


class MissingShippedFiles(RuntimeError):
    """The package was installed without its notebooks and profiles (a broken build)."""


def find(start: Path | None = None) -> Path | None:
    """The workspace holding ``start`` (default: the current folder): it or its nearest parent with
    ``client_profiles/``; None outside any."""
    folder = (start or Path.cwd()).resolve()
    for candidate in (folder, *folder.parents):
        if (candidate / "client_profiles").is_dir():
            return candidate
    return None


def for_profile(profile: Path | str | None) -> Path | None:
    """The workspace of a profile file, else the current folder's."""
    if profile is not None:
        found = find(Path(profile).resolve().parent)
        if found is not None:
            return found
    return find()


def shipped_root() -> Path:
    """The folder holding the shipped ``notebooks/`` and ``client_profiles/``: the checkout, or the package's copy."""
    if (_CHECKOUT / "pyproject.toml").is_file() and (_CHECKOUT / "notebooks").is_dir():
        return _CHECKOUT
    packaged = _HERE / PACKAGED_DIR
    if not (packaged / "notebooks").is_dir():
        raise MissingShippedFiles(f"the stage notebooks are not in {packaged}: this launch-audit was built without "
                                  "them; reinstall it from a wheel or an editable checkout")
    return packaged


def notebooks_dir(workspace: Path | None = None) -> Path:
    """The stage notebooks a run executes: the workspace's own ``notebooks/`` (a consultant may have edited them),
    else the shipped ones."""
    workspace = workspace if workspace is not None else find()
    if workspace is not None and (workspace / "notebooks").is_dir():
        return workspace / "notebooks"
    return shipped_root() / "notebooks"


def outputs_root(workspace: Path | None = None) -> Path:
    """Where run folders go by default: the workspace's ``outputs/``, else ``outputs/`` in the current folder."""
    workspace = workspace if workspace is not None else find()
    return (workspace or Path.cwd()) / "outputs"


def _demo_name(hardened: bool) -> str:
    return "demo-hardened.yaml" if hardened else "demo.yaml"


def shipped_demo_profile(hardened: bool = False) -> Path:
    return shipped_root() / "client_profiles" / _demo_name(hardened)


def demo_profile(hardened: bool = False, workspace: Path | None = None) -> Path | None:
    """The workspace's demo profile (its paths point at the workspace's ``.demo/``), None when it has none."""
    workspace = workspace if workspace is not None else find()
    if workspace is None:
        return None
    path = workspace / "client_profiles" / _demo_name(hardened)
    return path if path.is_file() else None


def demo_state_dir(workspace: Path | None = None) -> Path:
    """The demo shop's runtime files: ``.demo/`` of the workspace, else a per-user cache folder (never the
    current folder of a consultant who only wanted to see the demo)."""
    workspace = workspace if workspace is not None else find()
    if workspace is not None:
        return workspace / ".demo"
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "launch-audit" / "demo"
