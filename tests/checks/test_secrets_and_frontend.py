"""Issue 4's checks: the pure judges as tables, then every check against both demo shops (each defect found on
the demo, nothing failing on the hardened twin), and no raw demo secret in any evidence."""

from __future__ import annotations

import pytest
from launch_audit.checks import catalog
from launch_audit.checks.debug_exposure import debug_signs, judge_debug
from launch_audit.checks.env_separation import judge_env, looks_secret
from launch_audit.checks.exposed_files import SENSITIVE, judge_exposed, judge_host
from launch_audit.checks.frontend import internal_reason, internal_urls, judge_source_map
from launch_audit.checks.frontend_assets import chunks_of, scripts_of
from launch_audit.checks.log_hygiene import card_numbers, inspect_log, judge_log
from launch_audit.checks.repo_secrets import is_env_file
from launch_audit.checks.runner import run_checks
from launch_audit.checks.security_headers import judge_headers
from launch_audit.findings import Status
from launch_audit.secrets import Scanner

IDS = ["S1.secrets_in_repo", "S1.secrets_in_history", "S1.secrets_in_ci_logs", "S1.env_file_committed",
       "S1.log_hygiene", "S1.exposed_files", "S3.frontend_secrets", "S3.frontend_internal_urls", "S3.source_maps",
       "S3.test_keys_in_prod", "S3.security_headers", "S3.debug_exposure", "S3.env_separation"]


@pytest.mark.parametrize("path, env", [
    (".env", True), ("config/.env.production", True), ("prod.env", True), (".envrc", True), (".dev.vars", True),
    (".env.example", False), (".env.sample", False), ("env.template", False), (".env.defaults", False),
    ("environment.py", False), ("docs/env.md", False), ("example.env", False),
])
def test_is_env_file(path, env):
    assert is_env_file(path) is env


@pytest.mark.parametrize("value, secret", [
    ("f3a9c0d2e8b1", True), ("true", False), ("8080", False), ("https://api.shop.test/v1", False),
    ("postgres://app:" + "pw12345" + "@db/shop", True), ("production", False), ("short", False), ("aaaaaaaaaaaa", False),
])
def test_looks_secret(value, secret):
    assert looks_secret(value) is secret


def test_judge_env():
    shared = "9f8e7d6c5b4a39281706f5e4"
    envs = {"dev": {"JWT_SECRET": shared, "DEBUG": "true", "PORT": "8080"},
            "prod": {"JWT_SECRET": shared, "DEBUG": "true", "PORT": "8080", "SENDGRID_API_KEY": "x9y8z7" + "w6v5u4"}}
    status, problems, details = judge_env(envs, {"JWT_SECRET", "DEBUG", "PORT"})
    assert status is Status.FAIL and len(problems) == 2
    assert "JWT_SECRET" in problems[0] and shared not in " ".join(problems)
    assert details["missing_from_inventory"] == ["SENDGRID_API_KEY"]
    envs["dev"]["JWT_SECRET"] = "0a1b2c3d4e5f6a7b8c9d"
    assert judge_env(envs, {"JWT_SECRET", "DEBUG", "PORT", "SENDGRID_API_KEY"})[0] is Status.PASS


@pytest.mark.parametrize("text, found", [
    ("paid with 4242 4242 4242 4242 ok", ["card …4242 (16 digits)"]),
    ("card 4111-1111-1111-1111", ["card …1111 (16 digits)"]),
    ("order 4242 4242 4242 4241", []),              # fails Luhn
    ("ts 1732900000000 id 0000000000000000", []),    # timestamps, zeros
    ("amex 378282246310005", ["card …0005 (15 digits)"]),
])
def test_card_numbers(text, found):
    assert card_numbers(text) == found


PASSWORD = "Tr0ub4" + "dor&3xyz"     # fixtures assemble secret-shaped values at run time


def test_inspect_log_counts_each_kind_once_with_redacted_examples():
    token = "eyJhbGciOiJIUzI1NiJ9" + "." + "eyJzdWIiOiJ1In0" + "." + "abcdefghijklmnop"
    lines = [
        '{"level":"info","msg":"login","body":{"email":"a@x.test","password":"' + PASSWORD + '"}}',
        '{"level":"debug","headers":{"authorization":"Bearer ' + token + '"}}',
        '{"msg":"chat","text":"Hi, I ordered a grinder last week and it still has not arrived at my flat"}',
        '{"msg":"masked","password":"***"}',
        "plain line card=4242424242424242",
    ]
    counts, examples, emails, phones = inspect_log("\n".join(lines), Scanner(), ["text"])
    assert counts["secret field"] >= 1 and counts["bearer token"] == 1 and counts["card number"] == 1
    assert counts["customer message"] == 1 and emails == {"a@x.test"}
    joined = str(examples)
    assert PASSWORD not in joined and token not in joined and "4242424242424242" not in joined
    status, verdict = judge_log(counts, emails, phones, threshold=10)
    assert status is Status.FAIL and "card number" in verdict


