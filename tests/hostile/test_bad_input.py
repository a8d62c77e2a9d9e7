"""Bad input from the consultant: each broken profile gives one clear line naming the key path, exit 2 and no
traceback; bad command-line arguments get a usage line and exit 2."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from launch_audit.cli import main

ROOT = Path(__file__).resolve().parents[2]
GOOD = (ROOT / "client_profiles" / "example.yaml").read_text()


def sub(old: str, new: str):
    def mutate(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)
    return mutate


# (what is wrong, how to break the example profile, the key path the message must name)
CASES = [
    ("client not a slug", sub("client: acme-chat", "client: Acme Chat!"), "client"),
    ("founder missing", sub("founder: {name: Ada Founder, email: ada@acme.example}", ""), "founder"),
    ("unknown top-level key", sub("scope:", "scoop:"), "scoop"),
    ("domain not a domain", sub("domain: acme.example", "domain: not a domain!"), "domain"),
    ("canonical not a URL", sub("canonical: https://www.acme.example", "canonical: www.acme.example"), "canonical"),
    ("subdomains not a list", sub("subdomains: [app, api]", "subdomains: app"), "subdomains"),
    ("scope omits the domain", sub("  hosts: [acme.example,", "  hosts: ["), "scope.hosts"),
    ("allow_active not a boolean", sub("allow_active: false", "allow_active: maybe"), "scope.allow_active"),
    ("rate of zero", sub("max_requests_per_second: 5", "max_requests_per_second: 0"), "scope.max_requests_per_second"),
    ("negative budget", sub("max_requests_per_check: 200", "max_requests_per_check: -1"), "scope.max_requests_per_check"),
    ("port map to an invalid port", sub("# network:", "network: {port_map: {443: 70000}}\n#"), "network.port_map"),
    ("timeout of zero", sub("# network:", "network: {timeout_s: 0}\n#"), "network.timeout_s"),
    ("unreadable CA file", sub("# network:", "network: {ca_bundle: missing-ca.pem}\n#"), "network.ca_bundle"),
    ("env_file that does not exist", sub("# env_file:", "env_file: /nonexistent/acme.env\n#"), "env_file"),
    ("page without a leading slash", sub("pages: [/, /login, /checkout]", "pages: [login]"), "pages"),
    ("critical URL with another scheme", sub("critical_urls: [https://acme.example/checkout",
                                             "critical_urls: [ftp://acme.example/checkout"), "critical_urls"),
    ("api base_url not a URL", sub("base_url: https://api.acme.example", "base_url: api.acme.example"), "api.base_url"),
    ("user email not an email", sub("email: a@test.acme.example", "email: not-an-email"), "api.users.a.email"),
    ("token_env not a variable name", sub("token_env: ACME_ADMIN_TOKEN", "token_env: 'ACME ADMIN'"), "api.admin.token_env"),
    ("endpoint method unknown", sub('method: GET, path: "/api/orders/{order}"', 'method: FETCH, path: "/api/orders/{order}"'),
     "api.endpoints[3].method"),
    ("endpoint auth unknown", sub("path: /api/login, auth: public", "path: /api/login, auth: maybe"), "api.endpoints[0].auth"),
    ("endpoint path not a path", sub("path: /admin/refunds", "path: admin/refunds"), "api.endpoints[4].path"),
    ("duplicate endpoint names", sub("    - {name: refund,", "    - {name: login,"), "api"),
    ("resource without its placeholder", sub("resource: order}", "resource: invoice}"), "api.endpoints"),
    ("signature endpoint without a scheme block", sub(
        "auth: signature, kind: webhook,\n       signature: {scheme: stripe, secret_env: ACME_STRIPE_WHSEC}}",
        "auth: signature, kind: webhook}"), "api.endpoints"),
    ("unknown signature scheme", sub("scheme: stripe", "scheme: md5"), "api.endpoints[5].signature.scheme"),
    ("rate limit of zero", sub("rate_limits: {login: 10", "rate_limits: {login: 0"), "api.rate_limits.login"),
    ("rate limit for an unknown door", sub("password_reset: 5}", "password_reset: 5, signup: 3}"), "api.rate_limits"),
    ("owns a resource no endpoint has", sub('owns: {order: ["1001"]}', 'owns: {invoice: ["1"]}'), "api.users.a.owns"),
    ("chat endpoint unknown", sub("endpoint: chat  ", "endpoint: talk  "), "chat.endpoint"),
    ("chat turn limit too high", sub("  reply_field: reply", "  reply_field: reply\n  max_turns: 100"), "chat.max_turns"),
    ("content sink endpoint unknown", sub("  reply_field: reply", "  reply_field: reply\n  content_sinks: "
                                          "[{endpoint: reviews, ask: 'what do people say?'}]"), "chat.content_sinks"),
    ("DKIM selector with spaces", sub("dkim_selectors: [google, s1]", "dkim_selectors: ['bad selector']"),
     "email.dkim_selectors"),
    ("monitoring samples of zero", sub("  samples: 200", "  samples: 0"), "monitoring.samples"),
    ("p95 budget not a number", sub("p95_budget_ms: 500", "p95_budget_ms: fast"), "monitoring.p95_budget_ms"),
    ("negative PII threshold", sub("pii_threshold: 10", "pii_threshold: -1"), "logs.pii_threshold"),
    ("attestation for a check that does not exist", sub("S3.rollback_path:", "S3.rolback_path:"), "attest"),
    ("env var name not a name", sub("- {name: STRIPE_SECRET_KEY,", "- {name: stripe secret,"), "handover.env_vars"),
]


def test_there_are_at_least_30_cases():
    assert len(CASES) >= 30 and len({c[0] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("what, mutate, key_path", CASES, ids=[c[0] for c in CASES])
def test_bad_profile_gives_one_clear_line_with_the_key_path(what, mutate, key_path, tmp_path, capsys):
    path = tmp_path / "client.yaml"
    path.write_text(mutate(GOOD))
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines and all(line.startswith(f"{path}:") for line in lines)
    assert any(re.search(rf":\s*{re.escape(key_path)}", line) for line in lines), err


@pytest.mark.parametrize("text, says", [
    ("a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n", "anchors and aliases"),
    ("- just\n- a list\n", "must be a YAML mapping"),
    ("client: [unclosed\n", "(yaml)"),
    ("", "must be a YAML mapping"),
    ("# " + "x" * 10_000_000, "a profile is at most"),
    (b"client: \xff\xfe\n", "is not UTF-8 text"),
])
def test_files_that_are_not_profiles(text, says, tmp_path, capsys):
    path = tmp_path / "client.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and says in err


@pytest.mark.parametrize("argv", [
    ["run"], ["run", "missing.yaml"], ["run", "client_profiles/demo.yaml", "--stages", "9"],
    ["run", "client_profiles/demo.yaml", "--workers", "0"], ["frobnicate"], ["secrets"],
    ["secrets", "/nonexistent"], ["email", "/tmp", "--dry-run"], ["email", "/nonexistent", "--to", "a@b.test", "--dry-run"],
    ["diff", "/nonexistent", "/nonexistent"], ["validate"], ["report", "/nonexistent"],
])
def test_bad_command_lines_exit_2_without_a_traceback(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        raise SystemExit(main(argv))
    assert exit_info.value.code == 2
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["schema"], ["probes"]])
def test_a_reader_that_goes_away_is_not_an_error(argv):
    """`launch-audit schema | head -1`: the pipe closes before we write; we stop quietly."""
    import os
    import subprocess
    import sys
    read_end, write_end = os.pipe()
    os.close(read_end)                           # the reader is gone before the first byte
    done = subprocess.run([sys.executable, "-m", "launch_audit", *argv], stdout=write_end, stderr=subprocess.PIPE,
                          timeout=60)
    os.close(write_end)
    assert done.returncode == 0 and done.stderr == b"", done.stderr.decode(errors="replace")[-500:]


def test_credentials_the_profile_names_but_nobody_set(tmp_path, capsys, monkeypatch):
    """Not a broken profile (checks needing a credential skip, saying which), but `validate` is the pre-flight:
    one line per unset variable with its key path and line, exit 2; `--no-env` lints the profile alone."""
    for name in ("ACME_USER_A_TOKEN", "ACME_ADMIN_TOKEN", "ACME_STRIPE_WHSEC"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ACME_USER_B_TOKEN", "set-for-this-test")
    path = tmp_path / "client.yaml"
    path.write_text(GOOD)
    assert main(["validate", str(path)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert any(re.match(rf"{re.escape(str(path))}:\d+: api\.users\.a\.token_env: environment variable "
                        r"ACME_USER_A_TOKEN is not set$", line) for line in lines), lines
    assert any("api.endpoints[" in line and ".signature.secret_env" in line and "ACME_STRIPE_WHSEC" in line
               for line in lines)
    assert not any("ACME_USER_B_TOKEN" in line for line in lines)
    assert main(["validate", "--no-env", str(path)]) == 0
