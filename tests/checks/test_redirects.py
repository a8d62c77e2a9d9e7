"""S2.www_canonical and S2.redirect_chain: judges on chains as tables; the checks on both demo shops and a loop."""

from __future__ import annotations

import pytest
from launch_audit.checks import catalog
from launch_audit.checks.redirects import PROBE, judge_canonical, judge_chain
from launch_audit.checks.runner import run_checks
from launch_audit.demo.layout import DOMAIN
from launch_audit.findings import Status
from launch_audit.net.http import Hop, RedirectChain
from launch_audit.profile_loader import load_profile

from tests.conftest import TEST_LAYOUT
from tests.helpers import RawServer, http_reply, profile_text, write_profile

CANON = "https://www.shop.test"


def chain(start: str, *hops: tuple[int, str | None], stop: str | None = None, stop_url: str | None = None):
    c = RedirectChain(start=start, stop=stop, stop_url=stop_url)
    url = start
    for status, location in hops:
        c.hops.append(Hop(url, status, location))
        if location:
            url = location if "://" in location else "https://www.shop.test" + location
    return c


APEX = f"https://shop.test{PROBE}"


@pytest.mark.parametrize("c, expected, says", [
    (chain(APEX, (301, f"{CANON}{PROBE}"), (200, None)), Status.PASS, ""),
    (chain(APEX, (308, f"{CANON}{PROBE}"), (200, None)), Status.PASS, ""),
    (chain(APEX, (302, f"{CANON}{PROBE}"), (200, None)), Status.WARN, "temporary 302"),
    (chain(APEX, (301, f"{CANON}/"), (200, None)), Status.FAIL, "drops the path and query"),
    (chain(APEX, (301, f"{CANON}/launch-audit/deep-link"), (200, None)), Status.FAIL, "drops the query"),
    (chain(APEX, (200, None)), Status.FAIL, "the same site on two hosts"),
    (chain(APEX, (301, f"http://www.shop.test{PROBE}"), (301, f"{CANON}{PROBE}"), (200, None)), Status.FAIL,
     "not to https://www.shop.test"),
    (chain(APEX, (301, f"https://shop.test/x{PROBE}")), Status.FAIL, "first hop goes to https://shop.test"),
    (chain(APEX, stop="out_of_scope"), Status.ERROR, "no answer"),
])
def test_judge_canonical(c, expected, says):
    status, text = judge_canonical(c, CANON)
    assert status is expected and says in text


@pytest.mark.parametrize("c, expected, says", [
    (chain(f"{CANON}/login", (200, None)), Status.PASS, "0 redirects"),
    (chain("https://shop.test/checkout", (301, f"{CANON}/checkout"), (200, None)), Status.PASS, "1 redirect:"),
    (chain("http://shop.test/checkout", (301, "https://shop.test/checkout"), (301, f"{CANON}/checkout"), (200, None)),
     Status.PASS, "2 redirects"),
    (chain("http://a/x", (301, "/1"), (301, "/2"), (301, "/x"), (200, None)), Status.FAIL, "3 redirects"),
    (chain("https://shop.test/checkout", (301, f"{CANON}/"), (200, None)), Status.FAIL, "lands on the home page"),
    (chain(f"{CANON}/reset", (404, None)), Status.FAIL, "ends in 404"),
    (chain(f"{CANON}/a", (302, "/b"), (302, "/a"), stop="loop", stop_url=f"{CANON}/a"), Status.FAIL, "redirect loop"),
    (chain(f"{CANON}/a", (302, "https://evil.test/"), stop="out_of_scope", stop_url="https://evil.test/"),
     Status.FAIL, "leaves the audited hosts"),
    (chain(f"{CANON}/a", (302, "javascript:alert(1)"), stop="unsupported_scheme", stop_url="javascript:alert(1)"),
     Status.FAIL, "non-web URL"),
    (chain(f"{CANON}/a", stop="too_many_hops"), Status.ERROR, ""),
])
def test_judge_chain(c, expected, says):
    status, text = judge_chain(c)
    assert status is expected and says in text


CHECKS = [catalog.get("S2.www_canonical"), catalog.get("S2.redirect_chain")]


async def test_on_the_demo_deep_links_are_lost(demo_profile):
    findings = await run_checks(demo_profile, CHECKS)
    canonical = next(f for f in findings if f.check_id == "S2.www_canonical")
    assert canonical.status is Status.FAIL and "drops the path and query" in canonical.evidence
    chains = {f.target: f for f in findings if f.check_id == "S2.redirect_chain"}
    assert chains[f"https://{DOMAIN}/checkout"].status is Status.FAIL
    assert "lands on the home page" in chains[f"https://{DOMAIN}/checkout"].evidence
    assert chains[f"https://www.{DOMAIN}/login"].status is Status.PASS


async def test_on_the_hardened_twin_deep_links_survive(hardened_profile):
    findings = await run_checks(hardened_profile, CHECKS)
    assert {f.status for f in findings} == {Status.PASS}, [(f.target, f.evidence) for f in findings]


async def test_a_looping_critical_url_fails_with_the_chain(tmp_path, shop):
    # Given a checkout link on a host that redirects to itself forever
    loop_host = f"loop.{DOMAIN}"
    server = RawServer(TEST_LAYOUT.ip(130), http_reply("302 Found", {"Location": "/checkout"})).start()
    shop.dns.resolver.add(f"{loop_host}. IN A {server.address}")
    try:
        text = profile_text(TEST_LAYOUT.nameserver, scope=[loop_host],
                            extra=f"critical_urls: [http://{loop_host}:{server.port}/checkout]")
        profile = load_profile(write_profile(tmp_path, text))
        findings = await run_checks(profile, [catalog.get("S2.redirect_chain")])
    finally:
        shop.dns.resolver.remove(loop_host)     # the shop is shared by the session
        server.stop()
    # Then the check fails, says loop, and stopped after one round
    assert findings[0].status is Status.FAIL and "redirect loop" in findings[0].evidence
    assert server.connections <= 2
