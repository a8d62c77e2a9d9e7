"""Find secrets in bytes: one RE2 pass for every rule's keywords, then each hit rule's regex on a small
window around its hits, then the filters (placeholders, entropy, validators, pairs).

RE2 keeps the pre-filter linear and fast (hundreds of MB/s where Python's re with one alternation
manages a few); the per-rule regexes only see the few windows the pre-filter found.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
import time
from collections import Counter
from dataclasses import dataclass, replace

import re2

from ..redact import fingerprint, redact_secret
from .rules import Rule, load_rules

# values that are obviously not real secrets: templates, masks, docs placeholders, code references
_PLACEHOLDER = re.compile(
    r"(?i)x{5,}|\*{3,}|•{3,}|change[_-]?me|placeholder|your[_-]|<[^>]*>|\$\{|\{\{|%\(|(?-i:\$[A-Z_]{3,})|(?-i:^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$)|\{[\w.\[\]'\"]{1,40}\}|"
    r"process\.env|os\.environ|getenv|^redacted$|^example|example$|example\.com|^dummy|^sample|^insert|^replace|^fake"
    r"|^test(?:ing)?(?:[_-]?(?:key|secret|token|password))?$|^secret$|^password\d*$|^none$|^null$|^undefined$")


# an inline allowlist comment on the line, as detect-secrets and gitleaks offer
_ALLOW = re.compile(rb"launch-audit:\s*allow|pragma:\s*allowlist secret|gitleaks:allow")


@dataclass(frozen=True)
class SecretMatch:
    """One secret found: what it is, where (line in the scanned text), and a redacted preview and a
    fingerprint that identify it across files, commits and runs. Never the value."""

    rule_id: str
    provider: str
    kind: str                   # live, test, publishable, or inactive (an expired token)
    line: int
    preview: str
    fingerprint: str
    note: str = ""

    @property
    def is_live(self) -> bool:
        """Fails a build: a live provider key, or a random value under a secret's name."""
        return self.kind in ("live", "generic")


def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    if not value:
        return 0.0
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


def is_placeholder(value: str) -> bool:
    """Templates, masks, example values typed by a person (an ascending run like abcdef or 123456, which
    a random token of this length holds with odds of about one in ten million), abbreviated values."""
    return (bool(_PLACEHOLDER.search(value)) or len(set(value)) <= 2 or "..." in value or "…" in value
            or _typed_run(value))


# a name as people write them: snake_case, CamelCase humps or an UPPER constant (random text is none of these)
_NAME = r"(?:[A-Za-z_$][a-z0-9_$]*(?:[A-Z][a-z0-9_$]+)*|[A-Z_$][A-Z0-9_$]*)"
_CODE = re2.compile(
    rf"^{_NAME}(?:\.{_NAME})+$"                          # a dotted name: X25519.secret_length, settings.API_KEY
    r"|^[\w.$]+\("                                   # a call: os.getenv(, re.compile(
    r"|^[A-Z][A-Z0-9]*(?:[_-][A-Z0-9]+)+$")             # a constant's name: NEXUS-GPT4-API-KEY


def not_a_secret_value(value: str) -> bool:
    """What a generic rule's name-based match holds when it is code, not a secret: a reference to another
    name, a call, a constant's name, or one part of a JWT alone (its header or payload is plain JSON)."""
    if _CODE.search(value):
        return True
    return value.startswith("eyJ") and "." not in value and _b64json(value) is not None


def _typed_run(value: str, run: int = 6) -> bool:
    """An ascending run of ``run`` letters or digits (abcdef, 123456, KLMNOP)."""
    n = 1
    for a, b in zip(value, value[1:]):
        n = n + 1 if ord(b) == ord(a) + 1 and a.isalnum() and b.isalnum() else 1
        if n >= run:
            return True
    return False


def _b64json(part: str) -> dict | None:
    try:
        decoded = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    return decoded if isinstance(decoded, dict) else None


