"""Where the project's own folders are, from a checkout or an editable install."""

from __future__ import annotations

from pathlib import Path


def project_root() -> Path:
    """The folder holding client_profiles/: the current directory if it has one, else the checkout."""
    cwd = Path.cwd()
    if (cwd / "client_profiles").is_dir():
        return cwd
    here = Path(__file__).resolve().parents[2]     # lib/launch_audit/paths.py -> checkout root
    if (here / "client_profiles").is_dir():
        return here
    return cwd


def demo_profile(hardened: bool = False) -> Path:
    return project_root() / "client_profiles" / ("demo-hardened.yaml" if hardened else "demo.yaml")


def outputs_root() -> Path:
    return project_root() / "outputs"


def demo_state_dir() -> Path:
    return project_root() / ".demo"
