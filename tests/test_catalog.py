"""The catalog is the one list of checks, and it matches spec/checks.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from launch_audit.checks.catalog import CATALOG, automated

SPEC = Path(__file__).resolve().parents[2] / "shared" / "spec" / "checks.md"
ROW = re.compile(r"^\| (S\d\.[a-z0-9_]+) \| (\w+) \| .* \| (\w+) \|$")


@pytest.mark.skipif(not SPEC.exists(), reason="shared/spec is not beside this checkout")
def test_catalog_matches_the_spec_ids_modes_and_impacts():
    spec = {m[1]: (m[2], m[3]) for line in SPEC.read_text().splitlines() if (m := ROW.match(line))}
    assert len(spec) > 50
    assert set(spec) <= set(CATALOG), f"missing from the catalog: {sorted(set(spec) - set(CATALOG))}"
    for check_id, (mode, impact) in spec.items():
        check = CATALOG[check_id]
        assert (check.mode.value, check.impact.value) == (mode, impact), check_id


def test_ids_are_well_formed_and_stage_matches():
    for check_id, check in CATALOG.items():
        assert re.fullmatch(r"S[1-7]\.[a-z0-9_]+", check_id)
        assert check.stage == int(check_id[1])
        assert check.title and check.remediation


def test_the_first_checks_are_automated():
    ids = {c.id for c in automated()}
    assert {"S2.dns_records", "S2.https_redirect", "S2.tls_certificate", "S6.health_endpoint"} <= ids
