"""S2.cloudflare: the published ranges, header fingerprints and the verdict as tables; both demo shops."""

from __future__ import annotations

import pytest
from launch_audit.checks import catalog
from launch_audit.checks.cloudflare import cdn_from_headers, in_cloudflare, judge_cdn
from launch_audit.checks.runner import run_checks
from launch_audit.findings import Status


@pytest.mark.parametrize("address, expected", [
    ("104.16.132.229", True), ("172.67.1.1", True), ("188.114.97.3", True), ("131.0.72.5", True),
    ("2606:4700::6810:84e5", True), ("2a06:98c1::1", True),
    ("104.32.0.1", False), ("8.8.8.8", False), ("127.0.10.1", False), ("2001:db8::1", False), ("not-an-ip", False),
])
def test_in_cloudflare(address, expected):
    assert in_cloudflare(address) is expected


@pytest.mark.parametrize("headers, expected", [
    ({"CF-Ray": "8e6f-AMS"}, "Cloudflare"), ({"Server": "cloudflare"}, "Cloudflare"),
    ({"X-Amz-Cf-Id": "x"}, "Amazon CloudFront"), ({"X-Served-By": "cache-ams"}, "Fastly"),
    ({"x-vercel-id": "fra1::x"}, "Vercel"), ({"Server": "nginx/1.18.0"}, None), ({}, None),
])
def test_cdn_from_headers(headers, expected):
    assert cdn_from_headers(headers) == expected


@pytest.mark.parametrize("addresses, cdn, ns_cf, expected, says", [
    (["104.16.1.1"], None, True, Status.PASS, "proxied by Cloudflare"),
    (["203.0.113.5"], "Fastly", False, Status.PASS, "behind Fastly"),
    (["203.0.113.5"], None, True, Status.WARN, "DNS only"),
    (["203.0.113.5"], None, False, Status.WARN, "no CDN or DDoS proxy"),
])
def test_judge_cdn(addresses, cdn, ns_cf, expected, says):
    status, text = judge_cdn(addresses, cdn, ns_cf)
    assert status is expected and says in text


async def test_demo_has_no_proxy_and_the_hardened_twin_is_behind_cloudflare(demo_profile, hardened_profile):
    plain = await run_checks(demo_profile, [catalog.get("S2.cloudflare")])
    assert len(plain) == len(demo_profile.hosts) and {f.status for f in plain} == {Status.WARN}
    assert "no CDN or DDoS proxy" in plain[0].evidence
    hardened = await run_checks(hardened_profile, [catalog.get("S2.cloudflare")])
    assert {f.status for f in hardened} == {Status.PASS} and "behind Cloudflare" in hardened[0].evidence
