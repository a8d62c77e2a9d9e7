"""The scanner's breadth and its false alarms: provider rules beyond rules.yaml (gitleaks' rule set), one
generic family that reads every syntax, whole long tokens, and the values that are never secrets (empty
env templates, example keys, identifiers). Secret-shaped values are assembled at run time."""

from __future__ import annotations

import base64
import json
import random
import string
import subprocess
from pathlib import Path

import pytest
from launch_audit import secrets as secrets_package
from launch_audit.cli import main
from launch_audit.secrets import Scanner
from launch_audit.secrets.scanner import is_placeholder, not_a_secret_value
from launch_audit.redact import fingerprint

_rng = random.Random(18)
AL, HEX, LOW, DIG = string.ascii_letters + string.digits, "0123456789abcdef", string.ascii_lowercase + string.digits, \
    string.digits


def r(n: int, alphabet: str = AL) -> str:
    while True:         # never a typed run (abcdef, 123456): those are examples, and rightly skipped
        value = "".join(_rng.choice(alphabet) for _ in range(n))
        if not is_placeholder(value):
            return value


def j(*parts: str) -> str:
    return "".join(parts)


@pytest.fixture(scope="module")
def scanner() -> Scanner:
    return Scanner()


def found(scanner: Scanner, text: str, path: str = "") -> list:
    return scanner.scan(text.encode(), path=path)


# provider tokens rules.yaml has no rule for, each with the provider and kind it must be told as
PROVIDERS = {
    "npm-access-token": (lambda: j("//registry.npmjs.org/:_authToken=np", "m_", r(36, LOW)), "npm"),
    "pypi-upload-token": (lambda: j("password = py", "pi-AgEIcHlwaS5vcmc", r(60, AL + "-_")), "PyPI"),
    "datadog-access-token": (lambda: j("DATADOG_APP_KEY=", r(40, LOW)), "Datadog"),
    "telegram-bot-api-token": (lambda: j("TELEGRAM_BOT_TOKEN=", r(10, DIG), ":A", r(34, LOW + "_-")), "Telegram"),
    "digitalocean-pat": (lambda: j("do_token: do", "p_v1_", r(64, HEX)), "DigitalOcean"),
    "heroku-api-key-v2": (lambda: j("HEROKU_API_KEY=HR", "KU-AA", r(58, AL + "_-")), "Heroku"),
    "databricks-api-token": (lambda: j("token = da", "pi", r(32, HEX)), "Databricks"),
    "postman-api-token": (lambda: j("PM", "AK-", r(24, HEX), "-", r(34, HEX)), "Postman"),
    "sentry-user-token": (lambda: j("SENTRY_AUTH_TOKEN=sntr", "yu_", r(64, HEX)), "Sentry"),
    "doppler-api-token": (lambda: j("DOPPLER_TOKEN=dp", ".pt.", r(43, LOW)), "Doppler"),
    "linear-api-key": (lambda: j("LINEAR_KEY=lin", "_api_", r(40, LOW)), "Linear"),
    "notion-api-token": (lambda: j("NOTION_TOKEN=nt", "n_", r(11, DIG), r(35)), "Notion"),
    "huggingface-organization-api-token": (lambda: j("api", "_org_", r(34, string.ascii_letters)), "Hugging Face"),
    "aws-access-token": (lambda: j("key_id = AB", "IA", r(16, string.ascii_uppercase + "234567")), "AWS"),
    "stripe-access-token": (lambda: j("STRIPE_KEY=sk", "_prod_", r(40)), "Stripe"),
    "slack-bot-token": (lambda: j("xo", "xb-", r(12, DIG), "-", r(12, DIG), "-", r(24)), "Slack"),
    "gitlab-cicd-job-token": (lambda: j("CI_TOKEN=gl", "cbt-", r(5, LOW), "_", r(20, LOW)), "GitLab"),
    "1password-service-account-token": (lambda: j("OP_SERVICE_ACCOUNT_TOKEN=op", "s_eyJ", r(260, AL + "+/")),
                                        "1Password"),
}


