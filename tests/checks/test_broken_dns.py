"""Every check of stage 2 and S1.subdomain_inventory, with a nameserver that answers SERVFAIL and one that
never answers: each finding is `error` naming the DNS trouble, and it comes within the profile's timeout."""

from __future__ import annotations

import time

import pytest
from launch_audit.checks import catalog
from launch_audit.checks.runner import run_checks
from launch_audit.findings import Status
from launch_audit.profile_loader import load_profile
from tests.conftest import TEST_LAYOUT
from tests.helpers import ServfailDNS, SilentUDP, with_nameserver

DNS_CHECKS = [c for c in catalog.for_stage(2) if c.run is not None] + [catalog.get("S1.subdomain_inventory")]
TIMEOUT_S = 1.0


@pytest.mark.slow
@pytest.mark.parametrize("kind, says", [("servfail", "SERVFAIL"), ("silent", "timed out")])
async def test_broken_nameserver_makes_every_check_error_with_the_reason(kind, says, shop, tmp_path):
    # Given the demo shop's profile, but resolving through a nameserver that is broken in one of two ways
    if kind == "servfail":
        server = ServfailDNS(TEST_LAYOUT.ip(111))
        nameserver = server.address
    else:
        server = SilentUDP(TEST_LAYOUT.ip(112))
        nameserver = f"{TEST_LAYOUT.ip(112)}:{server.port}"
    try:
        profile = load_profile(with_nameserver(shop, tmp_path, nameserver, TIMEOUT_S))
        started = time.monotonic()
        findings = await run_checks(profile, DNS_CHECKS)
        took = time.monotonic() - started
    finally:
        server.close()
    # Then every check answered, every answer is an error that names the DNS trouble, and none is our bug
    assert {f.check_id for f in findings} == {c.id for c in DNS_CHECKS}
    for f in findings:
        assert f.status is Status.ERROR, f"{f.check_id} {f.target}: {f.status} {f.evidence[:200]}"
        assert says in f.evidence, f"{f.check_id}: {f.evidence[:200]}"
        assert f.error_kind.value == "target", f"{f.check_id}: {f.evidence[:200]}"
    # and the whole stage ends in a few timeouts, not a pile of retries
    assert took < 6 * TIMEOUT_S, f"took {took:.1f}s"
