"""Table tests for the judges that used to be written inline in their checks: rate-limit bursts, one
endpoint's input-validation verdict, env files in git, attested answers, keys in the frontend, a closed
port 80, and SPF's include tree. Each row is what was seen → the verdict a consultant signs."""

from __future__ import annotations

import pytest
from launch_audit.checks.abuse_controls import judge_burst, stopped_by
from launch_audit.checks.attested import judge_attested
from launch_audit.checks.frontend import judge_bundled_secret
from launch_audit.checks.https_redirect import judge_port_80_closed
from launch_audit.checks.input_validation import judge_endpoint
from launch_audit.checks.repo_secrets import judge_env_files
from launch_audit.findings import Status
from launch_audit.mailauth.spf.tree import SpfNode, SpfTree, judge_tree
from launch_audit.secrets.scanner import SecretMatch

WHERE = "POST https://api.shop.test/login"


@pytest.mark.parametrize("status, body, stopped", [
    (429, "", "throttled"),
    (423, "", "locked out"),
    (401, '{"error": "Too many attempts, try again later"}', "locked out"),
    (403, "account locked", "locked out"),
    (401, '{"error": "wrong password"}', None),          # the answer to a wrong password, not a limit
    (403, "forbidden", None),
    (200, "too many", None),                            # a 2xx is never a limit, whatever it says
    (500, "", None),
])
def test_what_stops_a_burst(status, body, stopped):
    assert stopped_by(status, body) == stopped


@pytest.mark.parametrize("limit, sent, stopped, expected", [
    (10, 11, "throttled", Status.PASS),          # the request that meets the limit is the 11th
    (10, 3, "locked out", Status.PASS),
    (10, 12, "throttled", Status.WARN),          # later than intended
    (5, 12, None, Status.FAIL),                  # the cap reached, never stopped
])
def test_judge_burst(limit, sent, stopped, expected):
    status, evidence, details = judge_burst(WHERE, limit, True, sent, stopped, {"Retry-After": "60"}, 2.5, "401 no")
    assert status is expected
    assert evidence.startswith(WHERE)
    if stopped:
        assert f"{stopped} at request {sent}" in evidence and "Retry-After: 60" in evidence
        assert details == {"throttled_at": sent, "headers": {"Retry-After": "60"}, "limit": limit}
    else:
        assert "none throttled (the profile's intended limit is 5/min; last answer 401 no)" in evidence
        assert details == {"sent": sent, "limit": limit}


def test_judge_burst_says_when_the_limit_was_not_declared():
    _, evidence, _ = judge_burst(WHERE, 10, False, 20, None, {}, 1.0, "200 ok")
    assert "a default intended limit is 10/min" in evidence
    _, evidence, _ = judge_burst(WHERE, 10, False, 4, "throttled", {}, 1.0, "429")
    assert "no Retry-After" in evidence


def _row(variant: str, verdict: str, status: int = 400) -> dict:
    return {"variant": variant, "status": status, "verdict": verdict, "why": f"{verdict} because", "answer": "x"}


@pytest.mark.parametrize("rows, unjudged, expected", [
    ([_row("invalid JSON", "pass"), _row("wrong types", "pass", 422)], [], Status.PASS),
    ([_row("invalid JSON", "pass"), _row("a NUL", "warn", 200)], [], Status.WARN),
    ([_row("invalid JSON", "fail", 500), _row("a NUL", "warn", 200)], [], Status.FAIL),
    # a failure is told even when other variants got no answer
    ([_row("invalid JSON", "fail", 200)], [("nesting", "read timed out", "error")], Status.FAIL),
    # a pass needs every variant answered: a timeout is an error, a 429 or an outage we caused a skip
    ([_row("invalid JSON", "pass")], [("nesting", "read timed out", "error")], Status.ERROR),
    ([_row("invalid JSON", "pass")], [("nesting", "throttled (429)", "skip")], Status.SKIP),
    ([_row("invalid JSON", "pass")], [("a", "throttled (429)", "skip"), ("b", "reset", "error")], Status.ERROR),
    ([_row("invalid JSON", "warn", 200)], [("nesting", "throttled (429)", "skip")], Status.SKIP),
])
def test_judge_endpoint(rows, unjudged, expected):
    status, evidence, details = judge_endpoint(WHERE, rows, unjudged, "role, is_admin", "; put back")
    assert status is expected
    assert evidence.startswith(WHERE) and evidence.endswith("; put back")
    assert details["variants"] == rows and details["tried"] == {"variants answered": len(rows)}
    if expected is Status.FAIL:
        assert details["problems"] == [r["variant"] for r in rows if r["verdict"] == "fail"]
        assert "Validate every body against a schema" in evidence
    if unjudged and expected is not Status.FAIL:
        assert details["unjudged"] == len(unjudged) and unjudged[0][1] in evidence
    if expected is Status.PASS:
        assert "2 malformed or privileged bodies refused with 400, 422; privileged fields not taken (role, " \
               "is_admin)" in evidence


