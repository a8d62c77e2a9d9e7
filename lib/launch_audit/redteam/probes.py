"""The stage 5 probe set: one YAML file per category (probes/*.yaml), loaded and validated here."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

PROBES_DIR = Path(__file__).with_name("probes")
DETECTORS = ("prompt_leak", "b_markers", "forbidden_tool", "injection_marker", "active_content", "escalation", "cost")
CATEGORIES = {"system_prompt_leak": "S5.system_prompt_leak", "cross_customer_leak": "S5.cross_customer_leak",
              "unauthorized_tools": "S5.unauthorized_tools", "injection_via_content": "S5.injection_via_content",
              "output_handling": "S5.output_handling", "cost_abuse": "S5.cost_abuse",
              "human_escalation": "S5.human_escalation"}


class ProbeError(ValueError):
    pass


@dataclass(frozen=True)
class Probe:
    id: str
    category: str
    check: str
    technique: str
    turns: tuple[str, ...]
    detectors: tuple[str, ...]
    quick: bool = False             # part of S1.prompt_leak_quick
    plant: str | None = None        # text planted in a content sink (injection probes)
    plant2: str | None = None
    size: int | None = None         # an oversized message of this many characters (cost probes)
    filler: str = "coffee "
    remediation: str = field(default="", compare=False)


def _parse(doc: dict, source: str) -> list[Probe]:
    if not isinstance(doc, dict) or doc.get("version") != 1 or doc.get("category") not in CATEGORIES:
        raise ProbeError(f"{source}: needs version: 1 and a known category")
    if doc.get("check") != CATEGORIES[doc["category"]]:
        raise ProbeError(f"{source}: check must be {CATEGORIES[doc['category']]}")
    probes = []
    for i, p in enumerate(doc.get("probes") or []):
        where = f"{source}: probe {p.get('id', i + 1) if isinstance(p, dict) else i + 1}"
        if not isinstance(p, dict) or not isinstance(p.get("id"), str) or not isinstance(p.get("technique"), str):
            raise ProbeError(f"{where}: needs an id and a technique")
        unknown = set(p) - {"id", "technique", "turns", "detectors", "quick", "plant", "plant2", "size", "filler"}
        if unknown:
            raise ProbeError(f"{where}: unknown keys {sorted(unknown)}")
        turns = tuple(p.get("turns") or ())
        detectors = tuple(p.get("detectors") or ())
        if not detectors or any(d not in DETECTORS for d in detectors):
            raise ProbeError(f"{where}: detectors must be some of {', '.join(DETECTORS)}")
        if not turns and not p.get("plant") and not p.get("size"):
            raise ProbeError(f"{where}: needs turns, a plant or a size")
        if any(not isinstance(t, str) or not t.strip() for t in turns) or len(turns) > 10:
            raise ProbeError(f"{where}: turns must be 1-10 non-empty strings")
        probes.append(Probe(p["id"], doc["category"], doc["check"], p["technique"], turns, detectors,
                            bool(p.get("quick")), p.get("plant"), p.get("plant2"), p.get("size"),
                            p.get("filler", "coffee "), str(doc.get("remediation", ""))))
    return probes


@lru_cache(maxsize=1)
def load_probes(folder: str | None = None) -> tuple[Probe, ...]:
    out: list[Probe] = []
    for path in sorted(Path(folder or PROBES_DIR).glob("*.yaml")):
        out += _parse(yaml.safe_load(path.read_text(encoding="utf-8")), path.name)
    ids = [p.id for p in out]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ProbeError(f"duplicate probe ids: {', '.join(dupes)}")
    return tuple(out)


def for_check(check_id: str) -> list[Probe]:
    if check_id == "S1.prompt_leak_quick":
        return [p for p in load_probes() if p.quick]
    return [p for p in load_probes() if p.check == check_id]


def coverage() -> dict[str, Counter]:
    """category -> Counter of techniques."""
    table: dict[str, Counter] = {}
    for p in load_probes():
        table.setdefault(p.category, Counter())[p.technique] += 1
    return table


def coverage_text() -> str:
    lines = [f"{'category':24} {'technique':40} probes"]
    total = 0
    for category, techniques in coverage().items():
        for technique, n in sorted(techniques.items()):
            lines.append(f"{category:24} {technique:40} {n:6}")
            total += n
    lines.append(f"{len(coverage())} categories, {sum(len(t) for t in coverage().values())} techniques, {total} probes")
    return "\n".join(lines)
