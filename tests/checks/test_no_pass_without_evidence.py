"""No verdict without evidence: every check of the catalog, run against the hardened shop (the one that
earns passes) with each optional section of its profile removed in turn, passes only what it observed, and
never passes a check whose only input is gone. What a pass rests on is checked against the shop's own
record of who asked it what, not only against the check's own account."""

from __future__ import annotations

import yaml
import pytest

from launch_audit.checks import catalog
from launch_audit.checks.base import Check
from launch_audit.checks.evidence import require_observation
from launch_audit.checks.runner import run_checks
from launch_audit.demo import DemoShop, Layout
from launch_audit.findings import Finding, Impact, Mode, Severity, Status
from launch_audit.profile_loader import load_profile

from tests.helpers import short_window_profile
from tests.hostile.hostile_site import requests_per_check

# section removed -> the checks that have nothing else to look at, so must not pass
SECTIONS = {
    "api": {"S1.unauth_access", "S4.authn_required", "S4.bola", "S4.bfla", "S4.input_validation",
            "S4.rate_limit_login", "S4.rate_limit_reset", "S4.rate_limit_chat", "S4.webhook_signature",
            "S4.csrf", "S4.user_enumeration", "S1.prompt_leak_quick", "S5.system_prompt_leak",
            "S5.cross_customer_leak", "S5.unauthorized_tools", "S5.injection_via_content", "S5.output_handling",
            "S5.cost_abuse", "S5.human_escalation"},
    "api.users": {"S4.bola", "S4.csrf"},
    # (S4.rate_limit_chat needs only the api endpoint, so it may pass without the chat section)
    "chat": {"S1.prompt_leak_quick", "S5.system_prompt_leak", "S5.cross_customer_leak",
             "S5.unauthorized_tools", "S5.injection_via_content", "S5.output_handling", "S5.cost_abuse",
             "S5.human_escalation"},
    "chat.content_sinks": set(),           # the pasted probes still test the bot
    "repo": {"S1.secrets_in_repo", "S1.secrets_in_history", "S1.env_file_committed", "S1.secrets_in_ci_logs",
             "S3.env_separation"},
    "logs": {"S1.log_hygiene"},
    "email.samples": {"S2.email_auth_sample"},
    "attest": {"S3.rollback_path", "S3.least_privilege", "S6.alerting"},
    "handover": {"S7.env_inventory", "S7.runbooks", "S7.alert_contacts"},
}


@pytest.fixture(scope="module")
def evidence_shop(tmp_path_factory):
    with DemoShop(tmp_path_factory.mktemp("evidence"), Layout(prefix="127.0.26"), hardened=True) as running:
        yield running


def _without(shop, folder, section: str):
    doc = yaml.safe_load(short_window_profile(shop, folder, window_s=2, samples=3).read_text())
    *parents, key = section.split(".")
    node = doc
    for p in parents:
        node = node[p]
    assert key in node, f"the demo profile has no {section}"
    del node[key]
    if section == "api":
        doc.pop("chat", None)              # the bot is an API endpoint: no api, no chat
    path = folder / "profile.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return load_profile(path)


@pytest.mark.parametrize("section", list(SECTIONS))
async def test_no_check_passes_for_lack_of_input(evidence_shop, tmp_path, section):
    profile = _without(evidence_shop, tmp_path, section)
    first = len(evidence_shop.state.request_log)
    findings = await run_checks(profile, catalog.automated(), timeout_s=120)
    asked = requests_per_check(evidence_shop.state.request_log[first:])
    passed = [f for f in findings if f.status is Status.PASS]
    assert passed, "the hardened shop earns passes"
    for f in passed:
        tried = f.details.get("tried") or {}
        assert sum(tried.values()) > 0, (f.check_id, f.target, f.evidence)
        if "http answers" in tried:        # the shop saw what the check says it asked
            assert asked[f.check_id] > 0, (f.check_id, f.target, tried)
    wrongly = sorted({f.check_id for f in passed} & SECTIONS[section])
    assert not wrongly, [(f.check_id, f.evidence[:100]) for f in passed if f.check_id in wrongly]


def test_a_pass_that_rests_on_nothing_becomes_a_skip_that_says_what_to_declare():
    check = Check("S5.injection_via_content", Mode.ACTIVE, Impact.DATA_EXPOSURE, Severity.HIGH, "t")

    def made(status: Status, details: dict | None = None) -> Finding:
        return Finding(check.id, 5, "t", status, Severity.INFO, Impact.DATA_EXPOSURE, "probes", "14 probes, none "
                       "succeeded", details=details or {})

    out = require_observation([made(Status.PASS), made(Status.FAIL)], {}, "declare chat.endpoint")
    assert [f.status for f in out] == [Status.SKIP, Status.FAIL]
    assert "nothing was observed" in out[0].evidence and "declare chat.endpoint" in out[0].evidence
    # its own count narrows the check's: 3 HTTP answers for other targets do not carry this one
    out = require_observation([made(Status.PASS, {"tried": {"probes answered": 0}})], {"http answers": 3})
    assert out[0].status is Status.SKIP
    out = require_observation([made(Status.PASS)], {"http answers": 3})
    assert out[0].status is Status.PASS and out[0].details["tried"] == {"http answers": 3}


async def test_the_runner_applies_the_rule_to_any_check(demo_profile):
    async def lazy(ctx):                   # a check that claims a pass and looks at nothing
        yield ctx.finding(Status.PASS, "x", "all good")

    check = Check("S7.runbooks", Mode.OFFLINE, Impact.DOWNTIME, Severity.MEDIUM, "t", run=lazy,
                  needs="fill handover.runbooks")
    [found] = await run_checks(demo_profile, [check])
    assert found.status is Status.SKIP and "fill handover.runbooks" in found.evidence
