"""How a stage notebook hands its findings to the run: one JSON file per stage.

The notebook writes ``stages/NN.json`` after every finished check (atomically),
so the run driver can show progress and nothing already found is lost if the
notebook breaks later. The driver reads these files, never the cell outputs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..atomic import write_json_atomic
from ..findings import Finding

STAGES_DIR = "stages"
SELECTION_FILE = "selection.json"       # `launch-audit run --only`: the checks this run runs


def stage_file(run_dir: Path | str, stage: int) -> Path:
    return Path(run_dir) / STAGES_DIR / f"{stage:02d}.json"


@dataclass
class StageHandoff:
    stage: int
    client: str
    state: str = "running"            # running | complete
    checks: list[str] = field(default_factory=list)      # automated checks the stage runs
    done: list[str] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)   # redacted Finding.to_dict()
    data: dict[str, Any] = field(default_factory=dict)             # DNS map, latency samples…
    traffic: dict[str, Any] = field(default_factory=dict)
    started: str = ""
    finished: str = ""

    def finding_objects(self) -> list[Finding]:
        return [Finding.from_dict(d) for d in self.findings]


def write_handoff(run_dir: Path | str, handoff: StageHandoff) -> Path:
    path = stage_file(run_dir, handoff.stage)
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_json_atomic(path, handoff.__dict__, indent=None, default=str)


def write_selection(run_dir: Path | str, check_ids: list[str]) -> Path:
    return write_json_atomic(Path(run_dir) / SELECTION_FILE, {"only": check_ids}, indent=None)


def read_selection(run_dir: Path | str | None) -> list[str] | None:
    """The run's ``--only`` check ids (None: every check of the stage). Read by each stage notebook, so a
    workspace's notebooks need no parameter for it."""
    if not run_dir:
        return None
    try:
        return list(json.loads((Path(run_dir) / SELECTION_FILE).read_text(encoding="utf-8"))["only"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def read_handoff(run_dir: Path | str, stage: int) -> StageHandoff | None:
    path = stage_file(run_dir, stage)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    known = set(StageHandoff.__dataclass_fields__)
    return StageHandoff(**{k: v for k, v in raw.items() if k in known})
