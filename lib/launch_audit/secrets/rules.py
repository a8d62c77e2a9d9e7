"""Loading and validating rules.yaml: every rule compiles in RE2, ids are unique, pairs name real rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import re2
import yaml

RULES_FILE = Path(__file__).with_name("rules.yaml")
KINDS = ("live", "test", "publishable", "generic")   # generic: a random-looking value under a secret's name
DEFAULT_WINDOW = 512


class RuleError(ValueError):
    """rules.yaml (or a custom rules file) is invalid: says which rule and why."""


class LazyRegex:
    """An RE2 pattern compiled on first use: most rules never see their keyword in a given run, and
    compiling the shipped 260-odd up front would cost more than scanning a working tree."""

    __slots__ = ("pattern", "_compiled")

    def __init__(self, pattern: bytes | str) -> None:
        self.pattern = pattern
        self._compiled = None

    def __getattr__(self, name: str):
        if self._compiled is None:
            self._compiled = re2.compile(self.pattern)
        return getattr(self._compiled, name)


def safe_load(text: str):
    """YAML through libyaml when it is there (several times faster than the pure-Python loader)."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@dataclass(frozen=True)
class Rule:
    id: str
    provider: str
    kind: str
    pattern: str
    keywords: tuple[str, ...] = ()
    entropy: float | None = None
    validate: str | None = None
    near: str | None = None
    within: int = 400
    window: int = DEFAULT_WINDOW
    order: int = 0
    regex: object = field(default=None, compare=False, repr=False)     # compiled RE2 over bytes (None: path only)
    secret_group: int = 0       # which group is the secret; 0: the first non-empty one, else the whole match
    allow: tuple = ()           # Allowlist entries: what this rule must not report
    path: object = field(default=None, compare=False, repr=False)      # RE2 the file's path must match
    origin: str = "launch-audit"    # launch-audit (rules.yaml), gitleaks (shipped provider rules), config


def parse_rules(data: dict) -> list[Rule]:
    if not isinstance(data, dict) or data.get("version") != 1 or not isinstance(data.get("rules"), list):
        raise RuleError("rules file: needs 'version: 1' and a 'rules:' list")
    rules: list[Rule] = []
    seen: set[str] = set()
    for i, entry in enumerate(data["rules"]):
        where = f"rule {entry.get('id', f'#{i + 1}') if isinstance(entry, dict) else f'#{i + 1}'}"
        if not isinstance(entry, dict):
            raise RuleError(f"{where}: not a mapping")
        unknown = set(entry) - {"id", "provider", "kind", "regex", "keywords", "entropy", "validate", "near",
                                "within", "window"}
        if unknown:
            raise RuleError(f"{where}: unknown keys {sorted(unknown)}")
        for key in ("id", "provider", "kind", "regex"):
            if not isinstance(entry.get(key), str) or not entry[key]:
                raise RuleError(f"{where}: '{key}' is required")
        if entry["id"] in seen:
            raise RuleError(f"{where}: duplicate id")
        if entry["kind"] not in KINDS:
            raise RuleError(f"{where}: kind must be one of {', '.join(KINDS)}")
        if entry.get("validate") not in (None, "jwt"):
            raise RuleError(f"{where}: unknown validate {entry['validate']!r}")
        try:
            regex = re2.compile(entry["regex"].encode())
        except re2.error as e:
            raise RuleError(f"{where}: regex does not compile in RE2: {e}") from None
        if regex.groups > 1:
            raise RuleError(f"{where}: at most one capture group (the secret); use (?:...) elsewhere")
        seen.add(entry["id"])
        rules.append(Rule(id=entry["id"], provider=entry["provider"], kind=entry["kind"], pattern=entry["regex"],
                          keywords=tuple(str(k) for k in entry.get("keywords") or ()), entropy=entry.get("entropy"),
                          validate=entry.get("validate"), near=entry.get("near"), within=int(entry.get("within", 400)),
                          window=int(entry.get("window", DEFAULT_WINDOW)), order=i, regex=regex))
    for r in rules:
        if r.near and r.near not in seen:
            raise RuleError(f"rule {r.id}: near names no rule ({r.near})")
    return rules


@lru_cache(maxsize=4)
def load_rules(path: str | None = None) -> tuple[Rule, ...]:
    """The shipped rules (or a custom file with the same format)."""
    with open(path or RULES_FILE, encoding="utf-8") as f:
        return tuple(parse_rules(safe_load(f.read())))
