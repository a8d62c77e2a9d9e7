"""SPF and DMARC cases as zone data: one registrable domain per case (``<case>.test``), each with the
verdict RFC 7208 / RFC 7489 and spec/checks.md give it.

Used by benchmarks/spf_dmarc_accuracy.py (our checks and checkdmarc side by side) and by
tests/checks/test_mail_corpus.py (our checks must give every expected verdict). Record data uses
loopback addresses; nothing connects to them.
"""

from __future__ import annotations

from dataclasses import dataclass

GOOD_SPF = "v=spf1 ip4:127.0.31.25 -all"
GOOD_DMARC = "v=DMARC1; p=reject; rua=mailto:dmarc@{d}"


@dataclass(frozen=True)
class Case:
    name: str
    kind: str                 # "spf" or "dmarc": which verdict the case is about
    expected: str             # pass / warn / fail
    records: tuple[str, ...]  # zone lines; {d} is the case's domain
    why: str                  # what decides the verdict

    @property
    def domain(self) -> str:
        return f"{self.name}.test"

    def zone(self) -> list[str]:
        d = self.domain
        lines = [_chunked(line.replace("{d}", d)) for line in self.records]    # not format(): macros use braces
        if self.kind == "spf":          # the other half is sound so only one thing is judged
            lines.append(f'_dmarc.{d}. IN TXT "{GOOD_DMARC.replace("{d}", d)}"')
        else:                           # and the domain receives the reports sent to it
            lines += [f'{d}. IN TXT "{GOOD_SPF}"', f"{d}. IN MX 10 mx.{d}.", f"mx.{d}. IN A 127.0.31.9"]
        lines.append(f"{d}. IN A 127.0.31.1")
        return lines


def _txt(name: str, value: str) -> str:
    return f'{name}. IN TXT "{value}"'


def _chunked(line: str) -> str:
    """A TXT line whose value is over 255 bytes becomes several character-strings, as DNS requires
    (done after {d} is filled in, when the length is known)."""
    name, sep, rest = line.partition(" IN TXT ")
    if not sep or not rest.startswith('"') or rest.count('"') != 2 or len(rest) <= 257:
        return line
    value = rest[1:-1]
    return f"{name}{sep}" + " ".join(f'"{value[i:i + 255]}"' for i in range(0, len(value), 255))


def _includes(d: str, n: int, prefix: str = "i") -> list[str]:
    """n include targets under d, each with a plain ip4 record (no further lookups)."""
    return [_txt(f"{prefix}{k}.{d}", f"v=spf1 ip4:127.0.31.{k} -all") for k in range(1, n + 1)]


def _spf(name: str, expected: str, record: str, why: str, *extra: str) -> Case:
    return Case(name, "spf", expected, (_txt("{d}", record), *extra), why)


def _dmarc(name: str, expected: str, record: str | None, why: str, *extra: str) -> Case:
    lines = ((_txt("_dmarc.{d}", record),) if record else ()) + extra
    return Case(name, "dmarc", expected, lines, why)