def judge_jwt(token: str, now: float | None = None) -> tuple[str, str, str] | None:
    """(kind, provider, note) for a JWT, or None when it is not one. A Supabase anon key is public by
    design; a service_role key bypasses row-level security; an expired token is inactive."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    header, payload = _b64json(parts[0]), _b64json(parts[1])
    if header is None or payload is None or "alg" not in header:
        return None
    role = payload.get("role")
    issuer = str(payload.get("iss", ""))
    provider = "Supabase" if role in ("anon", "service_role") or "supabase" in issuer else "JWT"
    if role == "anon":
        return "publishable", provider, "anon key (public by design)"
    exp = payload.get("exp")
    if isinstance(exp, (int, float)) and exp < (now or time.time()):
        return "inactive", provider, "expired token"
    if role == "service_role":
        return "live", provider, "service_role key: bypasses row-level security"
    return "live", provider, f"alg {header.get('alg')}"


def default_rules() -> tuple[tuple[Rule, ...], tuple]:
    """The shipped rules and global allowlists: rules.yaml's specific rules, then the provider rules
    (gitleaks' rule set; where both have an id, rules.yaml's), then every generic rule last, so a
    provider's own rule names a token first. rules.yaml's generic rules take the provider set's generic
    allowlists too (names like *_length, *_id, public_token are not secrets, whatever their value)."""
    from .gitleaks_config import shipped_config

    provider = shipped_config()
    ours = load_rules()
    taken = {r.id for r in ours}
    theirs = tuple(r for r in provider.rules if r.id not in taken)
    generic_allow = tuple(a for r in theirs if r.kind == "generic" for a in r.allow)
    ours = tuple(replace(r, allow=r.allow + generic_allow) if r.kind == "generic" else r for r in ours)
    return ordered(ours + theirs), provider.allowlists


def ordered(rules: tuple[Rule, ...]) -> tuple[Rule, ...]:
    """Specific rules in their listed order, then generic ones; `order` renumbered to match."""
    ranked = sorted(rules, key=lambda r: (r.kind == "generic", r.origin != "launch-audit", r.order))
    return tuple(replace(r, order=i) for i, r in enumerate(ranked))


class Scanner:
    def __init__(self, rules: tuple[Rule, ...] | list[Rule] | None = None, allowlists: tuple = ()) -> None:
        if rules is None:
            rules, allowlists = default_rules()
        self.rules = tuple(rules)
        self.allowlists = tuple(allowlists)
        by_keyword: dict[bytes, list[Rule]] = {}
        self._regex_rules: list[Rule] = []
        self._path_rules = [r for r in self.rules if r.regex is None and r.path is not None]
        for rule in self.rules:
            if rule.regex is None:
                continue
            if rule.keywords:
                for k in rule.keywords:
                    by_keyword.setdefault(k.lower().encode(), []).append(rule)
            else:
                self._regex_rules.append(rule)
        # a hit on "client_secret" is also a hit for the rules keyed on "secret": the pre-filter's matches do
        # not overlap, so each keyword owns the rules of every keyword inside it
        self._by_literal = {k: _unique(r for other, rules in by_keyword.items() if other in k for r in rules)
                            for k in by_keyword}
        self._literals = re2.compile(b"(?i:" + b"|".join(re2.escape(k) for k in sorted(by_keyword, key=len, reverse=True))
                                     + b")") if by_keyword else None
        # rules without keywords: their own regexes, in a second pass so a long match there never hides a
        # keyword inside it (and the other way round)
        self._regexes = re2.compile(b"|".join(b"(?:" + _no_captures(r.pattern.encode()) + b")"
                                              for r in self._regex_rules)) if self._regex_rules else None
        self._by_id = {r.id: r for r in self.rules}
        # each rule's allowlists with the configuration's lists for it, joined once, not per match
        self._allow_of = {r.id: r.allow + tuple(a for a in self.allowlists if a.applies_to(r.id)) for r in self.rules}

    def scan(self, data: bytes, path: str = "", commit: str = "") -> list[SecretMatch]:
        """Every secret in ``data``, in file order. ``path`` (and ``commit``) let path-bound rules and
        allowlists apply; without a path, rules that need one do not run."""
        if any(a.skips_file(path, commit) for a in self.allowlists if not a.rules):
            return []
        positions: dict[str, list[int]] = {}
        if self._literals is not None:
            for m in self._literals.finditer(data):
                for rule in self._by_literal[m.group(0).lower()]:
                    positions.setdefault(rule.id, []).append(m.start())
        if self._regexes is not None:
            for m in self._regexes.finditer(data):
                for rule in self._regex_rules:
                    positions.setdefault(rule.id, []).append(m.start())
        found: list[tuple[Rule, int, int, SecretMatch]] = []
        for rule in self._path_rules:
            if path and rule.path.search(path) and not self._skipped(rule, path, commit):  # type: ignore[attr-defined]
                found.append((rule, 0, 0, SecretMatch(rule.id, rule.provider, rule.kind, 1, f"file {path}",
                                                      fingerprint(path), "the file itself is the secret")))
        for rule_id, hits in positions.items():
            rule = self._by_id[rule_id]
            if rule.path is not None and not (path and rule.path.search(path)):  # type: ignore[attr-defined]
                continue
            if self._skipped(rule, path, commit):
                continue
            for start, end in _windows(data, hits, rule.window):
                for m in rule.regex.finditer(data[start:end]):  # type: ignore[attr-defined]
                    g = _secret_group(rule, m)
                    s, e = start + m.start(g), start + m.end(g)
                    match = self._judge(rule, data, start + m.start(), s, e, path, commit)
                    if match is not None:
                        found.append((rule, s, e, match))
        return _resolve(found, self._by_id) if found else []

    def _skipped(self, rule: Rule, path: str, commit: str) -> bool:
        return any(a.skips_file(path, commit) for a in self._allow_of[rule.id])

    def _judge(self, rule: Rule, data: bytes, ms: int, s: int, e: int, path: str, commit: str) -> SecretMatch | None:
        if e <= s:
            return None
        raw = data[s:e]
        if _assignment_rule(rule) and (b"\n" in raw or _crosses_line(data, ms, s)):
            return None                 # a value never spans a line break (an empty `A=` then `B=` below)
        value = raw.decode("utf-8", "replace")
        if is_placeholder(value) or (rule.kind == "generic" and not_a_secret_value(value)):
            return None
        if rule.entropy is not None:
            bits = entropy(value)
            if bits < rule.entropy or (rule.origin != "launch-audit" and bits <= rule.entropy):
                return None
        line_start = data.rfind(b"\n", 0, s) + 1
        line_end = data.find(b"\n", e)
        line = data[line_start:line_end if line_end >= 0 else len(data)]
        if _ALLOW.search(line):
            return None                 # the author looked at this line and says it is not a secret
        lists = self._allow_of[rule.id]
        if lists:
            match_text = data[ms:e].decode("utf-8", "replace")
            line_text = line.decode("utf-8", "replace")
            if any(a.allows(value, match_text, line_text, path, commit) for a in lists):
                return None
        kind, provider, note = rule.kind, rule.provider, ""
        if rule.validate == "jwt":
            judged = judge_jwt(value)
            if judged is None:
                return None
            kind, provider, note = judged
        line_no = data.count(b"\n", 0, s) + 1
        return SecretMatch(rule.id, provider, kind, line_no, redact_secret(value), fingerprint(value), note)


LINE_REACH = 65_536     # the longest token a window runs on to read whole
_TOKEN_END = re2.compile(rb"[^A-Za-z0-9_+/=.~-]")
MULTILINE = 8192        # rules with a window this long read key blocks across lines


def _unique(rules) -> list[Rule]:
    """In order, each rule once (by identity: hashing a rule hashes all its fields)."""
    seen: set[int] = set()
    return [r for r in rules if not (id(r) in seen or seen.add(id(r)))]


def _secret_group(rule: Rule, m) -> int:
    """gitleaks' choice: the declared group, else the first group that matched something, else the match."""
    if rule.secret_group:
        return rule.secret_group
    for g in range(1, rule.regex.groups + 1):  # type: ignore[attr-defined]
        if m.start(g) >= 0 and m.end(g) > m.start(g):
            return g
    return 0


