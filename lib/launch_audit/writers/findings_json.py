"""findings.json (spec/outputs.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..atomic import write_json_atomic
from .. import __version__
from ..findings import Finding
from ..redact import Redactor

SCHEMA_VERSION = 1


def findings_document(client: str, run_id: str, findings: list[Finding], redactor: Redactor) -> dict[str, Any]:
    return {
        "client": client,
        "run_id": run_id,
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "launch-audit", "version": __version__},
        "findings": [redactor.value(f.to_dict()) for f in findings],
    }


def write_findings_json(path: Path, client: str, run_id: str, findings: list[Finding], redactor: Redactor) -> Path:
    doc = findings_document(client, run_id, findings, redactor)
    return write_json_atomic(path, doc)      # never a half-written findings.json


def load_findings(path: Path) -> tuple[dict[str, Any], list[Finding]]:
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    return doc, [Finding.from_dict(d) for d in doc.get("findings", [])]