D = "{d}"
CASES: list[Case] = [
    # ---- SPF: verdicts -----------------------------------------------------------------
    _spf("spf-good", "pass", GOOD_SPF, "one record, -all"),
    _spf("spf-softfail", "warn", "v=spf1 ip4:127.0.31.25 ~all", "~all is warn (checks.md)"),
    _spf("spf-neutral-all", "fail", "v=spf1 ip4:127.0.31.25 ?all", "?all is fail (checks.md)"),
    _spf("spf-plus-all", "fail", "v=spf1 +all", "+all lets anyone send (checks.md)"),
    _spf("spf-no-all", "fail", "v=spf1 ip4:127.0.31.25",
         "no all and no redirect ends in neutral (RFC 7208 §4.7), the same as ?all"),
    Case("spf-none", "spf", "fail", (_txt(D, "google-site-verification=abc"),), "no SPF record at all"),
    Case("spf-two-records", "spf", "fail", (_txt(D, GOOD_SPF), _txt(D, "v=spf1 -all")),
         "two SPF records are a permerror (§4.5)"),
    Case("spf-version-case", "spf", "pass", (_txt(D, "V=SPF1 ip4:127.0.31.25 -all"),),
         "the version is matched case-insensitively (§4.5, ABNF strings, RFC 5234 §2.3)"),
    Case("spf-v-spf10", "spf", "fail", (_txt(D, "v=spf10 -all"),),
         "v=spf10 is not v=spf1 followed by a space: no SPF record (§4.5)"),
    Case("spf-split-strings", "spf", "pass",
         ('{d}. IN TXT "v=spf1 ip4:127.0.31.25 " "ip4:127.0.31.26 -all"',),
         "character-strings of one TXT record are joined without spaces (§3.3)"),
    # ---- SPF: the lookup limit -----------------------------------------------------------
    _spf("spf-ten-lookups", "pass", "v=spf1 " + " ".join(f"include:i{k}.{D}" for k in range(1, 11)) + " -all",
         "exactly 10 DNS-querying terms is within the limit (§4.6.4)", *_includes(D, 10)),
    _spf("spf-eleven-lookups", "fail", "v=spf1 " + " ".join(f"include:i{k}.{D}" for k in range(1, 12)) + " -all",
         "11 DNS-querying terms is a permerror (§4.6.4)", *_includes(D, 11)),
    _spf("spf-nested-eleven", "fail", f"v=spf1 include:a.{D} include:b.{D} -all",
         "nested includes count toward one limit: 2 + 5 + 4 = 11 (§4.6.4)",
         _txt(f"a.{D}", "v=spf1 " + " ".join(f"include:i{k}.{D}" for k in range(1, 6)) + " -all"),
         _txt(f"b.{D}", "v=spf1 " + " ".join(f"include:i{k}.{D}" for k in range(6, 10)) + " -all"),
         *_includes(D, 9)),
    _spf("spf-nested-ok", "pass", f"v=spf1 include:a.{D} -all",
         "three levels of includes, 3 lookups",
         _txt(f"a.{D}", f"v=spf1 include:b.{D} -all"), _txt(f"b.{D}", f"v=spf1 include:i1.{D} -all"),
         *_includes(D, 1)),
    _spf("spf-a-mx-count", "fail",
         f"v=spf1 a mx a:x.{D} mx:x.{D} a:y.{D} mx:y.{D} include:i1.{D} include:i2.{D} "
         f"include:i3.{D} include:i4.{D} exists:x.{D} -all",
         "a, mx and exists count like include: 11 (§4.6.4)",
         "{d}. IN MX 10 x.{d}.", "x.{d}. IN A 127.0.31.3", "x.{d}. IN MX 10 x.{d}.",
         "y.{d}. IN A 127.0.31.4", "y.{d}. IN MX 10 x.{d}.", *_includes(D, 4)),
    _spf("spf-after-all", "warn", "v=spf1 ip4:127.0.31.25 -all " + " ".join(f"include:i{k}.{D}" for k in range(1, 12)),
         "terms after all are never evaluated (§5.1): they do not count, and what they were meant to "
         "authorise is not authorised: warn", *_includes(D, 11)),
    _spf("spf-redirect-with-all", "warn", "v=spf1 ip4:127.0.31.25 redirect=nowhere.invalid-zone.test -all",
         "redirect is ignored when the record has an all (§6.1): what it was meant to add is lost: warn"),
    # ---- SPF: include and redirect --------------------------------------------------------
    _spf("spf-redirect", "pass", f"v=spf1 redirect=_spf.{D}", "redirect target ends in -all (§6.1)",
         _txt(f"_spf.{D}", "v=spf1 ip4:127.0.31.25 -all")),
    _spf("spf-redirect-softfail", "warn", f"v=spf1 redirect=_spf.{D}", "the redirect target's ~all decides",
         _txt(f"_spf.{D}", "v=spf1 ip4:127.0.31.25 ~all")),
    _spf("spf-redirect-no-all", "fail", f"v=spf1 redirect=_spf.{D}",
         "the redirect target ends without all: neutral for unlisted senders (§4.7, §6.1)",
         _txt(f"_spf.{D}", "v=spf1 ip4:127.0.31.25")),
    _spf("spf-redirect-missing", "fail", f"v=spf1 redirect=_spf.{D}",
         "a redirect target without SPF is a permerror (§6.1)", _txt(f"_spf.{D}", "not spf")),
    _spf("spf-include-missing", "fail", f"v=spf1 include:_spf.{D} -all",
         "an include target without SPF is a permerror (§5.2)", _txt(f"_spf.{D}", "just text")),
    _spf("spf-include-nxdomain", "fail", f"v=spf1 include:gone.{D} -all",
         "an include target that does not exist is a permerror (§5.2)"),
    _spf("spf-include-loop", "fail", f"v=spf1 include:a.{D} -all", "a includes b includes a: a loop",
         _txt(f"a.{D}", f"v=spf1 include:b.{D} -all"), _txt(f"b.{D}", f"v=spf1 include:a.{D} -all")),
    _spf("spf-self-include", "fail", f"v=spf1 include:{D} -all", "a record that includes itself loops"),
    _spf("spf-redirect-loop", "fail", f"v=spf1 redirect=a.{D}", "redirects in a circle",
         _txt(f"a.{D}", f"v=spf1 redirect=b.{D}"), _txt(f"b.{D}", f"v=spf1 redirect=a.{D}")),
    _spf("spf-child-syntax", "fail", f"v=spf1 include:a.{D} -all",
         "a syntax error in an included record is a permerror for the whole (§5.2)",
         _txt(f"a.{D}", "v=spf1 ip4:127.0.31.500 -all")),
    _spf("spf-include-equals", "warn", f"v=spf1 ip4:127.0.31.25 include=_spf.{D} -all",
         "include=… is an unknown modifier that receivers ignore (§6): the include the author meant "
         "is missing: warn",
         _txt(f"_spf.{D}", "v=spf1 ip4:127.0.31.26 -all")),
    # ---- SPF: void lookups ------------------------------------------------------------------
    _spf("spf-void-two", "warn", f"v=spf1 a:nx1.{D} a:nx2.{D} ip4:127.0.31.25 -all",
         "two void lookups are allowed (§4.6.4) but name things that do not exist; one more breaks SPF: warn"),
    _spf("spf-void-three", "fail", f"v=spf1 a:nx1.{D} a:nx2.{D} mx:nx3.{D} ip4:127.0.31.25 -all",
         "more than two void lookups is a permerror (§4.6.4)"),
    # ---- SPF: syntax ----------------------------------------------------------------------
    _spf("spf-unknown-mechanism", "fail", "v=spf1 ip4:127.0.31.25 foo:bar -all",
         "an unknown mechanism is a permerror (§5)"),
    _spf("spf-bad-ip4", "fail", "v=spf1 ip4:300.1.1.1 -all", "not an IPv4 address (§5.6)"),
    _spf("spf-bad-cidr", "fail", "v=spf1 ip4:127.0.31.0/33 -all", "an IPv4 prefix is at most 32 (§5.6)"),
    _spf("spf-ip6-in-ip4", "fail", "v=spf1 ip4:2001:db8::1 -all", "ip4 with an IPv6 address (§5.6)"),
    _spf("spf-ip6-good", "pass", "v=spf1 ip6:2001:db8::/32 ip4:127.0.31.25 -all", "ip6 networks are fine"),
    _spf("spf-dual-cidr-bad", "fail", "v=spf1 a//129 -all", "an IPv6 prefix is at most 128 (§5.6)"),
    _spf("spf-a-cidr", "pass", "v=spf1 a/24 -all", "a with a prefix is fine (§5.3)"),
    _spf("spf-all-argument", "fail", "v=spf1 -all:x.test", "all takes no argument (§5.1)"),
    _spf("spf-two-redirects", "fail", f"v=spf1 redirect=a.{D} redirect=b.{D}",
         "redirect may appear once (§6)", _txt(f"a.{D}", GOOD_SPF), _txt(f"b.{D}", GOOD_SPF)),
    _spf("spf-no-fqdn", "fail", "v=spf1 include:localhost -all",
         "a domain-spec must end in a dot and a top label (§7.1 domain-end)"),
    _spf("spf-bad-macro", "fail", "v=spf1 exists:%{z}.x.test -all", "z is not a macro letter (§7.2)"),
    _spf("spf-macro-exists", "pass", "v=spf1 exists:%{i}._spf.{d} -all",
         "exists with a macro is valid; what it matches depends on the sender (§5.7)",
         "127.0.31.25._spf.{d}. IN A 127.0.0.2"),
    _spf("spf-exp", "pass", f"v=spf1 ip4:127.0.31.25 exp=explain.{D} -all", "exp= is a valid modifier (§6.2)",
         _txt(f"explain.{D}", "%{i} is not one of our servers")),
    # ---- SPF: mx --------------------------------------------------------------------------
    _spf("spf-mx-ok", "pass", "v=spf1 mx -all", "mx with two MX hosts",
         "{d}. IN MX 10 m1.{d}.", "{d}. IN MX 20 m2.{d}.", "m1.{d}. IN A 127.0.31.5", "m2.{d}. IN A 127.0.31.6"),
    _spf("spf-mx-over-ten", "fail", "v=spf1 mx -all",
         "an mx mechanism may not look up more than 10 MX hosts (§4.6.4)",
         *(f"{{d}}. IN MX {k} m{k}.{{d}}." for k in range(1, 12)),
         *(f"m{k}.{{d}}. IN A 127.0.31.{k}" for k in range(1, 12))),
    # ---- DMARC ----------------------------------------------------------------------------
    _dmarc("dmarc-reject", "pass", "v=DMARC1; p=reject; rua=mailto:d@{d}", "enforcing, with reports"),
    _dmarc("dmarc-quarantine", "pass", "v=DMARC1; p=quarantine; rua=mailto:d@{d}", "enforcing, with reports"),
    _dmarc("dmarc-none", "warn", "v=DMARC1; p=none; rua=mailto:d@{d}", "p=none is warn (checks.md)"),
    _dmarc("dmarc-none-no-rua", "warn", "v=DMARC1; p=none", "p=none without reports"),
    _dmarc("dmarc-missing", "fail", None, "no DMARC record"),
    _dmarc("dmarc-two", "fail", "v=DMARC1; p=reject", "two DMARC records: none applies (RFC 7489 §6.6.3)",
           _txt("_dmarc.{d}", "v=DMARC1; p=none")),
    _dmarc("dmarc-bad-p", "fail", "v=DMARC1; p=block; rua=mailto:d@{d}",
           "a syntax error is fail (checks.md); p must be none, quarantine or reject (RFC 7489 §6.3)"),
    _dmarc("dmarc-no-p", "fail", "v=DMARC1; rua=mailto:d@{d}",
           "a syntax error is fail (checks.md): p is required (RFC 7489 §6.3); with a valid rua "
           "receivers act as p=none (§6.6.3)"),
    _dmarc("dmarc-pct-25", "warn", "v=DMARC1; p=reject; pct=25; rua=mailto:d@{d}",
           "pct=25 applies the policy to a quarter of failing mail (§6.3)"),
    _dmarc("dmarc-pct-150", "fail", "v=DMARC1; p=reject; pct=150",
           "a syntax error is fail (checks.md): pct is 0-100 (RFC 7489 §6.3); receivers discard it "
           "for the default"),
    _dmarc("dmarc-bad-rua", "fail", "v=DMARC1; p=reject; rua=d@{d}",
           "a syntax error is fail (checks.md): rua holds URIs (RFC 7489 §6.3, §6.2); receivers drop it"),
    _dmarc("dmarc-wrong-order", "fail", "p=reject; v=DMARC1", "v=DMARC1 must come first (§6.3)"),
    _dmarc("dmarc-bad-adkim", "fail", "v=DMARC1; p=reject; adkim=x",
           "a syntax error is fail (checks.md): adkim is r or s (RFC 7489 §6.3); receivers use r"),
    _dmarc("dmarc-external-unauthorised", "warn", "v=DMARC1; p=reject; rua=mailto:agg@reports-a.test",
           "an external rua domain without {d}._report._dmarc authorization drops the reports (§7.1)"),
    _dmarc("dmarc-external-authorised", "pass", "v=DMARC1; p=reject; rua=mailto:agg@reports-b.test",
           "the external rua domain published its authorization (§7.1)",
           _txt("{d}._report._dmarc.reports-b.test", "v=DMARC1")),
    _dmarc("dmarc-rua-no-mx", "warn", "v=DMARC1; p=reject; rua=mailto:d@nomail.{d}",
           "the report mailbox's domain has no MX and no address: the reports cannot be delivered (RFC 5321 §5.1)"),
    Case("dmarc-org-fallback", "dmarc", "pass",
         (_txt("_dmarc.dmarc-org-parent.test", "v=DMARC1; p=reject; rua=mailto:d@dmarc-org-parent.test"),),
         "a subdomain without a record uses the organizational domain's (§6.6.3)"),
]

