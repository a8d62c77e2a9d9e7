"""SPF records (RFC 7208 §4.6, §5, §6): the terms of a record, parsed and checked (pure)."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Protocol

MECHANISMS = ("all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists")
DNS_TERMS = ("include", "a", "mx", "ptr", "exists", "redirect")     # §4.6.4: these count toward the limit
LOOKUP_LIMIT = 10       # §4.6.4
VOID_LIMIT = 2          # §4.6.4
MX_PTR_LIMIT = 10       # §4.6.4: address lookups per mx / names per ptr
QUALIFIERS = {"+": "pass", "-": "fail", "~": "softfail", "?": "neutral"}

_MECH = re.compile(r"^([+\-~?]?)([A-Za-z][A-Za-z0-9]*)(.*)$", re.S)
_MODIFIER = re.compile(r"^([A-Za-z][A-Za-z0-9_.\-]*)=(.*)$", re.S)
_DUAL = re.compile(r"^(?::([^/]*))?(?:/(\d+))?(?://(\d+))?$", re.S)
MACRO = re.compile(r"%(?:\{([A-Za-z])(\d*)(r?)([.\-+,/_=]*)\}|(.))", re.S)
_TOPLABEL = re.compile(r"^(?:[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*|[A-Za-z0-9]+-[A-Za-z0-9\-]*[A-Za-z0-9])$")


class Resolver(Protocol):
    async def query(self, name: str, rdtype: str) -> list[str]: ...


@dataclass(frozen=True)
class Term:
    raw: str
    name: str                   # mechanism or modifier name, lower case
    qualifier: str = "+"        # "" for a modifier
    domain: str | None = None   # domain-spec, may hold macros
    network: str | None = None  # ip4/ip6 value
    cidr4: int | None = None
    cidr6: int | None = None

    @property
    def modifier(self) -> bool:
        return self.qualifier == ""


def is_spf(txt: str) -> bool:
    """§4.5: exactly "v=spf1" then a space or the end, case-insensitive."""
    return txt[:6].lower() == "v=spf1" and (len(txt) == 6 or txt[6] == " ")


def _domain_spec_problem(spec: str, *, explain: bool = False) -> str | None:
    """§7.1: a macro-string ending in a macro or in "." toplabel; None when valid."""
    if not spec:
        return "empty domain"
    for m in MACRO.finditer(spec):
        letter, other = m.group(1), m.group(5)
        if other is not None and other not in "%_-":
            return f"bad macro %{other}"
        if letter and letter.lower() not in "slodiphv" + ("crt" if explain else ""):
            return f"unknown macro letter {letter!r}"
    bare = MACRO.sub("", spec)
    if "%" in bare or any(not 0x21 <= ord(c) <= 0x7E for c in spec):
        return "invalid character or unfinished macro"
    if spec.endswith("}"):
        return None
    labels = spec.rstrip(".").split(".")
    if len(labels) < 2 or not _TOPLABEL.match(labels[-1]):
        return "not a fully qualified domain name"
    return None


def parse_term(word: str) -> tuple[Term | None, str | None]:
    """One space-separated term → (Term, None) or (None, problem)."""
    m = _MECH.match(word)
    if m and m.group(2).lower() in MECHANISMS and (m.group(3) == "" or m.group(3)[0] in ":/"):
        qualifier, name, rest = m.group(1) or "+", m.group(2).lower(), m.group(3)
        if name == "all":
            return (Term(word, name, qualifier), None) if rest == "" else (None, f"{word!r}: all takes no argument")
        if name in ("include", "exists"):
            spec = rest[1:] if rest.startswith(":") else ""
            problem = _domain_spec_problem(spec)
            return (None, f"{word!r}: {problem}") if problem else (Term(word, name, qualifier, domain=spec), None)
        if name in ("ip4", "ip6"):
            value = rest[1:] if rest.startswith(":") else ""
            try:
                net = ipaddress.ip_network(value, strict=False)
            except ValueError:
                return None, f"{word!r}: not an {name} address or network"
            if net.version != int(name[-1]) or (name == "ip4" and ":" in value):
                return None, f"{word!r}: not an {name} address"
            return Term(word, name, qualifier, network=str(net)), None
        d = _DUAL.match(rest)
        if not d or (name == "ptr" and (d.group(2) or d.group(3))):
            return None, f"{word!r}: bad argument"
        spec = d.group(1)
        if spec is not None:
            problem = _domain_spec_problem(spec)
            if problem:
                return None, f"{word!r}: {problem}"
        c4, c6 = (int(x) if x else None for x in (d.group(2), d.group(3)))
        if (c4 is not None and c4 > 32) or (c6 is not None and c6 > 128):
            return None, f"{word!r}: CIDR length out of range"
        return Term(word, name, qualifier, domain=spec, cidr4=c4, cidr6=c6), None
    m = _MODIFIER.match(word)
    if m:
        name, value = m.group(1).lower(), m.group(2)
        if name in ("redirect", "exp"):
            problem = _domain_spec_problem(value)
            return (None, f"{word!r}: {problem}") if problem else (Term(word, name, "", domain=value), None)
        return Term(word, name, "", domain=value), None      # unknown modifiers are ignored (§6)
    return None, f"{word!r}: unknown mechanism"


def parse_record(record: str) -> tuple[list[Term], list[str], list[str]]:
    """Pure: (terms, problems that make it a permerror, warnings: what receivers ignore or advise against,
    which is rarely what the author meant)."""
    if not is_spf(record):
        return [], ["does not start with v=spf1"], []
    terms, problems, notes = [], [], []
    for word in record[6:].split():
        term, problem = parse_term(word)
        if problem:
            problems.append(problem)
        elif term:
            terms.append(term)
    for mod in ("redirect", "exp"):
        if sum(t.name == mod for t in terms) > 1:
            problems.append(f"{mod}= given more than once (§6)")
    for t in terms:
        if t.modifier and t.name not in ("redirect", "exp"):
            hint = f"; did you mean {t.name}:" if t.name in MECHANISMS else ""
            notes.append(f"{t.raw!r} is an unknown modifier and is ignored{hint}")
        if t.name == "ptr":
            notes.append("ptr is slow and unreliable; RFC 7208 §5.5 says not to use it")
    names = [t.name for t in terms if not t.modifier]
    if "all" in names and names.index("all") < len(names) - 1:
        notes.append("terms after all are never evaluated (§5.1)")
    if "all" in names and any(t.name == "redirect" for t in terms):
        notes.append("redirect= is ignored because the record has an all (§6.1)")
    return terms, problems, notes


def has_macro(spec: str | None) -> bool:
    return bool(spec) and "%" in spec
