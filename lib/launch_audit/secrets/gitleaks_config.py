"""gitleaks' TOML configuration, read into this scanner's rules: a founder's existing `.gitleaks.toml` is
honoured as written (rules, per-rule and global allowlists, `[extend]`), and `.gitleaksignore`
fingerprints are skipped. Both engines use RE2, so regexes carry over unchanged.

The provider rule set that ships with the scanner (default.gitleaks.toml) is gitleaks' default
configuration, read by this same loader; which provider and kind each of its rules reports comes
from providers.yaml."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import re2

from .allowlist import TARGETS, Allowlist
from .rules import LazyRegex, Rule, RuleError, safe_load

PROVIDER_RULES = Path(__file__).with_name("default.gitleaks.toml")   # gitleaks skips *gitleaks.toml too
PROVIDERS_FILE = Path(__file__).with_name("providers.yaml")
CONFIG_NAMES = (".gitleaks.toml", ".github/.gitleaks.toml")
IGNORE_NAME = ".gitleaksignore"
MULTILINE_WINDOW = 16_384            # rules that span lines (key blocks) read this far past their keyword


@dataclass(frozen=True)
class Config:
    rules: tuple[Rule, ...]
    allowlists: tuple[Allowlist, ...] = ()
    use_default: bool = False           # [extend] useDefault: the shipped rules come first
    disabled: frozenset[str] = field(default_factory=frozenset)
    source: str = ""


@lru_cache(maxsize=1)
def _providers() -> dict:
    return safe_load(PROVIDERS_FILE.read_text(encoding="utf-8"))


def provider_and_kind(rule_id: str) -> tuple[str, str]:
    """Who issued a gitleaks rule's secret (named as rotation.yaml names it) and its kind."""
    table = _providers()
    kind = next((k for k, ids in table["kinds"].items() if rule_id in ids), None)
    if kind is None:
        kind = next((k for k, words in table["kind_words"].items() if any(w in rule_id for w in words)), "live")
    head = rule_id.split("-", 1)[0]
    name = table["names"].get(rule_id) or table["names"].get(head) or head.replace("_", " ").title()
    return name, kind


def load_config(path: Path, *, shipped: bool = False) -> Config:
    """A gitleaks TOML file as rules. Raises RuleError naming the file and the rule for anything invalid."""
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise RuleError(f"{path}: cannot be read: {e.strerror or e}") from None
    except tomllib.TOMLDecodeError as e:
        raise RuleError(f"{path}: not TOML ({e})") from None
    return parse_config(doc, str(path), shipped=shipped)


def parse_config(doc: dict, source: str, *, shipped: bool = False) -> Config:
    rules = []
    for i, entry in enumerate(doc.get("rules") or []):
        where = f"{source}: rule {entry.get('id', f'#{i + 1}') if isinstance(entry, dict) else f'#{i + 1}'}"
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            raise RuleError(f"{where}: needs an id")
        rules.append(_rule(entry, where, order=i, shipped=shipped))
    lists = []
    legacy = doc.get("allowlist")
    if isinstance(legacy, dict):
        lists.append(_allowlist(legacy, f"{source}: [allowlist]", shipped))
    for i, entry in enumerate(doc.get("allowlists") or []):
        lists.append(_allowlist(entry, f"{source}: [[allowlists]] #{i + 1}", shipped))
    extend = doc.get("extend") or {}
    return Config(tuple(rules), tuple(lists), use_default=bool(extend.get("useDefault")),
                  disabled=frozenset(extend.get("disabledRules") or ()), source=source)


