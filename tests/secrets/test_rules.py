"""Every rule of rules.yaml with true examples and near misses (test keys, placeholders, publishable keys,
look-alikes). Examples are assembled at run time so this file holds no secret-shaped literal."""

from __future__ import annotations

import base64
import json
import random
import string
import time

import pytest
import yaml
from launch_audit.secrets import Scanner, load_rules
from launch_audit.secrets.rules import RuleError, parse_rules

_rng = random.Random(7)
AL, UP, HEX, LOW = string.ascii_letters + string.digits, string.ascii_uppercase + string.digits, "0123456789abcdef", \
    string.ascii_lowercase + string.digits


def r(n: int, alphabet: str = AL) -> str:
    return "".join(_rng.choice(alphabet) for _ in range(n))


def j(*parts: str) -> str:
    return "".join(parts)


def jwt(payload: dict) -> str:
    enc = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).decode().rstrip("=")  # noqa: E731
    return ".".join([enc({"alg": "HS256", "typ": "JWT"}), enc(payload), r(43, AL + "_-")])


PEM = j("-----BEGIN ", "RSA PRIVATE KEY-----\n", "\n".join(r(64, AL + "+/") for _ in range(6)), "\n-----END ",
        "RSA PRIVATE KEY-----")
AWS_ID = j("AK", "IA", r(16, UP))
AWS_SECRET = r(40, AL + "+/")

