"""The concrete rotation steps per provider (rotation.yaml), for the handover's rotate-keys runbook."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

ROTATION_FILE = Path(__file__).with_name("rotation.yaml")


@lru_cache(maxsize=1)
def _steps() -> dict[str, list[str]]:
    doc = yaml.safe_load(ROTATION_FILE.read_text(encoding="utf-8"))
    return {str(k): [str(s) for s in v] for k, v in doc["providers"].items()}


def rotation_steps(provider: str) -> list[str]:
    steps = _steps()
    return steps.get(provider) or steps["default"]