@pytest.mark.parametrize("rule_id", sorted(PROVIDERS))
def test_provider_rules_find_their_tokens_and_name_the_provider(rule_id, scanner):
    make, provider = PROVIDERS[rule_id]
    hits = found(scanner, make() + "\n")
    assert [(h.rule_id, h.provider, h.kind) for h in hits] == [(rule_id, provider, "live")], hits


def test_the_provider_rule_set_is_broad(scanner):
    providers = {r.provider for r in scanner.rules}
    assert len(scanner.rules) > 250 and len(providers) > 120


# one labelled value in each syntax a founder's repository holds; the generic family must read them all
SYNTAXES = [
    ("app.env", "SESSION_ENCRYPTION_KEY={v}"),
    (".env", "export PAYMENT_API_TOKEN='{v}'"),
    ("config.yaml", "encryption_key: \"{v}\""),
    ("config.yml", "service:\n  auth_token: {v}"),
    ("settings.json", '{{\n  "signing_secret": "{v}"\n}}'),
    ("pyproject.toml", 'webhook_secret = "{v}"'),
    ("app.ini", "[mail]\npassword = {v}"),
    ("app.properties", "db.password={v}"),
    ("web.xml", "<apiKey>{v}</apiKey>"),
    ("App.config", '<add key="PaymentApiKey" value="{v}" />'),
    ("main.go", 'masterKey := "{v}"'),
    ("main.py", 'MASTER_KEY = "{v}"'),
    ("index.ts", 'const clientSecret = "{v}";'),
    ("Makefile", "DEPLOY_TOKEN ?= {v}"),
    ("App.java", 'String accessToken = "{v}";'),
]


@pytest.mark.parametrize("path,template", SYNTAXES)
def test_the_generic_family_reads_every_syntax(path, template, scanner):
    value = r(32, AL)
    hits = found(scanner, template.format(v=value) + "\n", path=path)
    assert [h.fingerprint for h in hits] == [fingerprint(value)], hits
    assert hits[0].kind == "generic" and hits[0].is_live


ENV_STYLES = {
    "plain": "{name}=",
    "quoted": '{name}=""',
    "single-quoted": "{name}=''",
    "export": "export {name}=",
    "spaced": "{name} = ",
    "commented": "{name}=   # set in the host's secret store",
    "yaml": "{name}:",
    "yaml-empty-string": '{name}: ""',
}
ENV_NAMES = ["SESSION_SECRET", "STRIPE_SECRET_KEY", "JWT_SECRET", "DATABASE_PASSWORD", "OPENAI_API_KEY",
             "AUTH_TOKEN", "PRIVATE_KEY", "client_secret", "api_key"]


@pytest.mark.parametrize("style", sorted(ENV_STYLES))
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_an_env_template_with_empty_values_is_clean_in_tree_and_history(style, newline, tmp_path, capsys):
    repo = tmp_path / "shop"
    repo.mkdir()
    lines = [ENV_STYLES[style].format(name=n) for n in ENV_NAMES]
    (repo / ".env.example").write_bytes(newline.join(lines + ["PORT=3000", ""]).encode())
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "template"], check=True)
    code = main(["secrets", str(repo), "--history"])
    out = capsys.readouterr().out
    assert code == 0 and out.strip().splitlines()[-1].startswith("0 secret(s) found"), out