# rule id -> (texts that must match it, near misses that must not match it)
CASES: dict[str, tuple[list[str], list[str]]] = {
    "stripe-secret-live": ([j("STRIPE_KEY='sk", "_live_", r(24), "'")], [j("sk", "_live_", "short"), j("sk", "_live_xxxxxxxxxxxxxxxxxxxxxxxx")]),
    "stripe-secret-test": ([j("key: sk", "_test_", r(24))], [j("sk", "_test_", "${STRIPE_KEY}")]),
    "stripe-restricted-live": ([j("rk", "_live_", r(30))], [j("rk", "_live")]),
    "stripe-restricted-test": ([j("rk", "_test_", r(30))], []),
    "stripe-webhook-secret": ([j("whsec", "_", r(32))], [j("whsec", "_", "your_webhook_secret_here_please")]),
    "stripe-publishable-live": ([j("pk", "_live_", r(24))], [j("pk", "_live_", "<your key>")]),
    "stripe-publishable-test": ([j("pk", "_test_", r(24))], []),
    "shopify-access-token": ([j("shp", "at_", r(32, HEX))], [j("shp", "at_", r(31, HEX))]),
    "shopify-shared-secret": ([j("shp", "ss_", r(32, HEX))], [j("shp", "ss_", "g" * 32)]),
    "braintree-access-token": ([j("access_token$", "production$", r(16, LOW), "$", r(32, HEX))], []),
    "braintree-sandbox-token": ([j("access_token$", "sandbox$", r(16, LOW), "$", r(32, HEX))], []),
    "paypal-client-secret": ([j("PAYPAL_CLIENT_SECRET=", r(60, AL + "-_"))], ["PAYPAL_CLIENT_SECRET=changeme"]),
    "square-access-token": ([j("sq0", "atp-", r(22, AL + "-_")), j("EA", "AA", r(60, AL + "-_"))], []),
    "square-oauth-secret": ([j("sq0", "csp-", r(43, AL + "-_"))], []),
    "aws-access-key-id": ([j("id = ", AWS_ID)], [j("AK", "IA", "short"), j("AK", "IAIOSFODNN7EXAMPL")]),
    "aws-secret-access-key": ([f"{AWS_ID}\n{AWS_SECRET}"], [f"nothing near\n{AWS_SECRET}"]),
    "aws-secret-access-key-assigned": ([j("aws_secret_access_key = ", AWS_SECRET)], ["aws_secret_access_key = " + "a" * 40]),
    "gcp-service-account-key": ([j('{"type": "service_account", "private_key_id": "', r(40, HEX), '"}')],
                                ['"private_key_id": "abc"']),
    "azure-storage-key": ([j("DefaultEndpointsProtocol=https;AccountName=shop;AccountKey=", r(86, AL + "+/"), "==")], []),
    "azure-api-key": ([j("AZURE_OPENAI_KEY=", r(32, HEX))], ["AZURE_OPENAI_KEY=" + "0" * 32]),
    "anthropic-api-key": ([j("sk-", "ant-", "api03-", r(93, AL + "-_"), "AA"), j("sk-", "ant-", "admin01-", r(93, AL), "AA")],
                          [j("sk-", "ant-", "api03-", "short"), j("sk-", "ant-", "api03-", r(93, AL), "x" * 40)]),
    "openai-api-key": ([j("sk-", "proj-", r(56, AL + "-_")), j("sk-", r(20), "T3Blbk", "FJ", r(20))], []),
    "openai-api-key-legacy": ([j("sk-", r(48))], [j("sk-", r(47))]),
    "firebase-web-config": ([j('{apiKey: "AI', "za", r(35, AL + "-_"), '", authDomain: "shop.firebaseapp.com"}')], []),
    "firebase-cloud-messaging-key": ([j("AA", "AA", r(7, AL + "-_"), ":", r(140, AL + "-_"))], []),
    "huggingface-token": ([j("hf", "_", r(34))], [j("hf", "_", "hub")]),
    "replicate-token": ([j("r8", "_", r(37))], []),
    "twilio-api-key": ([j("S", "K", r(32, HEX))], [j("S", "K", r(32, HEX).upper().replace("A", "Z"))]),
    "twilio-auth-token": ([j("TWILIO_AUTH_TOKEN=", r(32, HEX))], ["TWILIO_AUTH_TOKEN=" + "0" * 32]),
    "sendgrid-api-key": ([j("S", "G.", r(22, AL + "-_"), ".", r(43, AL + "-_"))], ["msg.value = 1"]),
    "mailgun-api-key": ([j("ke", "y-", r(32, HEX))], ["monkey-patch", "key-value store"]),
    "postmark-server-token": ([j("POSTMARK_SERVER_TOKEN=", r(8, HEX), "-", r(4, HEX), "-", r(4, HEX), "-", r(4, HEX), "-",
                                 r(12, HEX))], []),
    "resend-api-key": ([j("r", "e_", r(8), "_", r(24))], ["are_you_sure_about_this_thing_here_ok"]),
    "slack-webhook": ([j("https://hooks.", "slack.com/services/T", r(8, UP), "/B", r(8, UP), "/", r(24))],
                      ["https://hooks.slack.com/services/"]),
    "discord-webhook": ([j("https://discord.com/api/", "webhooks/", r(18, "0123456789"), "/", r(68, AL + "-_"))], []),
    "github-token": ([j("gh", "p_", r(36))], [j("gh", "p_", "short")]),
    "github-fine-grained-token": ([j("github", "_pat_", r(82, AL + "_"))], []),
    "gitlab-token": ([j("gl", "pat-", r(20, AL + "-_"))], []),
    "jwt": ([jwt({"role": "service_role", "iss": "supabase"}), jwt({"sub": "u_1"})], ["eyJhbGciOiJub25lIn0.not-json.xyzxyzxyzxyz"]),
    "private-key": ([PEM], [j("-----BEGIN ", "PUBLIC KEY-----\n", r(64), "\n-----END PUBLIC KEY-----")]),
    "database-url-password": ([j("postgres", "://app:", r(16), "@db.example.net:5432/shop"),
                               j("mongodb+srv", "://svc:", r(12), "@cluster0.mongodb.net/")],
                              ["postgres://localhost/shop_dev", "postgres://app:${DB_PASSWORD}@db/shop"]),
    "jwt-signing-secret": ([j("JWT_SECRET=", r(48, HEX))], ["JWT_SECRET=changeme", "JWT_SECRET={jwt_secret}"]),
    "generic-secret": ([j('client_password = "', r(20), '"')],
                       ['password = "password123"', 'password = "hunter"', 'api_key = "your-api-key-here"',
                        'PASSWORD_ENV = "LAUNCH_AUDIT_SMTP_PASSWORD"']),       # an env var's name, not a value
    "generic-secret-xml": ([j("<db.password>", r(20), "</db.password>")], ["<password>${DB_PASSWORD}</password>"]),
    "generic-secret-xml-attribute": ([j('<add key="StorageAccessKey" value="', r(24), '" />')],
                                     ['<add key="StorageAccessKey" value="" />']),
    "generic-secret-env": ([j("MY_SERVICE_TOKEN=", r(32))], ["MY_SERVICE_TOKEN=${TOKEN}", "DEBUG_TOKEN=aaaaaaaaaaaa"]),
}


@pytest.fixture(scope="module")
def scanner() -> Scanner:
    return Scanner()