def test_judge_log_pii_threshold():
    emails = {f"user{i}@x.test" for i in range(11)}
    from collections import Counter
    assert judge_log(Counter(), emails, set(), threshold=10)[0] is Status.WARN
    assert judge_log(Counter(), emails, set(), threshold=20)[0] is Status.PASS


@pytest.mark.parametrize("url, reason", [
    ("http://localhost:3000/api", "internal host name"), ("http://127.0.0.1:8000", "loopback address"),
    ("http://10.0.3.12:8000/internal", "private network address"), ("http://192.168.1.5/", "private network address"),
    ("http://169.254.169.254/latest/meta-data", "link-local address (cloud metadata range)"),
    ("https://db.internal/x", "internal host name"), ("https://api.svc.cluster.local", "internal host name"),
    ("https://staging.shop.test/api", "non-production host (staging)"), ("https://dev-api.shop.test", "non-production host (dev-api)"),
    ("https://admin.shop.test", "non-production host (admin)"),
    ("https://www.shop.test", None), ("https://api.stripe.com/v1", None), ("https://developer.mozilla.org", None),
    ("https://8.8.8.8/", None),
])
def test_internal_reason(url, reason):
    assert internal_reason(url) == reason


def test_internal_urls_first_of_each_host():
    text = "a='http://10.0.0.1/a'; b='http://10.0.0.1/b'; c='https://www.shop.test/'; d=\"http://localhost:5173\""
    assert [u for u, _ in internal_urls(text)] == ["http://10.0.0.1/a", "http://localhost:5173"]


def test_scripts_and_chunks():
    html = ("<script src='/static/app.js'></script><script>window.X=1</script>"
            "<link rel=modulepreload href='/assets/vendor.js'><script src='https://cdn.other.test/x.js'></script>")
    srcs, inline = scripts_of(html, "https://www.shop.test/")
    assert srcs == ["https://www.shop.test/static/app.js", "https://www.shop.test/assets/vendor.js",
                    "https://cdn.other.test/x.js"] and inline == ["window.X=1"]
    js = 'import("./chunk-a1b2.js");const u="/static/js/2.c3d4.chunk.js";const n="https://x.test/y.js"'
    assert chunks_of(js, "https://www.shop.test/static/app.js") == [
        "https://www.shop.test/static/chunk-a1b2.js", "https://www.shop.test/static/js/2.c3d4.chunk.js"]


@pytest.mark.parametrize("status, body, served", [
    (200, '{"version":3,"sources":["a.ts"],"mappings":"AAAA"}', True),
    (200, '{"version":3,"sources":["a.ts"],"sourcesContent":["x"],"mappings":"AAAA"}', True),
    (200, "<html>Not found</html>", False),     # soft-404
    (200, '{"ok": true}', False),
    (404, '{"version":3,"sources":[],"mappings":""}', False),
])
def test_judge_source_map(status, body, served):
    assert judge_source_map(status, body)[0] is served


GOOD_HEADERS = {"content-security-policy": "default-src 'self'; frame-ancestors 'none'",
                "x-content-type-options": "nosniff", "referrer-policy": "no-referrer"}


@pytest.mark.parametrize("headers, page, expected, says", [
    (GOOD_HEADERS, True, Status.PASS, "no version banner"),
    ({**GOOD_HEADERS, "server": "cloudflare"}, True, Status.PASS, "no version banner"),
    ({**GOOD_HEADERS, "server": "nginx/1.25.3"}, True, Status.FAIL, "nginx/1.25.3"),
    ({**GOOD_HEADERS, "x-powered-by": "Express"}, True, Status.FAIL, "x-powered-by"),
    ({k: v for k, v in GOOD_HEADERS.items() if k != "referrer-policy"}, True, Status.WARN, "Referrer-Policy"),
    ({"content-security-policy": "default-src 'self'", "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer"}, True, Status.WARN, "frame protection"),
    ({"content-security-policy": "default-src 'self'", "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer", "x-frame-options": "DENY"}, True, Status.PASS, "set"),
    ({"x-content-type-options": "nosniff"}, False, Status.PASS, "set"),       # an API response: no CSP needed
    ({}, False, Status.WARN, "nosniff"),
])
def test_judge_headers(headers, page, expected, says):
    status, text = judge_headers(headers, page=page)
    assert status is expected and says in text


@pytest.mark.parametrize("path, status, body, soft404, exposed", [
    ("/.env", 200, b"DATABASE_URL=postgres://x\nSECRET=y\n", None, True),
    ("/.env", 200, b"<!doctype html><p>Welcome</p>", b"<!doctype html><p>Welcome</p>", False),
    ("/.env", 404, b"A=1", None, False),
    ("/.git/config", 200, b"[core]\n\trepositoryformatversion = 0\n", None, True),
    ("/.git/HEAD", 200, b"ref: refs/heads/main\n", None, True),
    ("/.git/HEAD", 200, b"<html>shop</html>", None, False),
    ("/.DS_Store", 200, b"\x00\x00\x00\x01Bud1\x00\x00", None, True),
    ("/server-status", 200, b"<h1>Apache Server Status for x</h1>", None, True),
    ("/config.json", 200, b'{"theme": "dark"}', None, False),
    ("/config.json", 200, b'{"dbPassword": "' + b"hunter2" * 2 + b'"}', None, True),
    ("/backup.sql", 200, b"CREATE TABLE users (id int);", None, True),
    ("/backup.zip", 200, b"PK\x03\x04rest", None, True),
])
def test_judge_exposed(path, status, body, soft404, exposed):
    assert judge_exposed(path, status, body, soft404) is exposed


