"""A versioned baseline file: secrets the team has looked at and accepted (rotated, or public by design).

Identity is the rule and the secret's fingerprint, as in detect-secrets' file + hash + type, without the
line number, so an accepted secret stays accepted when the file around it changes or it moves.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from ..atomic import write_json_atomic
from .sources import Located

BASELINE_VERSION = 1


class BaselineError(ValueError):
    pass


def load_baseline(path: Path) -> set[tuple[str, str]]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise BaselineError(f"{path}: cannot be read: {e.strerror or e}") from None
    except ValueError as e:
        raise BaselineError(f"{path}: not JSON ({e})") from None
    if not isinstance(doc, dict) or doc.get("version") != BASELINE_VERSION or not isinstance(doc.get("accepted"), list):
        raise BaselineError(f"{path}: not a launch-audit baseline (version {BASELINE_VERSION} with an 'accepted' list)")
    accepted = set()
    for i, entry in enumerate(doc["accepted"]):
        if not isinstance(entry, dict) or not isinstance(entry.get("rule"), str) or not isinstance(entry.get("fingerprint"), str):
            raise BaselineError(f"{path}: accepted[{i}] needs 'rule' and 'fingerprint'")
        accepted.add((entry["rule"], entry["fingerprint"]))
    return accepted


def write_baseline(path: Path, found: list[Located]) -> Path:
    """Accept everything found now (review the file before committing it). Written atomically."""
    entries = {(loc.match.rule_id, loc.match.fingerprint): {
        "rule": loc.match.rule_id, "fingerprint": loc.match.fingerprint, "path": loc.path,
        "preview": loc.match.preview, "note": ""} for loc in found}
    doc = {"version": BASELINE_VERSION, "tool": "launch-audit secrets",
           "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
           "accepted": sorted(entries.values(), key=lambda e: (e["path"], e["rule"]))}
    return write_json_atomic(path, doc)


# rule ids a provider rule has taken over: a baseline entry under one still accepts its secret, by fingerprint
RETIRED = frozenset({"google-api-key", "slack-token"})


def without_accepted(found: list[Located], accepted: set[tuple[str, str]]) -> list[Located]:
    retired = {fp for rule, fp in accepted if rule in RETIRED}
    return [loc for loc in found if (loc.match.rule_id, loc.match.fingerprint) not in accepted
            and loc.match.fingerprint not in retired]
