"""The one redaction helper: every writer and renderer sends text through it.

A secret is shown as a prefix and its length plus a fingerprint
(``sk_live_4eC3…(32)#9f86d081``): enough to recognise it and to match the same
secret across two runs, never enough to use it.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Iterable

# Well-known type prefixes are shown in full (they say what leaked, not the secret).
_TYPE_PREFIXES = (
    "sk_live_", "sk_test_", "rk_live_", "rk_test_", "pk_live_", "pk_test_", "whsec_",
    "AKIA", "ASIA", "ghp_", "gho_", "ghs_", "github_pat_", "glpat-", "xoxb-", "xoxp-",
    "sk-ant-", "sk-proj-", "sk-", "hf_", "SG.", "AIza", "eyJ",
)

# Safety net for values nobody registered: formats that are secrets wherever they appear.
_SECRET_PATTERNS = [
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|\Z)"),
    re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*"),            # JWT (also alg:none)
    re.compile(r"\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}"),                          # Stripe secret/restricted
    re.compile(r"\bwhsec_[A-Za-z0-9+/=]{10,}"),                                          # Stripe webhook secret
    re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),                                         # AWS key id
    re.compile(r"\bgh[pousr]_[A-Za-z0-9]{30,}"),                                          # GitHub
    re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),                                       # Slack
    re.compile(r"\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,}"),                               # OpenAI / Anthropic
    re.compile(r"(?i)(?<=Bearer )[A-Za-z0-9._~+/=-]{8,}"),
    re.compile(r"(?i)(?<=://)[^/\s:@]+:[^/\s@]+(?=@)"),                                   # user:password@ in URLs
]

_MIN_SECRET_LEN = 4


def fingerprint(value: str) -> str:
    """Stable short id of a secret, so two runs can say 'the same key is still there'."""
    return hashlib.sha256(b"launch-audit/v1\x00" + value.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def redact_secret(value: str) -> str:
    """``sk_live_4eC3…(32)#9f86d081``: type prefix plus 4 characters only when long enough."""
    n = len(value)
    shown = ""
    for prefix in _TYPE_PREFIXES:
        if value.startswith(prefix) and n >= len(prefix) + 16:
            shown = value[: len(prefix) + 4]
            break
    else:
        if n >= 24:
            shown = value[:4]
    return f"{shown}…({n})#{fingerprint(value)}"


def _redact_match(m: re.Match[str]) -> str:
    # an already redacted value ("sk_live_4eC3…(32)#…") is left as it is
    if m.string.startswith("…(", m.end()):
        return m.group(0)
    return redact_secret(m.group(0))


class Redactor:
    """Replaces every known secret value (and every secret-shaped string) in text.

    The profile registers each credential it resolves from the environment, the
    secret scanner registers what it finds; writers call :meth:`text` on every
    string they write.
    """

    def __init__(self, known: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._known: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        for value in known:
            self.add(value)

    def add(self, value: str | None) -> None:
        if not value or len(value) < _MIN_SECRET_LEN:
            return
        with self._lock:
            if value not in self._known:
                self._known.add(value)
                self._pattern = None

    def _known_pattern(self) -> re.Pattern[str] | None:
        with self._lock:
            if self._pattern is None and self._known:
                # longest first, so a secret containing another is replaced whole
                alts = sorted(self._known, key=len, reverse=True)
                self._pattern = re.compile("|".join(re.escape(a) for a in alts))
            return self._pattern

    def text(self, text: str) -> str:
        if not text:
            return text
        pattern = self._known_pattern()
        if pattern is not None:
            text = pattern.sub(lambda m: redact_secret(m.group(0)), text)
        for rx in _SECRET_PATTERNS:
            text = rx.sub(_redact_match, text)
        return text

    def value(self, obj: object) -> object:
        """Redact every string inside a JSON-like structure."""
        if isinstance(obj, str):
            return self.text(obj)
        if isinstance(obj, dict):
            return {self.text(str(k)): self.value(v) for k, v in obj.items()}
        if isinstance(obj, (list, tuple)):
            return [self.value(v) for v in obj]
        return obj