def test_every_rule_has_examples():
    assert {r.id for r in load_rules()} == set(CASES)
    assert all(CASES[k][0] for k in CASES)


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_matches_its_examples(rule_id, scanner):
    for text in CASES[rule_id][0]:
        found = [m.rule_id for m in scanner.scan(f"x\n{text}\ny\n".encode())]
        assert rule_id in found, f"{rule_id} missed an example; found {found}"


@pytest.mark.parametrize("rule_id", sorted(k for k, v in CASES.items() if v[1]))
def test_rule_ignores_near_misses(rule_id, scanner):
    for text in CASES[rule_id][1]:
        found = [m.rule_id for m in scanner.scan(f"x\n{text}\ny\n".encode())]
        assert rule_id not in found, f"{rule_id} matched a near miss: {text[:40]}"


@pytest.mark.parametrize("text, kind", [
    (jwt({"role": "anon", "iss": "supabase"}), "publishable"),
    (jwt({"role": "service_role", "iss": "supabase"}), "live"),
    (jwt({"sub": "u_1", "exp": int(time.time()) - 60}), "inactive"),
    (jwt({"sub": "u_1", "exp": int(time.time()) + 3600}), "live"),
    (j("sk", "_test_", r(24)), "test"),
    (j("pk", "_live_", r(24)), "publishable"),
])
def test_kinds(text, kind, scanner):
    [m] = scanner.scan(text.encode())
    assert m.kind == kind


def test_specific_rules_win_over_generic_ones(scanner):
    # a Stripe key assigned to a "secret" variable is reported once, as Stripe's
    found = scanner.scan(j('stripe_secret = "sk', '_live_', r(24), '"').encode())
    assert [m.rule_id for m in found] == ["stripe-secret-live"]


def test_match_keeps_no_raw_value(scanner):
    key = j("sk", "_live_", r(24))
    [m] = scanner.scan(f"k={key}".encode())
    assert key not in repr(m) and m.preview.startswith("sk_live_") and m.line == 1


@pytest.mark.parametrize("bad, says", [
    ({"version": 2, "rules": []}, "version: 1"),
    ({"version": 1, "rules": [{"id": "a", "provider": "p", "kind": "live", "regex": "(?<=x)y"}]}, "RE2"),
    ({"version": 1, "rules": [{"id": "a", "provider": "p", "kind": "secret", "regex": "x"}]}, "kind"),
    ({"version": 1, "rules": [{"id": "a", "provider": "p", "kind": "live", "regex": "(a)(b)"}]}, "one capture group"),
    ({"version": 1, "rules": [{"id": "a", "provider": "p", "kind": "live", "regex": "a", "near": "b"}]}, "near"),
    ({"version": 1, "rules": [{"id": "a", "provider": "p", "kind": "live", "regex": "a"},
                              {"id": "a", "provider": "p", "kind": "live", "regex": "b"}]}, "duplicate"),
    ({"version": 1, "rules": [{"id": "a", "provider": "p", "kind": "live", "regex": "a", "colour": 1}]}, "unknown keys"),
])
def test_bad_rule_files_are_refused(bad, says):
    with pytest.raises(RuleError, match=says):
        parse_rules(yaml.safe_load(yaml.safe_dump(bad)))


def test_inline_allowlist_comment(scanner):
    key = j("sk", "_live_", r(24))
    assert scanner.scan(f"k = '{key}'\n".encode())
    for marker in ("# launch-audit: allow", "// pragma: allowlist secret", "# gitleaks:allow"):
        assert scanner.scan(f"k = '{key}'  {marker}\nother = '{key}'\n".encode())[0].line == 2


@pytest.mark.parametrize("rule_id, text", [
    # a secret whose last character is not a word character must still end the match (no trailing \b)
    ("aws-secret-access-key-assigned", j("+ export AWS_SECRET_ACCESS_KEY=", r(39, AL), "/", "\n")),
    ("aws-secret-access-key-assigned", j("aws_secret_access_key = ", r(39, AL), "+")),
    ("sendgrid-api-key", j("S", "G.", r(22), ".", r(42), "-", "\n")),
    ("square-oauth-secret", j("sq0", "csp-", r(42), "_")),
    ("gitlab-token", j("gl", "pat-", r(19), "-", " ")),
])
def test_secrets_ending_in_a_symbol(rule_id, text, scanner):
    assert rule_id in [m.rule_id for m in scanner.scan(text.encode())]
