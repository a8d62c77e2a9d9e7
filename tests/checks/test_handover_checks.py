"""Stage 7's checks over a real run folder: stage 2 run for real into it, then the handover judged from the
profile and that hand-off. The demo's handover has gaps; the hardened twin's is complete."""

from __future__ import annotations

import pytest
from launch_audit.checks import catalog
from launch_audit.checks.run_data import RunData
from launch_audit.checks.runner import run_checks
from launch_audit.findings import Status
from launch_audit.workbook.stage_session import Stage

S7 = [c.id for c in catalog.for_stage(7)]


def _with_run_dir(folder) -> dict:
    shared: dict = {}
    RunData(shared).run_dir = str(folder)
    return shared


@pytest.fixture(scope="module")
def stage2_runs(tmp_path_factory, demo_profile, hardened_profile):
    """A run folder per shop holding a real stage 2 hand-off (and stage 1's inventory)."""
    folders = {}
    for name, profile in (("demo", demo_profile), ("hardened", hardened_profile)):
        run_dir = tmp_path_factory.mktemp(f"run-{name}")
        for stage in (1, 2):
            s = Stage(stage, profile, run_dir)
            s.run(["S1.subdomain_inventory"] if stage == 1 else ["S2.dns_records", "S2.spf", "S2.dkim", "S2.dmarc"])
            s.finish()
        folders[name] = run_dir
    return folders


async def test_demo_handover_gaps(demo_profile, stage2_runs):
    found = {f.check_id: f for f in await run_checks(demo_profile, [catalog.get(i) for i in S7],
                                                     shared=_with_run_dir(stage2_runs["demo"]))}
    assert found["S7.dns_map"].status is Status.PASS and "live names" in found["S7.dns_map"].evidence
    env = found["S7.env_inventory"]
    assert env.status is Status.FAIL and "OPENAI_API_KEY (purpose)" in env.evidence and "SENDGRID_API_KEY" in env.evidence
    assert found["S7.runbooks"].status is Status.FAIL and "rotate keys" in found["S7.runbooks"].evidence
    assert found["S7.alert_contacts"].status is Status.FAIL


async def test_hardened_handover_is_complete(hardened_profile, stage2_runs):
    found = await run_checks(hardened_profile, [catalog.get(i) for i in S7],
                             shared=_with_run_dir(stage2_runs["hardened"]))
    assert [(f.check_id, f.status) for f in found] == [(i, Status.PASS) for i in S7]


async def test_without_stage_2_the_map_is_missing(demo_profile, tmp_path):
    [f] = await run_checks(demo_profile, [catalog.get("S7.dns_map")], shared=_with_run_dir(tmp_path))
    assert f.status is Status.FAIL and "no stage 2 results" in f.evidence


from launch_audit.checks.handover_checks import (judge_alert_contacts, judge_dns_map, judge_env_inventory,  # noqa: E402
                                                 judge_runbooks)


@pytest.mark.parametrize("dns_map, subdomains, mail, verdict, says", [
    (None, 0, [], Status.FAIL, "no stage 2 results in this run"),
    ({}, 0, [], Status.FAIL, "recorded no DNS records"),
    ({"shop.test": {"A": ["127.0.0.1"], "MX": ["mail"]}}, 2, ["spf", "dmarc"], Status.PASS,
     "1 hosts, 2 records; 2 live names under the domain; mail setup (SPF, DMARC)"),
])
def test_judge_dns_map(dns_map, subdomains, mail, verdict, says):
    status, evidence, _ = judge_dns_map(dns_map, subdomains, mail)
    assert status is verdict and says in evidence, evidence


@pytest.mark.parametrize("listed, prod, verdict, says", [
    ([], [], Status.FAIL, "no production env var"),
    ([("STRIPE_KEY", "Ana", "payments")], [], Status.PASS, "1 production env vars"),
    ([("STRIPE_KEY", "", "payments")], [], Status.FAIL, "STRIPE_KEY (owner)"),
    ([("STRIPE_KEY", "Ana", "payments")], ["STRIPE_KEY", "DB_URL"], Status.FAIL, "not in the inventory: DB_URL"),
    ([], ["DB_URL"], Status.FAIL, "not in the inventory: DB_URL"),
])
def test_judge_env_inventory(listed, prod, verdict, says):
    status, evidence, _ = judge_env_inventory(listed, prod)
    assert status is verdict and says in evidence, evidence


@pytest.mark.parametrize("named, in_repo, verdict, says", [
    ({"rotate keys": "docs/rotate.md", "roll back": None}, {}, Status.FAIL, "no runbook to roll back"),
    ({"rotate keys": "docs/rotate.md"}, {"rotate keys": False}, Status.WARN, "rotate keys (docs/rotate.md)"),
    ({"rotate keys": "https://wiki/rotate"}, {"rotate keys": None}, Status.PASS, "runbooks"),
    ({"rotate keys": "docs/rotate.md"}, {"rotate keys": True}, Status.PASS, "runbooks"),
])
def test_judge_runbooks(named, in_repo, verdict, says):
    status, evidence, _ = judge_runbooks(named, in_repo)
    assert status is verdict and says in evidence, evidence


@pytest.mark.parametrize("contacts, verdict, says", [
    ([], Status.FAIL, "nobody is named"),
    ([("Ana", "open the status page"), ("Ben", "  ")], Status.FAIL, "no first action written for Ben"),
    ([("Ana", "open the status page")], Status.PASS, "1 alert contact(s)"),
])
def test_judge_alert_contacts(contacts, verdict, says):
    status, evidence, _ = judge_alert_contacts(contacts)
    assert status is verdict and says in evidence, evidence
