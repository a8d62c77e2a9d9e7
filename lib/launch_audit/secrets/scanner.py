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
from dataclasses import dataclass

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
        return self.kind == "live"


def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    if not value:
        return 0.0
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


def is_placeholder(value: str) -> bool:
    return bool(_PLACEHOLDER.search(value)) or len(set(value)) <= 2


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


class Scanner:
    def __init__(self, rules: tuple[Rule, ...] | list[Rule] | None = None) -> None:
        self.rules = tuple(rules if rules is not None else load_rules())
        by_keyword: dict[bytes, list[Rule]] = {}
        self._regex_rules: list[Rule] = []
        for rule in self.rules:
            if rule.keywords:
                for k in rule.keywords:
                    by_keyword.setdefault(k.lower().encode(), []).append(rule)
            else:
                self._regex_rules.append(rule)
        # a hit on "client_secret" is also a hit for the rules keyed on "secret": the pre-filter's matches do
        # not overlap, so each keyword owns the rules of every keyword inside it
        self._by_literal = {k: list(dict.fromkeys(r for other, rules in by_keyword.items() if other in k for r in rules))
                            for k in by_keyword}
        self._literals = re2.compile(b"(?i:" + b"|".join(re2.escape(k) for k in sorted(by_keyword, key=len, reverse=True))
                                     + b")") if by_keyword else None
        # rules without keywords: their own regexes, in a second pass so a long match there never hides a
        # keyword inside it (and the other way round)
        self._regexes = re2.compile(b"|".join(b"(?:" + re.sub(rb"\((?!\?)", b"(?:", r.pattern.encode()) + b")"
                                              for r in self._regex_rules)) if self._regex_rules else None
        self._by_id = {r.id: r for r in self.rules}

    def scan(self, data: bytes) -> list[SecretMatch]:
        """Every secret in ``data``, in file order."""
        positions: dict[str, list[int]] = {}
        if self._literals is not None:
            for m in self._literals.finditer(data):
                for rule in self._by_literal[m.group(0).lower()]:
                    positions.setdefault(rule.id, []).append(m.start())
        if self._regexes is not None:
            for m in self._regexes.finditer(data):
                for rule in self._regex_rules:
                    positions.setdefault(rule.id, []).append(m.start())
        if not positions:
            return []
        found: list[tuple[Rule, int, int, SecretMatch]] = []
        for rule_id, hits in positions.items():
            rule = self._by_id[rule_id]
            for start, end in _windows(data, hits, rule.window):
                for m in rule.regex.finditer(data[start:end]):  # type: ignore[attr-defined]
                    s, e = start + m.start(rule.group), start + m.end(rule.group)
                    match = self._judge(rule, data, s, e)
                    if match is not None:
                        found.append((rule, s, e, match))
        return _resolve(found, self._by_id)

    def _judge(self, rule: Rule, data: bytes, s: int, e: int) -> SecretMatch | None:
        value = data[s:e].decode("utf-8", "replace")
        if is_placeholder(value) or (rule.entropy is not None and entropy(value) < rule.entropy):
            return None
        line_start = data.rfind(b"\n", 0, s) + 1
        line_end = data.find(b"\n", e)
        if _ALLOW.search(data[line_start:line_end if line_end >= 0 else len(data)]):
            return None                 # the author looked at this line and says it is not a secret
        kind, provider, note = rule.kind, rule.provider, ""
        if rule.validate == "jwt":
            judged = judge_jwt(value)
            if judged is None:
                return None
            kind, provider, note = judged
        line = data.count(b"\n", 0, s) + 1
        return SecretMatch(rule.id, provider, kind, line, redact_secret(value), fingerprint(value), note)


def _windows(data: bytes, hits: list[int], after: int) -> list[tuple[int, int]]:
    """Byte ranges around hits (from the start of the hit's line, at most 256 bytes back, to ``after``
    bytes on, ending at a line end when one is near), overlapping ones merged."""
    out: list[tuple[int, int]] = []
    n = len(data)
    for pos in hits:
        start = max(0, pos - 256)
        nl = data.rfind(b"\n", start, pos)
        start = nl + 1 if nl >= 0 else start
        end = min(n, pos + after)
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