# the org-fallback case audits a subdomain of a registrable domain
SUBDOMAIN_OF = {"dmarc-org-fallback": "mail.dmarc-org-parent.test"}


def audited_domain(case: Case) -> str:
    return SUBDOMAIN_OF.get(case.name, case.domain)


def zone_text() -> str:
    lines = ["$TTL 300", "test. IN SOA ns.corpus.test. hostmaster.corpus.test. 1 3600 600 86400 300"]
    for case in CASES:
        lines += case.zone()
    lines.append("mail.dmarc-org-parent.test. IN A 127.0.31.2")
    for reports in ("reports-a.test", "reports-b.test", "dmarc-org-parent.test"):
        lines += [f"{reports}. IN MX 10 mx.{reports}.", f"mx.{reports}. IN A 127.0.31.8"]
    return "\n".join(lines) + "\n"


def profile_yaml(domain: str, nameserver: str, timeout_s: float = 3) -> str:
    """The smallest client profile that audits ``domain``'s mail records through ``nameserver``."""
    return f"""
client: corpus-{domain.replace(".", "-")}
founder: {{name: Corpus, email: corpus@example.test}}
domain: {domain}
canonical: https://{domain}
scope: {{hosts: [{domain}]}}
network: {{nameservers: ["{nameserver}"], timeout_s: {timeout_s}}}
"""
