"""The catalog is the one list of checks, and it matches spec/checks.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from launch_audit.checks.catalog import CATALOG, automated

SPEC = Path(__file__).resolve().parents[2] / "shared" / "spec" / "checks.md"
COPY = Path(__file__).with_name("spec_check_ids.txt")      # the spec's ids, for CI (no shared/ there)
ROW = re.compile(r"^\| (S\d\.[a-z0-9_]+) \| (\w+) \| .* \| (\w+) \|$")


def spec_rows(text: str) -> dict[str, tuple[str, str]]:
    """Pure: id -> (mode, impact) of every check row of checks.md's tables."""
    return {m[1]: (m[2], m[3]) for line in text.splitlines() if (m := ROW.match(line))}


def copied_rows() -> dict[str, tuple[str, str]]:
    rows = [line.split() for line in COPY.read_text().splitlines() if line and not line.startswith("#")]
    return {check_id: (mode, impact) for check_id, mode, impact in rows}


def test_catalog_has_exactly_the_spec_ids_modes_and_impacts():
    spec = copied_rows()
    assert len(spec) == 62
    assert {c: (k.mode.value, k.impact.value) for c, k in CATALOG.items()} == spec


@pytest.mark.skipif(not SPEC.exists(), reason="shared/spec is not beside this checkout (CI reads the copy)")
def test_the_copy_of_the_spec_ids_is_current():
    assert copied_rows() == spec_rows(SPEC.read_text())


def test_the_spec_parser_reads_a_table_row():
    text = "| S9.example_check | passive | what | data_exposure |\n| not a row |"
    assert spec_rows(text) == {"S9.example_check": ("passive", "data_exposure")}


def test_ids_are_well_formed_and_stage_matches():
    for check_id, check in CATALOG.items():
        assert re.fullmatch(r"S[1-7]\.[a-z0-9_]+", check_id)
        assert check.stage == int(check_id[1])
        assert check.title and check.remediation


def test_the_first_checks_are_automated():
    ids = {c.id for c in automated()}
    assert {"S2.dns_records", "S2.https_redirect", "S2.tls_certificate", "S6.health_endpoint"} <= ids