def test_judge_env_files():
    assert judge_env_files([], {}, "/repo") == [
        (Status.PASS, "/repo", "no .env-style file is tracked or was ever committed", None, None)]
    found = judge_env_files([".env"], {"prod.env": "a" * 40}, "/repo")
    assert [(s, t) for s, t, *_ in found] == [(Status.FAIL, ".env"), (Status.FAIL, "prod.env @ aaaaaaaaaaaa")]
    assert "git rm --cached" in found[0][2] and found[0][3] == {"path": ".env"}
    assert "still in the history" in found[1][2] and found[1][4] == {"commit": "a" * 40}


@pytest.mark.parametrize("ok, note, status, evidence", [
    (True, "", Status.PASS, "attested: yes"),
    (False, "", Status.FAIL, "attested: no"),
    (True, "runbook in Notion, checked 2 Dec", Status.PASS, "attested: runbook in Notion, checked 2 Dec"),
])
def test_judge_attested(ok, note, status, evidence):
    assert judge_attested(ok, note) == (status, evidence, {"attested": True})


@pytest.mark.parametrize("kind, expected", [
    ("publishable", None), ("live", Status.FAIL), ("test", Status.WARN), ("generic", Status.WARN),
    ("inactive", Status.WARN),
])
def test_judge_bundled_secret(kind, expected):
    m = SecretMatch("stripe-secret-key", "Stripe", kind, 3, "sk_l…9f", "fp1")
    verdict = judge_bundled_secret(m)
    assert (verdict[0] if verdict else None) is expected
    if verdict:
        assert "Stripe" in verdict[1] and "sk_l…9f" in verdict[1] and verdict[2]["fingerprint"] == "fp1"
        assert ("random value under a secret's name" in verdict[1]) == (kind == "generic")


def test_judge_port_80_closed():
    assert judge_port_80_closed("connection refused") == (
        Status.WARN, "nothing answers on port 80 (connection refused); browsers that try http:// first show an error")


def _tree(record: str | None, all_q: str | None, lookups: int = 1, *, voids=(), problems=(), children=(),
          found: int = 1) -> SpfTree:
    root = SpfNode("shop.test", "", record, found, all_q, lookups, list(voids), list(problems),
                   children=list(children))
    return SpfTree("shop.test", root)


@pytest.mark.parametrize("tree, status, says", [
    (_tree(None, None, 0, found=0), "fail", "no SPF record"),
    (_tree("v=spf1 -all", "-", 0), "pass", "-all, 0/10 lookups"),
    (_tree("v=spf1 include:a -all", "-", 10), "pass", "one more include breaks it"),
    (_tree("v=spf1 include:a -all", "-", 11), "fail", "over the limit of 10"),
    (_tree("v=spf1 ~all", "~", 0), "warn", "~all (softfail)"),
    (_tree("v=spf1 +all", "+", 0), "fail", "+all: anyone may send"),
    (_tree("v=spf1 ?all", "?", 0), "fail", "?all: anyone may send"),
    (_tree("v=spf1 mx", None, 1), "fail", "ends without all"),
    (_tree("v=spf1 a b -all", "-", 2, voids=["gone.test"]), "warn", "1 void lookup(s) (gone.test)"),
    (_tree("v=spf1 -all", "-", 3, voids=["a.test", "b.test", "c.test"]), "fail", "3 void lookups"),
    (_tree(None, None, 0, problems=["2 SPF records: receivers return permerror"], found=2), "fail",
     "2 SPF records"),
    # the redirect target's all ends evaluation (RFC 7208 §6.1)
    (_tree("v=spf1 redirect=_spf.host.test", None, 1, children=[SpfNode("_spf.host.test", "redirect",
                                                                        "v=spf1 -all", 1, "-")]), "pass", "-all"),
])
def test_judge_tree(tree, status, says):
    got, verdict = judge_tree(tree)
    assert (got, says in verdict) == (status, True), verdict
