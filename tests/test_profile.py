"""Client profiles: strict models, one clear line per problem, lazy secrets, the published schema."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from launch_audit.profile import MissingSecret, json_schema
from launch_audit.profile_loader import ProfileError, load_profile
from tests.helpers import write_profile

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "client_profiles" / "example.yaml"

GOOD = EXAMPLE.read_text()


def problems_of(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(ProfileError) as info:
        load_profile(write_profile(tmp_path, text))
    return [f"{p.path}: {p.message}" for p in info.value.problems]


def test_example_and_demo_profiles_are_valid(demo_profile, hardened_profile):
    profile = load_profile(EXAMPLE)
    assert profile.client == "acme-chat" and profile.api and len(profile.api.endpoints) == 6
    assert demo_profile.client == "demo-shop" and hardened_profile.client == "demo-shop-hardened"


def test_hardened_demo_profile_differs_only_in_answers():
    plain = yaml.safe_load((ROOT / "client_profiles" / "demo.yaml").read_text())
    fixed = yaml.safe_load((ROOT / "client_profiles" / "demo-hardened.yaml").read_text())
    for key in ("client", "attest", "handover"):
        plain.pop(key), fixed.pop(key)
    assert plain == fixed


def test_five_mistakes_give_five_lines_with_key_paths_and_exit_2(tmp_path):
    text = (GOOD.replace("allow_active: false", "allow_active: maybe")
                .replace("method: GET, path: \"/api/orders/{order}\"", "method: FETCH, path: \"/api/orders/{order}\"")
                .replace("timeout_s: 10", "timeout_s: 10")
                .replace("  max_requests_per_check: 200", "  max_requests_per_check: 200\n  max_rps: 3")
                .replace("canonical: https://www.acme.example", "canonical: www.acme.example")
                .replace("  p95_budget_ms: 500", "  p95_budget_ms: fast"))
    path = write_profile(tmp_path, text)
    proc = subprocess.run([sys.executable, "-m", "launch_audit.cli", "validate", str(path)],
                          capture_output=True, text=True, cwd=ROOT)
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert len(lines) == 5, proc.stderr
    joined = "\n".join(lines)
    for path_fragment, words in [("scope.allow_active", "true or false"),
                                 ("api.endpoints[3].method", "must be one of GET, POST, PUT, PATCH, DELETE"),
                                 ("scope.max_rps", "unknown key"),
                                 ("canonical", "absolute https URL"),
                                 ("monitoring.p95_budget_ms", "number")]:
        assert any(path_fragment in line and words in line for line in lines), (path_fragment, joined)
    # each line says where in the file
    assert all(line.startswith(f"{path}:") and line.split(":")[1].isdigit() for line in lines)


@pytest.mark.parametrize("mutate, expected", [
    (lambda t: t.replace("client: acme-chat", "client: Acme Chat!"), "client: 'Acme Chat!' has the wrong form"),
    (lambda t: t.replace("  hosts: [acme.example,", "  hosts: ["), "scope.hosts: must include the domain acme.example"),
    (lambda t: t.replace("port_map: {443: 8443}", "port_map: {443: 70000}").replace("# network:", "network:")
               .replace("#   port_map", "  port_map"), "network.port_map[443]: must be a port number 1-65535"),
    (lambda t: t.replace("endpoint: chat  ", "endpoint: talk  "), "chat.endpoint: 'talk' names no endpoint"),
    (lambda t: t.replace("token_env: ACME_ADMIN_TOKEN", "token_env: 'ACME ADMIN'"), "api.admin.token_env: must be an environment variable name"),
    (lambda t: t.replace("    - {name: refund,", "    - {name: login,"), "api: endpoint names must be unique, repeated: login"),
    (lambda t: t.replace("resource: order}", "resource: invoice}"), "resource 'invoice' needs a '{invoice}' placeholder"),
    (lambda t: t.replace("S3.rollback_path:", "S3.rolback_path:"), "attest.S3.rolback_path: S3.rolback_path is not a check id"),
    (lambda t: t.replace("scope:", "scoop:"), "scoop: unknown key (did you mean 'scope'?)"),
    (lambda t: t.replace("founder: {name: Ada Founder, email: ada@acme.example}", ""), "founder: is required"),
])
def test_each_mistake_is_named(tmp_path, mutate, expected):
    found = problems_of(tmp_path, mutate(GOOD))
    assert any(expected in line for line in found), found


def test_yaml_aliases_big_files_and_non_mappings_are_refused(tmp_path):
    bomb = "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n"
    assert "anchors and aliases" in problems_of(tmp_path, bomb)[0]
    assert "must be a YAML mapping" in problems_of(tmp_path, "- just\n- a list\n")[0]
    assert "(yaml)" in problems_of(tmp_path, "client: [unclosed\n")[0]
    big = tmp_path / "big.yaml"
    big.write_text("# " + "x" * 1_100_000)
    with pytest.raises(ProfileError, match="a profile is at most"):
        load_profile(big)


def test_unreadable_ca_bundle_is_a_profile_error(tmp_path):
    bad_ca = tmp_path / "ca.pem"
    bad_ca.write_text("not a certificate")
    text = GOOD.replace("# network:", "network:").replace("#   ca_bundle: path/to/staging-ca.pem", "  ca_bundle: ca.pem")
    assert any("network.ca_bundle: not a readable PEM" in p for p in problems_of(tmp_path, text))


def test_secrets_resolve_lazily_from_env_then_env_file(tmp_path, monkeypatch):
    (tmp_path / "creds.env").write_text("ACME_USER_B_TOKEN=from-file-token-value\n")
    profile = load_profile(write_profile(tmp_path, GOOD.replace("# env_file: ~/.config/launch-audit/acme.env",
                                                                  "env_file: creds.env")))
    monkeypatch.delenv("ACME_USER_A_TOKEN", raising=False)
    with pytest.raises(MissingSecret, match="ACME_USER_A_TOKEN is not set"):
        profile.secret(profile.api.users.a.token_env)
    monkeypatch.setenv("ACME_USER_A_TOKEN", "from-environment-token")
    assert profile.secret("ACME_USER_A_TOKEN") == "from-environment-token"
    assert profile.secret("ACME_USER_B_TOKEN") == "from-file-token-value"
    # what was resolved is now scrubbed from anything the run writes
    assert "from-file-token-value" not in profile.redactor.text("token=from-file-token-value")


def test_schema_is_valid_and_committed_copy_is_current(tmp_path):
    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    committed = json.loads((ROOT / "client_profiles" / "profile.schema.json").read_text())
    assert committed == schema, "run: launch-audit schema > client_profiles/profile.schema.json"
    # the example validates against the published schema too (what an editor would check)
    jsonschema.validate(yaml.safe_load(GOOD), schema)


@pytest.mark.parametrize("host, patterns, inside", [
    ("api.shop.test", ["api.shop.test"], True), ("API.Shop.Test.", ["api.shop.test"], True),
    ("api.shop.test", ["API.SHOP.TEST"], True), ("x.shop.test", ["*.shop.test"], True),
    ("shop.test", ["*.shop.test"], False), ("evilshop.test", ["*.shop.test"], False),
    ("shop.test.evil.test", ["shop.test"], False),
])
def test_one_scope_match_for_the_profile_and_the_network_guard(host, patterns, inside):
    from launch_audit.net.scope import ScopeGuard
    from launch_audit.profile import host_in_scope

    assert host_in_scope(host, patterns) is inside
    assert ScopeGuard(patterns, allow_active=False).allows(host) is inside
