"""S2.tls_protocols: the judge as a table; real handshakes per version against both demo shops."""

from __future__ import annotations

import pytest
from launch_audit.checks import catalog
from launch_audit.checks.runner import run_checks
from launch_audit.checks.tls_protocols import judge_protocols
from launch_audit.demo.layout import DOMAIN
from launch_audit.findings import Status

V = ("TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3")


def acc(*flags):
    return dict(zip(V, flags))


@pytest.mark.parametrize("accepted, expected, says", [
    (acc(False, False, True, True), Status.PASS, "accepts TLS 1.2, TLS 1.3; refuses TLS 1.0, TLS 1.1"),
    (acc(False, False, False, True), Status.PASS, "accepts TLS 1.3"),
    (acc(False, False, True, False), Status.PASS, "refuses TLS 1.0, TLS 1.1, TLS 1.3"),
    (acc(True, True, True, True), Status.FAIL, "TLS 1.0 and TLS 1.1 are broken"),
    (acc(False, True, True, True), Status.FAIL, "TLS 1.1 are broken"),
    (acc(False, False, False, False), Status.FAIL, "no modern TLS"),
    (acc(None, None, True, True), Status.WARN, "could not offer TLS 1.0, TLS 1.1"),
    (acc(True, None, True, True), Status.FAIL, "TLS 1.0"),
])
def test_judge_protocols(accepted, expected, says):
    status, text = judge_protocols(accepted)
    assert status is expected and says in text


async def test_the_demo_api_still_takes_tls_1_0_and_1_1(demo_profile):
    findings = await run_checks(demo_profile, [catalog.get("S2.tls_protocols")])
    by = {f.target: f for f in findings}
    api = by[f"api.{DOMAIN}:443"]
    assert api.status is Status.FAIL and api.details["accepted"] == acc(True, True, True, True)
    www = by[f"www.{DOMAIN}:443"]
    assert www.status is Status.PASS and www.details["accepted"] == acc(False, False, True, True)


async def test_the_hardened_twin_takes_only_modern_tls(hardened_profile):
    findings = await run_checks(hardened_profile, [catalog.get("S2.tls_protocols")])
    assert len(findings) == len(hardened_profile.hosts)
    assert {f.status for f in findings} == {Status.PASS}, [(f.target, f.evidence) for f in findings]
