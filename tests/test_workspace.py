"""Engagement workspaces: which folders a command uses, what `launch-audit init` makes, what the package ships."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from launch_audit import workspace
from launch_audit.cli import main
from launch_audit.profile_loader import load_profile
from launch_audit.workspace.init import WorkspaceExists, create
from launch_audit.workspace.shipped import FILES

ROOT = Path(__file__).resolve().parents[1]


def test_the_nearest_folder_with_client_profiles_is_the_workspace(tmp_path, monkeypatch):
    (tmp_path / "ws" / "client_profiles").mkdir(parents=True)
    (tmp_path / "ws" / "outputs" / "acme").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "ws" / "outputs" / "acme")
    assert workspace.find() == tmp_path / "ws"
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert workspace.find() is None
    # a profile's own workspace wins over the current folder's, and outputs go beside it
    profile = tmp_path / "ws" / "client_profiles" / "acme.yaml"
    assert workspace.for_profile(profile) == tmp_path / "ws"
    assert workspace.outputs_root(workspace.for_profile(profile)) == tmp_path / "ws" / "outputs"
    # outside any workspace: ./outputs, and the demo's runtime files in the user's cache, not here
    assert workspace.outputs_root() == tmp_path / "elsewhere" / "outputs"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert workspace.demo_state_dir() == tmp_path / "cache" / "launch-audit" / "demo"
    assert workspace.demo_state_dir(tmp_path / "ws") == tmp_path / "ws" / ".demo"
    assert workspace.demo_profile(workspace=tmp_path / "ws") is None       # it has no demo.yaml


def test_a_workspace_runs_its_own_notebooks_else_the_shipped_ones(tmp_path):
    (tmp_path / "client_profiles").mkdir()
    assert workspace.notebooks_dir(tmp_path) == workspace.shipped_root() / "notebooks"
    (tmp_path / "notebooks").mkdir()
    assert workspace.notebooks_dir(tmp_path) == tmp_path / "notebooks"


def test_init_makes_the_designs_layout_from_the_shipped_files(tmp_path, monkeypatch, capsys):
    target = tmp_path / "acme-engagement"
    assert main(["init", str(target)]) == 0
    shipped = workspace.shipped_root()
    for pattern in FILES:
        sources = sorted(shipped.glob(pattern))
        assert sources, pattern
        for src in sources:
            assert (target / src.relative_to(shipped)).read_bytes() == src.read_bytes()
    names = {p.name for p in (ROOT / "notebooks").glob("*.ipynb")}
    assert {p.name for p in (target / "notebooks").glob("*.ipynb")} == names
    readme = (target / "README.md").read_text()
    assert "launch-audit run client_profiles/" in readme and "outputs/" in readme
    ignored = (target / ".gitignore").read_text().split()
    assert "outputs/*" in ignored and ".demo/" in ignored and "*.env" in ignored
    assert "launch-audit validate client_profiles/<client>.yaml" in capsys.readouterr().out
    # the workspace's demo profile is the checkout's and reads the workspace's .demo/
    monkeypatch.chdir(target)
    assert workspace.find() == target.resolve()
    assert workspace.demo_profile() == target.resolve() / "client_profiles" / "demo.yaml"
    assert "../.demo/credentials.env" in workspace.demo_profile().read_text()
    # the commented example stays a valid profile once its credentials are named
    example = load_profile(target / "client_profiles" / "example.yaml")
    assert example.client and example.scope.hosts


def test_init_never_overwrites(tmp_path, capsys):
    target = tmp_path / "ws"
    create(target)
    (target / "notebooks" / "01_quick_audit.ipynb").write_text("edited")
    with pytest.raises(WorkspaceExists):
        create(target)
    assert main(["init", str(target)]) == 2
    assert "already has client_profiles/, notebooks/, outputs/" in capsys.readouterr().err
    assert (target / "notebooks" / "01_quick_audit.ipynb").read_text() == "edited"
    # an existing folder that is not a workspace yet (a fresh git clone) is fine; its README is kept
    other = tmp_path / "repo"
    other.mkdir()
    (other / "README.md").write_text("ours")
    written = create(other)
    assert "README.md" not in written and (other / "README.md").read_text() == "ours"
    assert (other / "notebooks" / "report.ipynb").is_file()
    (tmp_path / "a-file").write_text("x")
    assert main(["init", str(tmp_path / "a-file")]) == 2


def test_the_sdist_lists_exactly_the_shipped_files():
    # setup.py copies shipped.FILES into the wheel from the sdist; MANIFEST.in must carry the same names (only
    # those: a consultant's checkout may hold real client profiles)
    manifest = (ROOT / "MANIFEST.in").read_text()
    listed = set()
    for line in manifest.splitlines():
        if line.startswith("include "):
            listed |= set(line.split()[1:])
        elif line.startswith("recursive-include "):
            folder, pattern = line.split()[1:3]
            listed.add(f"{folder}/{pattern}")
    assert listed - {"setup.py"} == set(FILES)
    assert not [p for p in FILES if "client_profiles/*" in p]
    assert re.search(r"^include setup\.py$", manifest, re.M)
