"""Whether an HMAC-signed token's key can be guessed: the test account's own token checked offline against
common secrets (no request leaves the machine; tens of thousands of guesses a second). A guessable key lets
anyone mint a token for any user, admin included."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

WORDLIST = Path(__file__).with_name("data") / "jwt_secrets.txt"
DIGESTS = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}
SUFFIXES = ("", "1", "12", "123", "1234", "!", "_secret", "-secret", "secret", "_key", "-key", "key", "_jwt",
            "-jwt", "jwt", "2024", "2025", "2026")


@dataclass(frozen=True)
class Guessed:
    alg: str | None            # None: not an HMAC-signed JWT
    key: str | None            # the key, when one was found (never written out whole: see redacted())
    tried: int

    def redacted(self) -> str:
        if self.key is None:
            return ""
        return (self.key[:2] + "*" * max(1, len(self.key) - 3) + self.key[-1:]) if len(self.key) > 3 else "***"


@lru_cache(maxsize=1)
def common_secrets() -> tuple[str, ...]:
    lines = WORDLIST.read_text(encoding="utf-8").splitlines()
    return tuple(dict.fromkeys(s for s in (line.rstrip("\n") for line in lines) if s and not s.startswith("#")))


def candidates(names: Iterable[str] = ()) -> Iterator[str]:
    """Pure: the shipped secrets and the client's own names (client id, domain labels), each in its usual
    cases and with the usual suffixes, without repeats."""
    seen: set[str] = set()
    bases = list(common_secrets())
    for name in names:
        for part in {name, *re.split(r"[^A-Za-z0-9]+", name)}:
            if len(part) >= 3:
                bases.append(part)
    for base in bases:
        for word in (base, base.lower(), base.upper(), base.capitalize()):
            for suffix in SUFFIXES:
                guess = word + suffix
                if guess not in seen:
                    seen.add(guess)
                    yield guess


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def guess_key(token: str, names: Iterable[str] = ()) -> Guessed:
    """Pure: the key an HS256/384/512 JWT was signed with, if it is one of ``candidates(names)``."""
    parts = token.split(".")
    if len(parts) != 3:
        return Guessed(None, None, 0)
    try:
        header = json.loads(_b64(parts[0]))
        signature = _b64(parts[2])
    except (ValueError, TypeError):
        return Guessed(None, None, 0)
    alg = str(header.get("alg", "")).upper() if isinstance(header, dict) else ""
    digest = DIGESTS.get(alg)
    if digest is None:
        return Guessed(None, None, 0)
    message = f"{parts[0]}.{parts[1]}".encode()
    tried = 0
    for guess in candidates(names):
        tried += 1
        if hmac.compare_digest(hmac.new(guess.encode(), message, digest).digest(), signature):
            return Guessed(alg, guess, tried)
    return Guessed(alg, None, tried)