@pytest.mark.parametrize("body, sign", [
    ('Traceback (most recent call last):\n  File "/srv/app/api.py", line 3', "Python traceback"),
    ("TypeError: x\n    at handler (/usr/src/app/server.js:12:5)", "Node.js stack trace"),
    ("java.lang.NullPointerException\n\tat com.shop.Api.get(Api.java:42)", "Java stack trace"),
    ("You're seeing this error because you have DEBUG = True in your Django settings", "Django debug page"),
    ("<b>Fatal error</b>: Uncaught Error", "PHP error"),
    ('{"error": "order id must be a number"}', None),
    ("Not Found", None),
])
def test_debug_signs(body, sign):
    signs = debug_signs(body)
    assert (sign in signs) if sign else signs == []
    status, evidence, details = judge_debug("a bad id", 500, body)
    assert status is (Status.FAIL if sign else Status.PASS) and details["signs"] == signs and "500" in evidence


EXPECTED_ON_DEMO = {
    "S1.secrets_in_repo": Status.FAIL, "S1.secrets_in_history": Status.FAIL, "S1.secrets_in_ci_logs": Status.FAIL,
    "S1.env_file_committed": Status.FAIL, "S1.log_hygiene": Status.FAIL, "S1.exposed_files": Status.FAIL,
    "S3.frontend_secrets": Status.FAIL, "S3.frontend_internal_urls": Status.FAIL, "S3.source_maps": Status.FAIL,
    "S3.test_keys_in_prod": Status.FAIL, "S3.security_headers": Status.FAIL, "S3.debug_exposure": Status.FAIL,
    "S3.env_separation": Status.FAIL,
}


@pytest.fixture(scope="module")
async def demo_findings(demo_profile):
    return await run_checks(demo_profile, [catalog.get(i) for i in IDS])


@pytest.fixture(scope="module")
async def hardened_findings(hardened_profile):
    return await run_checks(hardened_profile, [catalog.get(i) for i in IDS])


async def test_every_defect_is_found_on_the_demo(demo_findings):
    worst = {}
    for f in demo_findings:
        assert f.status is not Status.ERROR, f"{f.check_id}: {f.evidence}"
        if f.status is Status.FAIL:
            worst[f.check_id] = Status.FAIL
    assert worst == EXPECTED_ON_DEMO
    text = " ".join(f"{f.target} {f.evidence}" for f in demo_findings)
    assert ".env" in text and "build-1187.log" in text and "card …4242" in text and "/.git/config" in text
    assert "10.0.3.12" in text and "app.js.map" in text and "Python traceback" in text


async def test_nothing_fails_on_the_hardened_twin(hardened_findings):
    bad = [(f.check_id, f.target, f.evidence) for f in hardened_findings if f.status in (Status.FAIL, Status.ERROR)]
    assert bad == []
    assert {f.check_id for f in hardened_findings} == set(IDS)


async def test_no_raw_demo_secret_in_any_evidence(demo_findings, shop):
    import json
    dumped = json.dumps([f.to_dict() for f in demo_findings])
    s = shop.secrets
    for value in (s.stripe_live, s.stripe_test, s.openai, s.aws[0], s.aws[1], s.github, s.sendgrid, s.db_password,
                  s.jwt_secret, s.user_a_password):
        assert value not in dumped


async def test_ci_log_archive_named_by_the_profile(demo_profile, tmp_path):
    import zipfile
    archive = tmp_path / "actions-run-77.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("1_deploy.txt", "export TOKEN=" + "gh" + "p_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8" + "\n")
    repo = demo_profile.repo.model_copy(update={"ci_logs": [str(archive)]})
    [f] = await run_checks(demo_profile.model_copy(update={"repo": repo}), [catalog.get("S1.secrets_in_ci_logs")])
    assert f.status is Status.FAIL and f.target == f"{archive}!1_deploy.txt:1"


@pytest.mark.parametrize("exposed, errors, only_skipped, status, says", [
    ([("/.env", "env file")], ["/.git/HEAD: timed out"], False, Status.FAIL, "served publicly: https://h/.env"),
    ([], [], False, Status.PASS, f"none of {len(SENSITIVE)} sensitive paths is served"),
    # most requests timed out: never "none is served"
    ([], [f"/p{i}: ReadTimeout" for i in range(12)], False, Status.ERROR, "12 of"),
    ([], ["/.env: answered 503"], False, Status.ERROR, f"the {len(SENSITIVE) - 1} that answered are not served"),
    ([], ["/.env: target unavailable after a probe"], True, Status.SKIP, "could not be checked"),
])
def test_a_host_passes_only_when_every_sensitive_path_was_answered(exposed, errors, only_skipped, status, says):
    got, evidence, _ = judge_host("https://h", exposed, errors, only_skipped, False)
    assert got is status and says in evidence, evidence

