"""The founder's kit: workflows actionlint accepts, a CI profile that loads, only the secrets each needs."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from launch_audit.kit import build_kit, write_kit
from launch_audit.profile_loader import load_profile

from tests.actionlint import actionlint

ROOT = Path(__file__).resolve().parents[2]
PROFILES = ["demo.yaml", "demo-hardened.yaml", "example.yaml"]


@pytest.fixture
def shipped(request):
    """A shipped profile, loaded. The demo profiles name the demo shop's CA and credentials, which exist only
    once a shop has run (a clean clone has no `.demo/`), so they come from the test's running shops."""
    def load(name: str):
        if name == "demo.yaml":
            return request.getfixturevalue("demo_profile")
        if name == "demo-hardened.yaml":
            return request.getfixturevalue("hardened_profile")
        return load_profile(ROOT / "client_profiles" / name)
    return load


@pytest.mark.parametrize("name", PROFILES)
def test_the_workflows_pass_actionlint(name, tmp_path, shipped):
    files = write_kit(tmp_path / "kit", shipped(name))
    workflows = sorted((tmp_path / "kit" / ".github" / "workflows").glob("*.yml"))
    assert [w.name for w in workflows] == ["secret-scan.yml", "smoke.yml", "weekly-checks.yml"]
    assert set(workflows) <= set(files)
    assert actionlint(workflows) == []


def test_actionlint_is_real():
    # the lint these tests rely on does refuse a broken workflow
    bad = ROOT / "tests" / "artifacts" / "bad-workflow.yml"
    bad.parent.mkdir(exist_ok=True)
    bad.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                   "      - run: echo hi\n        withh: 1\n")
    assert any("withh" in f["message"] for f in actionlint([bad]))


@pytest.mark.parametrize("name", PROFILES)
def test_every_file_parses_and_runs_launch_audit_as_the_readme_says(name, shipped):
    profile = shipped(name)
    kit = build_kit(profile)
    for rel, text in kit.items():
        if rel.endswith((".yml", ".yaml")):
            assert yaml.safe_load(text), rel
    scan = yaml.safe_load(kit[".github/workflows/secret-scan.yml"])
    steps = [s.get("run", "") for s in scan["jobs"]["secrets"]["steps"]]
    assert any(s.startswith("launch-audit secrets . --history --format sarif") for s in steps)
    assert scan[True] == {"push": None, "pull_request": None}          # YAML 1.1 reads `on` as True
    smoke = yaml.safe_load(kit[".github/workflows/smoke.yml"])
    run = next(s for s in smoke["jobs"]["smoke"]["steps"] if "launch-audit smoke" in s.get("run", ""))
    assert run["run"] == f"launch-audit smoke .launch-audit/{profile.client}.yaml --junit smoke-junit.xml"
    hook = yaml.safe_load(kit[".pre-commit-config.yaml"])["repos"][0]["hooks"][0]
    assert hook["entry"] == "launch-audit secrets"
    readme = kit["README.md"]
    for rel in kit:
        if rel != "README.md":
            assert f"`{rel}`" in readme, rel


def test_the_ci_profile_loads_without_the_consultants_local_files(tmp_path, demo_profile):
    kit = build_kit(demo_profile)
    path = tmp_path / "demo-shop.yaml"
    path.write_text(kit[".launch-audit/demo-shop.yaml"])
    ci = load_profile(path)
    original = demo_profile
    assert ci.repo is None and ci.logs is None and ci.env_file is None and not ci.email.samples
    assert ci.network.nameservers == [] and ci.network.ca_bundle is None
    assert ci.scope == original.scope and ci.api == original.api and ci.chat == original.chat
    assert ci.critical_urls == original.critical_urls


def test_each_workflow_gets_only_the_secrets_it_needs(demo_profile):
    kit = build_kit(demo_profile)
    smoke = yaml.safe_load(kit[".github/workflows/smoke.yml"])
    env = next(s for s in smoke["jobs"]["smoke"]["steps"] if "launch-audit smoke" in s.get("run", ""))["env"]
    assert sorted(env) == ["DEMO_RED_TEAM_TOKEN", "DEMO_STRIPE_WHSEC", "DEMO_USER_A_PASSWORD", "DEMO_USER_A_TOKEN"]
    assert all(v == "${{ secrets.%s }}" % k for k, v in env.items())
    weekly = yaml.safe_load(kit[".github/workflows/weekly-checks.yml"])
    step = next(s for s in weekly["jobs"]["weekly"]["steps"] if "launch-audit run" in s.get("run", ""))
    assert "--only S2.spf,S2.dkim,S2.dmarc,S2.mx,S5." in step["run"]
    assert sorted(step["env"]) == ["DEMO_RED_TEAM_TOKEN", "DEMO_USER_A_TOKEN", "DEMO_USER_B_TOKEN"]
    workflows = "".join(text for rel, text in kit.items() if rel.startswith(".github/"))
    assert "DEMO_ADMIN_TOKEN" not in workflows                       # no workflow gets the admin token
    # without active probes allowed (the example's default) the weekly run is deliverability only, with no secret
    weekly = yaml.safe_load(build_kit(load_profile(ROOT / "client_profiles" / "example.yaml"))[
        ".github/workflows/weekly-checks.yml"])
    step = next(s for s in weekly["jobs"]["weekly"]["steps"] if "launch-audit run" in s.get("run", ""))
    assert "--only S2.spf,S2.dkim,S2.dmarc,S2.mx " in step["run"] and "env" not in step


def test_no_secret_value_in_the_kit(shop, tmp_path):
    write_kit(tmp_path / "kit", load_profile(shop.write_profile()))
    text = "".join(p.read_text() for p in (tmp_path / "kit").rglob("*") if p.is_file())
    assert not [v[:6] for v in shop.known_secrets() if len(v) >= 8 and v in text]
