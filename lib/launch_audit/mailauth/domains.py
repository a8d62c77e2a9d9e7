"""Organizational domains (RFC 7489 §3.2) from the Public Suffix List the publicsuffixlist package ships."""

from __future__ import annotations

from functools import lru_cache

from publicsuffixlist import PublicSuffixList


@lru_cache(maxsize=1)
def _psl() -> PublicSuffixList:
    return PublicSuffixList()


def organizational_domain(name: str) -> str:
    """shop.brightbrew.co.uk → brightbrew.co.uk; a public suffix itself stays as it is."""
    name = name.rstrip(".").lower()
    return _psl().privatesuffix(name) or name


def aligned(a: str, b: str, mode: str = "r") -> bool:
    """DMARC identifier alignment (RFC 7489 §3.1): strict is the same name, relaxed the same
    organizational domain."""
    a, b = a.rstrip(".").lower(), b.rstrip(".").lower()
    if mode == "s":
        return a == b
    return organizational_domain(a) == organizational_domain(b)
