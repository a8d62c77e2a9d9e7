"""Read a run folder back: findings, run.json, latency samples, stage hand-offs. Reports are built from this."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..atomic import atomic_open
from ..findings import Finding
from ..monitoring import Sample
from ..writers.findings_json import load_findings
from .handoff import StageHandoff, read_handoff

LATENCY_COLUMNS = ["series", "started_at", "ms", "status", "error"]


@dataclass
class RunView:
    run_dir: Path
    client: str
    run_id: str
    findings: list[Finding]
    run: dict[str, Any]
    samples: list[Sample] = field(default_factory=list)

    def stage_handoff(self, stage: int) -> StageHandoff | None:
        return read_handoff(self.run_dir, stage)

    @property
    def budget_ms(self) -> float:
        return float(self.run.get("profile_summary", {}).get("p95_budget_ms", 500))


def read_latency_csv(path: Path) -> list[Sample]:
    if not path.is_file():
        return []
    with path.open(newline="", encoding="utf-8") as fh:
        return [Sample.from_row(row) for row in csv.DictReader(fh)]


def write_latency_csv(path: Path, samples: list[Sample]) -> Path:
    with atomic_open(path, newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=LATENCY_COLUMNS)
        writer.writeheader()
        for s in samples:
            writer.writerow(s.as_row())
    return path


def load_run(run_dir: Path | str) -> RunView:
    run_dir = Path(run_dir)
    if not (run_dir / "findings.json").is_file():
        raise FileNotFoundError(f"{run_dir} is not a run folder (no findings.json)")
    doc, findings = load_findings(run_dir / "findings.json")
    run_json = run_dir / "run.json"
    run = json.loads(run_json.read_text(encoding="utf-8")) if run_json.is_file() else {}
    return RunView(run_dir, doc.get("client", "?"), doc.get("run_id", run_dir.name), findings, run,
                   read_latency_csv(run_dir / "latency.csv"))
