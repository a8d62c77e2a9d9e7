"""SPF (RFC 7208): parse a record, expand its include/redirect tree the way a receiver counts it,
and evaluate check_host() for one connecting IP.

DNS goes through anything with ``async query(name, rdtype) -> list[str]`` that raises
DNSNotFound for NXDOMAIN (the network layer's resolver), so a check sees the same answers
as every other check. Section numbers below are RFC 7208's.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import urllib.parse
from dataclasses import dataclass, field
from typing import Protocol

from ..net.errors import DNSError, DNSNotFound, TargetTimeout
from ..net.resolver import txt_value

MECHANISMS = ("all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists")
DNS_TERMS = ("include", "a", "mx", "ptr", "exists", "redirect")     # §4.6.4: these count toward the limit
LOOKUP_LIMIT = 10       # §4.6.4
VOID_LIMIT = 2          # §4.6.4
MX_PTR_LIMIT = 10       # §4.6.4: address lookups per mx / names per ptr
QUALIFIERS = {"+": "pass", "-": "fail", "~": "softfail", "?": "neutral"}

_MECH = re.compile(r"^([+\-~?]?)([A-Za-z][A-Za-z0-9]*)(.*)$", re.S)
_MODIFIER = re.compile(r"^([A-Za-z][A-Za-z0-9_.\-]*)=(.*)$", re.S)
_DUAL = re.compile(r"^(?::([^/]*))?(?:/(\d+))?(?://(\d+))?$", re.S)
_MACRO = re.compile(r"%(?:\{([A-Za-z])(\d*)(r?)([.\-+,/_=]*)\}|(.))", re.S)
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


# ---------------------------------------------------------------- parsing (pure)

def is_spf(txt: str) -> bool:
    """§4.5: exactly "v=spf1" then a space or the end, case-insensitive."""
    return txt[:6].lower() == "v=spf1" and (len(txt) == 6 or txt[6] == " ")


def _domain_spec_problem(spec: str, *, explain: bool = False) -> str | None:
    """§7.1: a macro-string ending in a macro or in "." toplabel; None when valid."""
    if not spec:
        return "empty domain"
    for m in _MACRO.finditer(spec):
        letter, other = m.group(1), m.group(5)
        if other is not None and other not in "%_-":
            return f"bad macro %{other}"
        if letter and letter.lower() not in "slodiphv" + ("crt" if explain else ""):
            return f"unknown macro letter {letter!r}"
    bare = _MACRO.sub("", spec)
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


# ---------------------------------------------------------------- DNS helpers

async def spf_records(dns: Resolver, domain: str) -> list[str]:
    """The TXT values at ``domain`` that are SPF records; [] for none or NXDOMAIN (§4.5)."""
    try:
        values = [txt_value(r) for r in await dns.query(domain, "TXT")]
    except DNSNotFound:
        return []
    return [v for v in values if is_spf(v)]


async def _answers(dns: Resolver, name: str, rdtype: str) -> list[str]:
    try:
        return await dns.query(name, rdtype)
    except DNSNotFound:
        return []


def _mx_hosts(records: list[str]) -> list[str]:
    pairs = []
    for r in records:
        pref, _, host = r.partition(" ")
        pairs.append((int(pref) if pref.isdigit() else 0, host.rstrip(".").lower()))
    return [h for _, h in sorted(pairs) if h]


# ---------------------------------------------------------------- the tree, as a receiver counts it

@dataclass
class SpfNode:
    domain: str
    via: str                            # "", "include" or "redirect"
    record: str | None = None
    records_found: int = 0
    all_qualifier: str | None = None
    lookups: int = 0                    # DNS-querying terms of this record that evaluation reaches
    voids: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)     # warnings (parse_record's)
    info: list[str] = field(default_factory=list)      # what static expansion cannot know
    children: list[SpfNode] = field(default_factory=list)

    def walk(self):
        yield self
        for c in self.children:
            yield from c.walk()


@dataclass
class SpfTree:
    domain: str
    root: SpfNode

    @property
    def lookups(self) -> int:
        return sum(n.lookups for n in self.root.walk())

    @property
    def voids(self) -> list[str]:
        return [v for n in self.root.walk() for v in n.voids]

    @property
    def problems(self) -> list[str]:
        out = []
        for n in self.root.walk():
            where = "" if n is self.root else f"{n.via}:{n.domain}: "
            out += [where + p for p in n.problems]
        if self.lookups > LOOKUP_LIMIT:
            out.append(f"{self.lookups} DNS-querying terms, over the limit of {LOOKUP_LIMIT}: receivers return "
                       "permerror and SPF fails for all mail (§4.6.4)")
        if len(self.voids) > VOID_LIMIT:
            out.append(f"{len(self.voids)} void lookups ({', '.join(self.voids[:5])}), over the limit of "
                       f"{VOID_LIMIT} (§4.6.4)")
        return out

    @property
    def notes(self) -> list[str]:
        return [("" if n is self.root else f"{n.via}:{n.domain}: ") + x for n in self.root.walk() for x in n.notes]

    @property
    def effective_all(self) -> str | None:
        """The all that ends evaluation: the top record's, else the redirect target's (§6.1)."""
        node = self.root
        while node.all_qualifier is None:
            nxt = [c for c in node.children if c.via == "redirect"]
            if not nxt:
                return None
            node = nxt[0]
        return node.all_qualifier

    def lines(self) -> list[str]:
        """The expanded tree as indented text, for evidence and the handover."""
        out: list[str] = []

        def show(n: SpfNode, depth: int) -> None:
            pad = "  " * depth
            head = f"{pad}{n.via + ':' if n.via else ''}{n.domain}"
            if n.record is None:
                out.append(f"{head}  (no SPF record)" if n.records_found == 0
                           else f"{head}  ({n.records_found} SPF records)")
            else:
                out.append(f"{head}  [{n.lookups} lookup{'s' if n.lookups != 1 else ''}]  {n.record}")
            for v in n.voids:
                out.append(f"{pad}  void lookup: {v}")
            for c in n.children:
                show(c, depth + 1)

        show(self.root, 0)
        return out


async def expand(dns: Resolver, domain: str) -> SpfTree:
    """Follow include and redirect from ``domain``, counting what check_host() would query when no
    mechanism matches (the worst case every receiver must be able to evaluate). DNS errors other than
    NXDOMAIN propagate: the tree cannot be judged without them."""
    domain = domain.rstrip(".").lower()
    return SpfTree(domain, await _expand(dns, domain, "", (), 0))


async def _expand(dns: Resolver, domain: str, via: str, path: tuple[str, ...], depth: int) -> SpfNode:
    node = SpfNode(domain, via)
    records = await spf_records(dns, domain)
    node.records_found = len(records)
    if len(records) != 1:
        if records:
            node.problems.append(f"{len(records)} SPF records: receivers return permerror (§4.5)")
        elif via:
            node.problems.append(f"{via} target has no SPF record: permerror (§5.2, §6.1)")
        return node
    node.record = records[0]
    terms, problems, notes = parse_record(records[0])
    node.problems += problems
    node.notes += notes
    if problems:
        return node                     # a syntax error is a permerror before anything is evaluated (§4.6)
    reached: list[Term] = []
    for t in terms:
        if t.modifier:
            continue
        reached.append(t)
        if t.name == "all":
            node.all_qualifier = t.qualifier
            break
    redirect = next((t for t in terms if t.name == "redirect"), None)
    if redirect and node.all_qualifier is None:
        reached.append(redirect)
    node.lookups = sum(t.name in DNS_TERMS for t in reached)
    path = path + (domain,)

    async def follow(t: Term) -> SpfNode | None:
        target = (t.domain or domain).rstrip(".").lower()
        if has_macro(t.domain):
            node.info.append(f"{t.raw}: depends on the sender (macro), not expanded")
            return None
        if t.name in ("include", "redirect"):
            if target in path:
                node.problems.append(f"{t.raw}: loop ({' -> '.join(path + (target,))})")
                return None
            if depth >= LOOKUP_LIMIT:
                return None             # the lookup count already condemns a chain this deep
            return await _expand(dns, target, t.name, path, depth + 1)
        if t.name == "a":
            if not await _answers(dns, target, "A") and not await _answers(dns, target, "AAAA"):
                node.voids.append(f"a:{target}")
        elif t.name == "mx":
            hosts = _mx_hosts(await _answers(dns, target, "MX"))
            if not hosts:
                node.voids.append(f"mx:{target}")
            elif len(hosts) > MX_PTR_LIMIT:
                node.problems.append(f"{t.raw}: {len(hosts)} MX hosts, over {MX_PTR_LIMIT}: permerror (§4.6.4)")
        elif t.name == "exists":
            if not await _answers(dns, target, "A"):
                node.voids.append(f"exists:{target}")
        return None

    children = await asyncio.gather(*(follow(t) for t in reached if t.name in DNS_TERMS))
    node.children = [c for c in children if c is not None]
    return node


def judge_tree(tree: SpfTree) -> tuple[str, str]:
    """Pure over the expanded tree: (status, verdict). Everything wrong is told at once, worst first,
    so one fix-and-rerun round is enough."""
    if tree.root.records_found == 0:
        return "fail", "no SPF record: receivers cannot tell your mail from forgeries"
    fails = list(tree.problems)
    warns = []
    all_q = tree.effective_all
    if fails and tree.root.record is None:
        return "fail", fails[0]
    if all_q in ("+", "?"):
        fails.append(f"{all_q}all: anyone may send as this domain")
    elif all_q is None and not fails:       # (a broken record or redirect is already a failure)
        fails.append("ends without all (after any redirect): unlisted senders get neutral, the same as ?all")
    elif all_q == "~":
        warns.append("~all (softfail): forged mail is marked, not refused; end with -all")
    warns += tree.notes
    if tree.voids and len(tree.voids) <= VOID_LIMIT:
        warns.append(f"{len(tree.voids)} void lookup(s) ({', '.join(tree.voids)}): names that do not exist, "
                     f"likely leftovers; more than {VOID_LIMIT} break SPF")
    count = f"{tree.lookups}/{LOOKUP_LIMIT} lookups"
    if fails:
        return "fail", "SPF fails: " + "; ".join(fails + warns) + f" ({count})"
    if warns:
        return "warn", "; ".join(warns) + f" ({count})"
    near = "; one more include breaks it" if tree.lookups == LOOKUP_LIMIT else ""
    return "pass", f"-all, {count}{near}"


# ---------------------------------------------------------------- check_host() for one IP (§4)

class _PermError(Exception):
    pass


class _TempError(Exception):
    pass


@dataclass
class SpfResult:
    result: str                 # none, neutral, pass, fail, softfail, temperror, permerror
    domain: str
    mechanism: str = ""         # the term that matched, or why it ended
    lookups: int = 0


def expand_macros(spec: str, *, ip: str, sender: str, domain: str, helo: str = "") -> str:
    """§7.3 macro expansion (letters s l o d i p h v; transformers digits, r, delimiters; upper case URL-escapes)."""
    local, _, sender_domain = sender.rpartition("@")
    local = local or "postmaster"
    addr = ipaddress.ip_address(ip)
    dotted = str(addr) if addr.version == 4 else ".".join(addr.exploded.replace(":", ""))
    values = {"s": f"{local}@{sender_domain}", "l": local, "o": sender_domain, "d": domain, "i": dotted,
              "p": "unknown", "v": "in-addr" if addr.version == 4 else "ip6", "h": helo or sender_domain}

    def one(m: re.Match) -> str:
        if m.group(5) is not None:
            return {"%": "%", "_": " ", "-": "%20"}.get(m.group(5), "")
        letter, digits, rev, delims = m.group(1), m.group(2), m.group(3), m.group(4) or "."
        parts = re.split("[" + re.escape(delims) + "]", values.get(letter.lower(), ""))
        if rev:
            parts.reverse()
        if digits and int(digits) > 0:
            parts = parts[-int(digits):]
        out = ".".join(parts)
        return urllib.parse.quote(out, safe="") if letter.isupper() else out

    return _MACRO.sub(one, spec)


class _Evaluation:
    def __init__(self, dns: Resolver, ip: str, sender: str, helo: str) -> None:
        self.dns, self.ip, self.sender, self.helo = dns, ipaddress.ip_address(ip), sender, helo
        self.lookups = 0
        self.voids = 0

    async def q(self, name: str, rdtype: str, *, void_counts: bool = True) -> list[str]:
        try:
            found = await self.dns.query(name, rdtype)
        except DNSNotFound:
            found = []
        except (DNSError, TargetTimeout) as e:
            raise _TempError(str(e)) from None
        if not found and void_counts:
            self.voids += 1
            if self.voids > VOID_LIMIT:
                raise _PermError(f"more than {VOID_LIMIT} void lookups")
        return found

    def count(self, what: str) -> None:
        self.lookups += 1
        if self.lookups > LOOKUP_LIMIT:
            raise _PermError(f"more than {LOOKUP_LIMIT} DNS-querying terms at {what}")

    def target(self, t: Term, domain: str) -> str:
        spec = t.domain or domain
        return expand_macros(spec, ip=str(self.ip), sender=self.sender, domain=domain, helo=self.helo).rstrip(".")

    def _in(self, addresses: list[str], t: Term) -> bool:
        cidr = t.cidr4 if self.ip.version == 4 else t.cidr6
        for a in addresses:
            try:
                net = ipaddress.ip_network(f"{a}/{cidr if cidr is not None else (32 if self.ip.version == 4 else 128)}",
                                           strict=False)
            except ValueError:
                continue
            if self.ip in net:
                return True
        return False

    async def check(self, domain: str) -> tuple[str, str]:
        try:
            records = await spf_records(self.dns, domain)
        except (DNSError, TargetTimeout) as e:       # (NXDOMAIN is no record, handled in spf_records)
            return "temperror", str(e)
        if not records:
            return "none", f"no SPF record at {domain}"
        if len(records) > 1:
            return "permerror", f"{len(records)} SPF records at {domain}"
        terms, problems, _ = parse_record(records[0])
        if problems:
            return "permerror", f"{domain}: {problems[0]}"
        try:
            for t in terms:
                if t.modifier:
                    continue
                if t.name in DNS_TERMS:
                    self.count(t.raw)
                if await self.match(t, domain):
                    return QUALIFIERS[t.qualifier], f"{domain}: {t.raw}"
            redirect = next((t for t in terms if t.name == "redirect"), None)
            if redirect:
                self.count(redirect.raw)
                result, why = await self.check(self.target(redirect, domain))
                return ("permerror", f"redirect target: {why}") if result == "none" else (result, why)
        except _PermError as e:
            return "permerror", str(e)
        except _TempError as e:
            return "temperror", str(e)
        return "neutral", f"{domain}: no mechanism matched"

    async def match(self, t: Term, domain: str) -> bool:
        v4 = self.ip.version == 4
        if t.name == "all":
            return True
        if t.name in ("ip4", "ip6"):
            return self.ip in ipaddress.ip_network(t.network or "", strict=False)
        target = self.target(t, domain)
        if t.name == "include":
            result, why = await self.check(target)
            if result == "temperror":
                raise _TempError(why)
            if result in ("permerror", "none"):
                raise _PermError(f"include:{target}: {why}")
            return result == "pass"
        if t.name == "a":
            return self._in(await self.q(target, "A" if v4 else "AAAA"), t)
        if t.name == "mx":
            hosts = _mx_hosts(await self.q(target, "MX"))
            if len(hosts) > MX_PTR_LIMIT:
                raise _PermError(f"{t.raw}: more than {MX_PTR_LIMIT} MX hosts")
            for host in hosts:
                if self._in(await self.q(host, "A" if v4 else "AAAA", void_counts=False), t):
                    return True
            return False
        if t.name == "exists":
            return bool(await self.q(target, "A"))
        if t.name == "ptr":
            names = [n.rstrip(".").lower() for n in
                     await self.q(ipaddress.ip_address(self.ip).reverse_pointer, "PTR")][:MX_PTR_LIMIT]
            for n in names:
                if n == target.lower() or n.endswith("." + target.lower()):
                    if self._in(await self.q(n, "A" if v4 else "AAAA", void_counts=False), t):
                        return True
            return False
        return False


async def check_host(dns: Resolver, ip: str, domain: str, sender: str, helo: str = "") -> SpfResult:
    """§4: the SPF result for mail from ``sender`` (MAIL FROM) at ``domain`` arriving from ``ip``."""
    ev = _Evaluation(dns, ip, sender, helo)
    result, why = await ev.check(domain.rstrip(".").lower())
    return SpfResult(result, domain, why, ev.lookups)
