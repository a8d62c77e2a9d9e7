"""The first real checks: pure judges table-tested, then run against the demo shop and its fixed twin."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from launch_audit.checks import catalog
from launch_audit.checks.dns_records import judge_records
from launch_audit.checks.health_endpoint import judge_health
from launch_audit.checks.https_redirect import judge_https_redirect
from launch_audit.checks.runner import run_checks
from launch_audit.checks.tls_certificate import judge_certificate, name_matches
from launch_audit.demo import DOMAIN
from launch_audit.demo.pki import DemoCA
from launch_audit.findings import Status
from launch_audit.net.http import Hop, RedirectChain
from launch_audit.profile_loader import load_profile

NOW = datetime.now(timezone.utc)


@pytest.mark.parametrize("records, expected, status", [
    ({"A": ["192.0.2.1"]}, None, Status.PASS),
    ({"NXDOMAIN": []}, None, Status.FAIL),
    ({}, None, Status.FAIL),
    ({"CNAME": ["gone.herokuapp.com."]}, None, Status.FAIL),
    ({"CNAME": ["shop.myshopify.com."], "A": ["23.227.38.65"]}, ["shop.myshopify.com"], Status.PASS),
    ({"A": ["192.0.2.1"]}, ["192.0.2.9"], Status.FAIL),
    ({"A": ["192.0.2.1", "192.0.2.7"]}, ["192.0.2.1"], Status.WARN),
    ({"A": ["192.0.2.1"]}, ["192.0.2.1", "192.0.2.2"], Status.WARN),
])
def test_judge_records(records, expected, status):
    assert judge_records(records, expected)[0] is status


def _chain(*hops, final_url=None, stop=None, stop_url=None):
    chain = RedirectChain(start=hops[0][0], hops=[Hop(*h) for h in hops], stop=stop, stop_url=stop_url)
    if final_url:
        import httpx
        from launch_audit.net.http import HttpResponse
        chain.final = HttpResponse("GET", final_url, 200, "OK", httpx.Headers(), b"", False, 1.0)
    return chain


@pytest.mark.parametrize("chain, status", [
    (_chain(("http://a/", 301, "https://a/"), ("https://a/", 200, None), final_url="https://a/"), Status.PASS),
    (_chain(("http://a/", 308, "https://a/"), ("https://a/", 200, None), final_url="https://a/"), Status.PASS),
    (_chain(("http://a/", 302, "https://a/"), ("https://a/", 200, None), final_url="https://a/"), Status.FAIL),
    (_chain(("http://a/", 200, None), final_url="http://a/"), Status.FAIL),
    (_chain(("http://a/", 301, "http://www.a/"), ("http://www.a/", 301, "https://www.a/"),
            ("https://www.a/", 200, None), final_url="https://www.a/"), Status.WARN),
    (_chain(("http://a/", 301, "http://b/"), ("http://b/", 301, "http://a/"), stop="loop", stop_url="http://a/"), Status.FAIL),
    (_chain(("http://a/", 301, "https://elsewhere/"), stop="out_of_scope", stop_url="https://elsewhere/"), Status.WARN),
    (_chain(("http://a/", 301, "http://elsewhere/"), stop="out_of_scope", stop_url="http://elsewhere/"), Status.FAIL),
])
def test_judge_https_redirect(chain, status):
    assert judge_https_redirect(chain)[0] is status


@pytest.mark.parametrize("host, pattern, ok", [
    ("www.a.test", "www.a.test", True), ("www.a.test", "*.a.test", True), ("a.test", "*.a.test", False),
    ("x.www.a.test", "*.a.test", False), ("WWW.A.TEST.", "www.a.test", True),
])
def test_name_matches(host, pattern, ok):
    assert name_matches(host, pattern) is ok


@pytest.fixture(scope="module")
def ca():
    return DemoCA()


@pytest.mark.parametrize("names, days, before, verify_error, status, words", [
    (["a.test"], 90, 1, None, Status.PASS, "trusted"),
    (["a.test"], 10, 1, None, Status.WARN, "renew"),
    (["a.test"], -2, 30, None, Status.FAIL, "expired"),
    (["a.test"], 90, -3, None, Status.FAIL, "not valid before"),
    (["b.test"], 90, 1, None, Status.FAIL, "not a.test"),
    (["*.test", "a.test"], 90, 1, "self-signed certificate", Status.FAIL, "not trusted"),
])
def test_judge_certificate(ca, names, days, before, verify_error, status, words):
    cert = ca.issue(names, days_valid=days, days_before=before).cert
    got, evidence = judge_certificate(cert, "a.test", NOW, verify_error)
    assert got is status and words in evidence


@pytest.mark.parametrize("statuses, ms, status", [
    ([200, 200, 200], [10, 20, 30], Status.PASS),
    ([200, 503, 200], [10, 20, 30], Status.FAIL),
    ([200, 200, 200], [900, 800, 700], Status.FAIL),
    ([404, 404, 404], [5, 5, 5], Status.FAIL),
])
def test_judge_health(statuses, ms, status):
    assert judge_health(statuses, ms, 500)[0] is status


FIRST = ["S2.dns_records", "S2.https_redirect", "S2.tls_certificate", "S6.health_endpoint"]


async def _run(profile):
    found = await run_checks(profile, [catalog.get(c) for c in FIRST])
    return {(f.check_id, f.target): f for f in found}


async def test_first_checks_find_the_demo_shops_defects(demo_profile):
    got = await _run(demo_profile)
    status = {k: f.status for k, f in got.items()}
    assert status[("S2.dns_records", DOMAIN)] is Status.PASS
    assert status[("S2.dns_records", f"www.{DOMAIN}")] is Status.WARN          # stale second A record
    assert status[("S2.https_redirect", f"http://www.{DOMAIN}/")] is Status.PASS
    assert status[("S2.https_redirect", f"http://app.{DOMAIN}/")] is Status.FAIL    # 302
    assert status[("S2.https_redirect", f"http://api.{DOMAIN}/")] is Status.FAIL    # no redirect
    assert status[("S2.tls_certificate", f"app.{DOMAIN}:443")] is Status.WARN     # 10 days left
    assert status[("S2.tls_certificate", f"www.{DOMAIN}:443")] is Status.PASS
    assert status[("S6.health_endpoint", f"GET https://api.{DOMAIN}/healthz")] is Status.PASS
    chain = got[("S2.https_redirect", f"http://app.{DOMAIN}/")].details["chain"]
    assert [h["status"] for h in chain["hops"]] == [302, 200]
    assert got[("S2.dns_records", DOMAIN)].details["records"]["MX"] == [f"10 mail.{DOMAIN}."]


async def test_the_hardened_twin_passes_every_first_check(hardened_profile):
    got = await _run(hardened_profile)
    assert got and all(f.status is Status.PASS for f in got.values()), {k: f.evidence for k, f in got.items()
                                                                         if f.status is not Status.PASS}


async def test_missing_names_and_untrusted_certificates_fail(tmp_path, shop):
    # Given a profile that declares a subdomain the DNS does not have, and trusts no demo CA
    text = shop.write_profile().read_text()
    text = text.replace("subdomains: [app, api]", "subdomains: [app, api, status]")
    text = text.replace(f"ca_bundle: {shop.state_dir}/ca.pem", "timeout_s: 3")
    text = text.replace("  timeout_s: 5\n", "")
    text = text.replace("staging.brightbrew.test,", f"staging.brightbrew.test, status.{DOMAIN},")
    (tmp_path / "p.yaml").write_text(text)
    profile = load_profile(tmp_path / "p.yaml")
    got = await _run(profile)
    assert got[("S2.dns_records", f"status.{DOMAIN}")].status is Status.FAIL
    assert "NXDOMAIN" in got[("S2.dns_records", f"status.{DOMAIN}")].evidence
    tls = got[("S2.tls_certificate", f"www.{DOMAIN}:443")]
    assert tls.status is Status.FAIL and "not trusted" in tls.evidence
    # a host that cannot be resolved is the target's problem, reported as error with the reason
    err = got[("S2.tls_certificate", f"status.{DOMAIN}:443")]
    assert err.status is Status.ERROR and "NXDOMAIN" in err.evidence