@pytest.mark.parametrize("text", [
    "secret_length = X25519.secret_length",
    'API_KEY = os.getenv("API_KEY")',
    "api_token = settings.API_TOKEN",
    'LLM_SECRET_NAME = "NEXUS-GPT4-API-KEY"',
    'password = re.compile(r"[^a-z]")',
    'token = "' + "eyJhbGciOiJIUzI1NiJ9" + '" + payload',
    "SECRET_KEY={{ secrets.SECRET_KEY }}",
    "password: ${DB_PASSWORD}",
    "API_KEY=<your api key>",
    'client_secret = "****************"',
    "auth_token = " + "sk_abc...xyz",
])
def test_identifiers_references_and_templates_are_not_secrets(text, scanner):
    assert found(scanner, text + "\n", path="settings.py") == []


@pytest.mark.parametrize("text", [
    j("SLACK_BOT=xo", "xb-", "xo", "xb-my-bot-token"),
    j("GOOGLE_KEY=AI", "zaSy", "abcdefghijklmnopqrstuvwxyz0123456"),
    j("ANTHROPIC_API_KEY=sk-", "ant-", "api03-abc123xyz-456def789ghij-klmnopqrstuvwx-3456yza789bcde-1234fghijklmn"
      "opby56aaaogaopaaaabc123xyzAA"),
    j("AWS_ACCESS_KEY_ID=AK", "IA", "IOSFODNN7EXAMPLE"),
    j("STRIPE_KEY=sk", "_live_", "1234567890abcdefghijklmn"),
])
def test_documented_example_keys_are_not_secrets(text, scanner):
    assert found(scanner, text + "\n") == []


def test_identifier_judgement():
    assert not_a_secret_value("X25519.secret_length") and not_a_secret_value("os.getenv(")
    assert not not_a_secret_value(r(24)) and not not_a_secret_value(j("eyJ", r(20), ".", r(20), ".", r(20)))


def _jwt(size: int) -> str:
    enc = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).decode().rstrip("=")  # noqa: E731
    payload = {"iss": "kubernetes/serviceaccount", "sub": "system:serviceaccount:shop:deployer", "pad": r(size)}
    return ".".join([enc({"alg": "RS256", "kid": r(20)}), enc(payload), r(342, AL + "_-")])


@pytest.mark.parametrize("size", [700, 1400, 3000])
def test_long_tokens_are_found_whole(size, scanner):
    token = _jwt(size)
    hits = found(scanner, f"id_token: {token}\n", path="kubeconfig.yaml")
    assert [h.fingerprint for h in hits] == [fingerprint(token)] and len(token) > size


def test_a_4096_bit_key_block_is_found_whole(scanner):
    body = "\n".join(r(64, AL + "+/") for _ in range(50))
    block = j("-----BEGIN ", "RSA PRIVATE KEY-----\n", body, "\n-----END ", "RSA PRIVATE KEY-----")
    hits = found(scanner, "key: |\n" + block + "\n")
    assert [h.fingerprint for h in hits] == [fingerprint(block)]


def test_a_token_inside_a_longer_word_is_not_a_token(scanner):
    inner = j("gh", "p_", r(36))
    assert all(h.rule_id != "github-token" for h in found(scanner, f"x{inner}\n"))
    assert [h.rule_id for h in found(scanner, f" {inner}\n")] == ["github-token"]


def test_a_path_bound_rule_needs_its_file(scanner):
    line = j('<add key="ClearTextPassword" value="', r(18), '" />\n')
    assert any(h.rule_id == "nuget-config-password" for h in found(scanner, line, path="NuGet.Config"))
    assert not any(h.rule_id == "nuget-config-password" for h in found(scanner, line, path="notes.txt"))


def test_the_package_rule_files_are_not_reported(tmp_path, capsys):
    # gitleaks' own examples in its configuration: the file is allowlisted by name, as gitleaks does
    assert main(["secrets", str(Path(secrets_package.__file__).parent)]) == 0, capsys.readouterr().out


def test_rotation_steps_are_named_as_the_rules_name_their_providers():
    from launch_audit.secrets.rotation import _steps

    providers = {r.provider for r in Scanner().rules}
    assert set(_steps()) - {"default"} <= providers, set(_steps()) - {"default"} - providers
