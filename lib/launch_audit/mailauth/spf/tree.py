"""The include/redirect tree of a domain's SPF record, expanded and counted the way a receiver counts it
(RFC 7208 §4.6.4: ten DNS lookups, two void lookups), and judged."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from ...net.errors import DNSNotFound
from ...net.resolver import txt_value
from .record import DNS_TERMS, LOOKUP_LIMIT, MX_PTR_LIMIT, VOID_LIMIT, Resolver, Term, has_macro, is_spf, parse_record


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


def mx_hosts(records: list[str]) -> list[str]:
    pairs = []
    for r in records:
        pref, _, host = r.partition(" ")
        pairs.append((int(pref) if pref.isdigit() else 0, host.rstrip(".").lower()))
    return [h for _, h in sorted(pairs) if h]


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
            hosts = mx_hosts(await _answers(dns, target, "MX"))
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
