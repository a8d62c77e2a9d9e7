"""findings.csv: the same findings, flat, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
from pathlib import Path

from ..atomic import atomic_open
from ..findings import Finding
from ..redact import Redactor

COLUMNS = ["check_id", "stage", "status", "severity", "impact", "title", "target", "evidence",
           "remediation", "duration_ms", "error_kind"]


def spreadsheet_safe(value: object) -> object:
    """Text from the audited site must not become a formula (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def write_findings_csv(path: Path, findings: list[Finding], redactor: Redactor) -> Path:
    with atomic_open(path, newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for f in findings:
            row = redactor.value(f.to_dict())
            writer.writerow({k: spreadsheet_safe(row.get(k)) for k in COLUMNS})  # type: ignore[union-attr]
    return path