def _assignment_rule(rule: Rule) -> bool:
    """Rules that find a value by the name it is assigned to: ours and every generic one. (A provider
    rule's own regex decides its line breaks: a curl command's `\\` continuation, a Kubernetes secret.)"""
    return rule.window < MULTILINE and (rule.kind == "generic" or rule.origin == "launch-audit")


def _crosses_line(data: bytes, ms: int, s: int) -> bool:
    """The label and its value are on different lines: only an XML element may put its text on the next.
    (A match that only starts at the line break before its value crosses nothing.)"""
    gap = data[ms:s]
    nl = gap.rfind(b"\n")
    return nl >= 0 and bool(gap[:nl].strip()) and not gap[:nl].rstrip().endswith(b">")


def _no_captures(pattern: bytes) -> bytes:
    """A pattern's capturing groups made non-capturing (escaped parentheses left alone)."""
    return re.sub(rb"(?<!\\)\((?!\?)", b"(?:", pattern)


def _windows(data: bytes, hits: list[int], after: int) -> list[tuple[int, int]]:
    """Byte ranges around hits, overlapping ones merged: from the start of the hit's line (at most 256
    bytes back) to ``after`` bytes on, then past the token under that edge, so none is cut short (a
    1,400-byte JWT after its keyword is read whole), and to the line's end when it is near."""
    out: list[tuple[int, int]] = []
    n = len(data)
    for pos in hits:
        start = max(0, pos - 256)
        nl = data.rfind(b"\n", start, pos)
        start = nl + 1 if nl >= 0 else start
        end = min(n, pos + after)
        stop = _TOKEN_END.search(data, end, min(n, end + LINE_REACH))   # the token under the edge, whole
        end = stop.start() if stop else min(n, end + LINE_REACH)
        nl = data.find(b"\n", end, min(n, end + 256))
        end = nl if nl >= 0 else end
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _resolve(found: list[tuple[Rule, int, int, SecretMatch]], by_id: dict[str, Rule]) -> list[SecretMatch]:
    """Drop unpaired pair-rules and text an earlier-listed (more specific) rule already claimed."""
    spans_of: dict[str, list[tuple[int, int]]] = {}
    for rule, s, e, _ in found:
        spans_of.setdefault(rule.id, []).append((s, e))
    taken: list[tuple[int, int]] = []
    kept: list[tuple[int, SecretMatch]] = []
    seen: set[tuple[int, int]] = set()
    for rule, s, e, match in sorted(found, key=lambda f: (f[0].order, f[1])):
        if (s, e) in seen:
            continue
        if rule.near:
            partner = by_id[rule.near]
            if not any(abs(ps - s) <= rule.within for ps, _ in spans_of.get(partner.id, [])):
                continue
        if any(s < te and ts < e for ts, te in taken):
            continue
        seen.add((s, e))
        taken.append((s, e))
        kept.append((s, match))
    return [m for _, m in sorted(kept, key=lambda k: k[0])]
