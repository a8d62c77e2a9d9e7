"""S2.dmarc: RFC 7489 parsing and verdicts as a table; the check against both demo shops and an external rua."""

from __future__ import annotations

import pytest

from launch_audit.checks import catalog
from launch_audit.checks.dmarc import judge_dmarc
from launch_audit.mailauth.dmarc import parse_dmarc, report_domains
from launch_audit.checks.runner import run_checks
from launch_audit.demo.layout import DOMAIN
from launch_audit.findings import Status

GOOD = "v=DMARC1; p=reject; pct=100; rua=mailto:dmarc@shop.test; adkim=s; aspf=s"


@pytest.mark.parametrize("records, authorized, expected, says", [
    ([GOOD], None, Status.PASS, "p=reject, pct=100, rua=mailto:dmarc@shop.test"),
    (["v=DMARC1; p=quarantine; rua=mailto:d@shop.test"], None, Status.PASS, "p=quarantine"),
    (["v=DMARC1; p=none"], None, Status.WARN, "p=none only monitors"),
    (["v=DMARC1; p=none"], None, Status.WARN, "no rua"),
    (["v=DMARC1; p=reject; pct=25; rua=mailto:d@shop.test"], None, Status.WARN, "pct=25"),
    (["v=DMARC1; p=reject; rua=mailto:d@reports.test"], {"reports.test": False}, Status.WARN, "has not authorised"),
    (["v=DMARC1; p=reject; rua=mailto:d@reports.test"], {"reports.test": True}, Status.PASS, "p=reject"),
    ([], None, Status.FAIL, "no DMARC record"),
    ([GOOD, "v=DMARC1; p=none"], None, Status.FAIL, "2 DMARC records"),
    (["v=DMARC1; p=block"], None, Status.FAIL, "not none, quarantine or reject"),
    (["v=DMARC1; rua=mailto:d@shop.test"], None, Status.FAIL, "no p= tag"),
    (["v=DMARC1; p=reject; pct=150"], None, Status.FAIL, "pct='150'"),
    (["v=DMARC1; p=reject; adkim=x"], None, Status.FAIL, "adkim"),
    (["v=DMARC1; p=reject; sp=maybe"], None, Status.FAIL, "sp="),
    (["v=DMARC1; p=reject; rua=dmarc@shop.test"], None, Status.FAIL, "not a mailto:"),
    (["p=reject; v=DMARC1"], None, Status.FAIL, "must start with v=DMARC1"),
    (["v=DMARC1; p=reject; p=none"], None, Status.FAIL, "given twice"),
    (["v=DMARC1;p=REJECT;rua=mailto:a@shop.test,mailto:b@shop.test!10m"], None, Status.PASS, "p=reject"),
])
def test_judge_dmarc(records, authorized, expected, says):
    status, text = judge_dmarc(records, authorized)
    assert status is expected and says in text


def test_report_domains():
    tags, problems = parse_dmarc("v=DMARC1; p=none; rua=mailto:a@x.test,mailto:b@Reports.Test!10m; ruf=mailto:c@x.test")
    assert problems == [] and report_domains(tags) == ["x.test", "reports.test"]


async def test_demo_monitors_only_and_the_hardened_twin_rejects(demo_profile, hardened_profile):
    weak = (await run_checks(demo_profile, [catalog.get("S2.dmarc")]))[0]
    assert weak.status is Status.WARN and "p=none" in weak.evidence and "no rua" in weak.evidence
    strong = (await run_checks(hardened_profile, [catalog.get("S2.dmarc")]))[0]
    assert strong.status is Status.PASS and strong.target == f"_dmarc.{DOMAIN}"


async def test_external_report_destination_without_authorization(shop, demo_profile):
    # Given a DMARC record whose reports go to another domain that never agreed to take them
    name = f"_dmarc.{DOMAIN}"
    old = [r for r in shop.dns.resolver.records if str(r.rname) == name + "."]
    shop.dns.resolver.remove(name)
    shop.dns.resolver.add(f'{name}. IN TXT "v=DMARC1; p=reject; rua=mailto:agg@reports.test"')
    try:
        found = (await run_checks(demo_profile, [catalog.get("S2.dmarc")]))[0]
    finally:
        shop.dns.resolver.remove(name)
        shop.dns.resolver.records += old
    assert found.status is Status.WARN and "reports.test has not authorised" in found.evidence
    assert found.details["external_reports"] == {"reports.test": False}
