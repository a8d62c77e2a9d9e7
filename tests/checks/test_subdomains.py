"""S1.subdomain_inventory: the verdict as a table; the inventory of both demo shops and a hostile CNAME loop."""

from __future__ import annotations

import pytest
from launch_audit.checks import catalog
from launch_audit.checks.run_data import RunData
from launch_audit.checks.runner import run_checks
from launch_audit.checks.subdomains import TAKEOVER_PRONE, judge_subdomain
from launch_audit.demo.layout import DOMAIN
from launch_audit.findings import Status


@pytest.mark.parametrize("chain, addresses, dangling, intended, expected, says", [
    (["app.x.test"], ["192.0.2.1"], False, True, Status.PASS, "declared, live"),
    (["staging.x.test"], ["192.0.2.9"], False, False, Status.WARN, "not declared"),
    (["old.x.test", "gone.herokuapp.com"], [], True, False, Status.FAIL, "does not exist (a herokuapp service name)"),
    (["shop.x.test", "a.cdn.test", "b.cdn.test"], [], True, True, Status.FAIL, "a.cdn.test → b.cdn.test"),
    (["docs.x.test", "x.github.io"], ["185.199.108.153"], False, False, Status.WARN, "can be taken over"),
    (["docs.x.test", "x.github.io"], ["185.199.108.153"], False, True, Status.PASS, "declared"),
])
def test_judge_subdomain(chain, addresses, dangling, intended, expected, says):
    status, text = judge_subdomain(chain[0], chain, addresses, dangling, intended)
    assert status is expected and says in text


@pytest.mark.parametrize("name, prone", [
    ("brightbrew-old.herokuapp.test", True), ("acme.github.io", True), ("acme.azurewebsites.net", True),
    ("bucket.s3-website-eu-west-1.amazonaws.com", True), ("shop.myshopify.com", True),
    ("www.acme.com", False), ("notherokuapp.com", False), ("cdn.cloudflare.net", False),
])
def test_takeover_prone_services(name, prone):
    assert bool(TAKEOVER_PRONE.search(name)) is prone


async def test_demo_inventory_finds_staging_and_the_dangling_legacy_record(demo_profile):
    shared: dict = {}
    findings = await run_checks(demo_profile, [catalog.get("S1.subdomain_inventory")], shared=shared)
    by = {f.target: f for f in findings}
    assert by[f"staging.{DOMAIN}"].status is Status.WARN
    legacy = by[f"legacy.{DOMAIN}"]
    assert legacy.status is Status.FAIL and "brightbrew-old.herokuapp.test" in legacy.evidence
    for name in (f"www.{DOMAIN}", f"app.{DOMAIN}", f"api.{DOMAIN}", f"mail.{DOMAIN}"):   # mail: the MX target
        assert by[name].status is Status.PASS, by[name].evidence
    names = {r["name"] for r in RunData(shared).subdomains}
    assert {f"staging.{DOMAIN}", f"legacy.{DOMAIN}"} <= names


async def test_hardened_inventory_has_only_intended_names(hardened_profile):
    findings = await run_checks(hardened_profile, [catalog.get("S1.subdomain_inventory")])
    assert {f.status for f in findings} == {Status.PASS}, [(f.target, f.evidence) for f in findings]
    assert f"staging.{DOMAIN}" not in {f.target for f in findings}


async def test_a_cname_loop_is_an_error_that_says_so(shop, demo_profile):
    shop.dns.resolver.add(f"dev.{DOMAIN}. IN CNAME loop-a.{DOMAIN}.\nloop-a.{DOMAIN}. IN CNAME dev.{DOMAIN}.")
    try:
        findings = await run_checks(demo_profile, [catalog.get("S1.subdomain_inventory")])
    finally:                            # the shop is shared by the session: leave its zone as it was
        shop.dns.resolver.remove(f"dev.{DOMAIN}")
        shop.dns.resolver.remove(f"loop-a.{DOMAIN}")
    dev = next(f for f in findings if f.target == f"dev.{DOMAIN}")
    assert dev.status is Status.ERROR and "CNAME loop" in dev.evidence
    assert shop.dns.resolver.records and f"dev.{DOMAIN}." not in {str(r.rname) for r in shop.dns.resolver.records}