def _rule(entry: dict, where: str, *, order: int, shipped: bool) -> Rule:
    rule_id = entry["id"]
    pattern = entry.get("regex") or ""
    try:        # the shipped set was checked by its tests: compiled when a rule is first used
        regex = (LazyRegex(pattern.encode()) if shipped else re2.compile(pattern.encode())) if pattern else None
        path = re2.compile(entry["path"]) if entry.get("path") else None
    except re2.error as e:
        raise RuleError(f"{where}: regex does not compile in RE2: {e}") from None
    allow_only = regex is None and path is None
    if allow_only and not (entry.get("allowlists") or entry.get("allowlist")):
        raise RuleError(f"{where}: needs a regex, a path, or allowlists for the rule of that id")
    group = int(entry.get("secretGroup") or 0)
    if regex is not None and group and group > regex.groups:
        raise RuleError(f"{where}: secretGroup {group} but the regex has {regex.groups} group(s)")
    allow = [_allowlist(a, f"{where}: allowlist #{n + 1}", shipped) for n, a in enumerate(entry.get("allowlists") or [])]
    if isinstance(entry.get("allowlist"), dict):                  # the older, singular form
        allow.append(_allowlist(entry["allowlist"], f"{where}: allowlist", shipped))
    provider, kind = provider_and_kind(rule_id)
    multiline = "[\\s\\S]" in pattern or "(?s" in pattern
    return Rule(id=rule_id, provider=provider, kind=kind, pattern=pattern, regex=regex, order=order,
                keywords=tuple(str(k).lower() for k in entry.get("keywords") or ()),
                entropy=float(entry["entropy"]) if entry.get("entropy") else None, secret_group=group,
                allow=tuple(allow), path=path, window=MULTILINE_WINDOW if multiline else Rule.window,
                origin="gitleaks" if shipped else "config")


def _allowlist(entry: dict, where: str, shipped: bool = False) -> Allowlist:
    if not isinstance(entry, dict):
        raise RuleError(f"{where}: not a table")
    target = entry.get("regexTarget") or "secret"
    if target not in TARGETS:
        raise RuleError(f"{where}: regexTarget must be one of {', '.join(TARGETS)}")
    condition = str(entry.get("condition") or "OR").lower()
    if condition not in ("or", "and"):
        raise RuleError(f"{where}: condition must be OR or AND")
    try:
        return Allowlist(regexes=tuple(entry.get("regexes") or ()), target=target,
                         stopwords=tuple(str(w).lower() for w in entry.get("stopwords") or ()),
                         paths=tuple(entry.get("paths") or ()),
                         commits=tuple(str(c).strip().lower() for c in entry.get("commits") or ()),
                         condition=condition, rules=tuple(entry.get("targetRules") or ()), lazy=shipped)
    except re2.error as e:
        raise RuleError(f"{where}: a regex does not compile in RE2: {e}") from None


@lru_cache(maxsize=1)
def shipped_config() -> Config:
    return load_config(PROVIDER_RULES, shipped=True)


def repo_config(root: Path) -> Path | None:
    """The repository's own gitleaks configuration, where gitleaks looks for it."""
    return next((root / n for n in CONFIG_NAMES if (root / n).is_file()), None)


def load_ignore(root: Path) -> set[str]:
    """`.gitleaksignore` fingerprints (`[commit:]file:rule-id:line`); comments and blanks skipped."""
    path = root / IGNORE_NAME
    if not path.is_file():
        return set()
    return {line.strip() for line in path.read_text(encoding="utf-8", errors="replace").splitlines()
            if line.strip() and not line.lstrip().startswith("#")}


def ignored(fingerprints: set[str], path: str, rule_id: str, line: int, commit: str = "") -> bool:
    key = f"{path}:{rule_id}:{line}"
    return key in fingerprints or (bool(commit) and f"{commit}:{key}" in fingerprints)


def without_disabled(rules: tuple[Rule, ...], disabled: frozenset[str]) -> tuple[Rule, ...]:
    return tuple(r for r in rules if r.id not in disabled)


def merged(base: tuple[Rule, ...], extra: tuple[Rule, ...]) -> tuple[Rule, ...]:
    """The founder's rules after the shipped ones; one with a shipped id replaces it, keeping its place
    (a rule with no regex of its own only adds its allowlists)."""
    by_id = {r.id: i for i, r in enumerate(base)}
    out = list(base)
    for r in extra:
        if r.id in by_id:
            old = out[by_id[r.id]]
            out[by_id[r.id]] = (replace(old, allow=old.allow + r.allow) if r.regex is None and r.path is None
                                else replace(r, order=old.order))
        else:
            out.append(r)
    return tuple(replace(r, order=i) for i, r in enumerate(out))
