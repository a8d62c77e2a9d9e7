"""SPF: the record parser and macro expansion as tables; check_host() for real IPs against the corpus zone on a
loopback DNS server; S2.spf on both demo shops (the unhardened one is one lookup over the limit)."""

from __future__ import annotations

import pytest
from launch_audit.checks import catalog
from launch_audit.checks.runner import run_checks
from launch_audit.demo.layout import DOMAIN
from launch_audit.findings import Status
from launch_audit.mailauth.spf import check_host, expand_macros, is_spf, parse_record
from launch_audit.net.resolver import Resolver

from tests.conftest import TEST_LAYOUT
from tests.helpers import ServfailDNS


@pytest.mark.parametrize("record, problem", [
    ("v=spf1 -all", None),
    ("v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 a mx/24 a:mail.x.test/28//64 -all", None),
    ("v=spf1 include:_spf.x.test ~all", None),
    ("v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d} -all", None),
    ("v=spf1 redirect=_spf.x.test", None),
    ("v=spf1 ptr:x.test -all", None),
    ("v=spf1 ip4:192.0.2.1 exp=explain.x.test -all", None),
    ("v=spf1 ip4:192.0.2.1 foo=bar -all", None),             # unknown modifiers are allowed
    ("V=SPF1 -ALL", None),
    ("v=spf1 ip4:192.0.2.256 -all", "not an ip4"),
    ("v=spf1 ip4:192.0.2.0/33 -all", "not an ip4"),
    ("v=spf1 ip6:192.0.2.1 -all", "not an ip6"),
    ("v=spf1 ip4 -all", "not an ip4"),
    ("v=spf1 a//129 -all", "out of range"),
    ("v=spf1 a:x.test/40 -all", "out of range"),
    ("v=spf1 include -all", "empty domain"),
    ("v=spf1 include:x -all", "fully qualified"),
    ("v=spf1 include:x.123 -all", "fully qualified"),
    ("v=spf1 exists:%{q}.x.test -all", "unknown macro letter"),
    ("v=spf1 exists:%{i.x.test -all", "bad macro"),
    ("v=spf1 mx:x.test:25 -all", "fully qualified"),
    ("v=spf1 ptr/24 -all", "bad argument"),
    ("v=spf1 -all:x.test", "no argument"),
    ("v=spf1 allow -all", "unknown mechanism"),
    ("v=spf1 redirect=a.test redirect=b.test", "more than once"),
    ("v=spf1 exp=a.test exp=b.test -all", "more than once"),
    ("spf1 -all", "v=spf1"),
])
def test_parse_record(record, problem):
    _, problems, _ = parse_record(record)
    if problem is None:
        assert problems == []
    else:
        assert problems and problem in problems[0]


@pytest.mark.parametrize("record, warning", [
    ("v=spf1 -all include:x.test", "after all"),
    ("v=spf1 ip4:192.0.2.1 redirect=x.test -all", "redirect= is ignored"),
    ("v=spf1 include=x.test -all", "did you mean include:"),
    ("v=spf1 ptr -all", "ptr is slow"),
])
def test_parse_record_warns_about_what_receivers_ignore(record, warning):
    _, problems, notes = parse_record(record)
    assert problems == [] and any(warning in n for n in notes)


@pytest.mark.parametrize("txt, spf", [("v=spf1", True), ("v=spf1 -all", True), ("V=Spf1 mx", True),
                                      ("v=spf10 -all", False), ("v=spf1-all", False), ("spf2.0/pra -all", False)])
def test_is_spf(txt, spf):
    assert is_spf(txt) is spf


@pytest.mark.parametrize("spec, expanded", [   # RFC 7208 §7.4's own examples
    ("%{s}", "strong-bad@email.example.com"),
    ("%{o}", "email.example.com"),
    ("%{d}", "email.example.com"),
    ("%{d4}", "email.example.com"),
    ("%{d3}", "email.example.com"),
    ("%{d2}", "example.com"),
    ("%{d1}", "com"),
    ("%{dr}", "com.example.email"),
    ("%{d2r}", "example.email"),
    ("%{l}", "strong-bad"),
    ("%{l-}", "strong.bad"),
    ("%{lr}", "strong-bad"),
    ("%{lr-}", "bad.strong"),
    ("%{l1r-}", "strong"),
    ("%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com"),
    ("%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com"),
    ("%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net"),
    ("%%%_%-", "% %20"),
])
def test_expand_macros_rfc_examples(spec, expanded):
    assert expand_macros(spec, ip="192.0.2.3", sender="strong-bad@email.example.com",
                         domain="email.example.com") == expanded


def test_expand_macros_ipv6_nibbles():
    assert expand_macros("%{ir}.%{v}._spf.%{d2}", ip="2001:db8::cb01", sender="a@email.example.com",
                         domain="email.example.com") == (
        "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com")


@pytest.mark.parametrize("domain, ip, result", [
    ("spf-good.test", "127.0.31.25", "pass"),
    ("spf-good.test", "127.0.31.99", "fail"),
    ("spf-softfail.test", "127.0.31.99", "softfail"),
    ("spf-neutral-all.test", "127.0.31.99", "neutral"),
    ("spf-no-all.test", "127.0.31.99", "neutral"),
    ("spf-none.test", "127.0.31.25", "none"),
    ("spf-two-records.test", "127.0.31.25", "permerror"),
    ("spf-ten-lookups.test", "127.0.31.10", "pass"),          # the last include matches, 10 lookups
    ("spf-eleven-lookups.test", "127.0.31.11", "permerror"),  # the 11th include is one too many
    ("spf-eleven-lookups.test", "127.0.31.1", "pass"),        # matched before the limit is reached
    ("spf-nested-ok.test", "127.0.31.1", "pass"),
    ("spf-redirect.test", "127.0.31.25", "pass"),
    ("spf-redirect.test", "127.0.31.99", "fail"),
    ("spf-redirect-missing.test", "127.0.31.25", "permerror"),
    ("spf-include-missing.test", "127.0.31.25", "permerror"),
    ("spf-include-loop.test", "127.0.31.25", "permerror"),
    ("spf-child-syntax.test", "127.0.31.25", "permerror"),
    ("spf-void-three.test", "127.0.31.25", "permerror"),      # three void lookups before ip4 is reached
    ("spf-void-two.test", "127.0.31.25", "pass"),
    ("spf-mx-ok.test", "127.0.31.6", "pass"),
    ("spf-mx-ok.test", "127.0.31.7", "fail"),
    ("spf-mx-over-ten.test", "127.0.31.1", "permerror"),
    ("spf-a-cidr.test", "127.0.31.200", "pass"),              # a/24 of 127.0.31.1
    ("spf-a-cidr.test", "127.0.32.1", "fail"),
    ("spf-ip6-good.test", "2001:db8:1::5", "pass"),
    ("spf-after-all.test", "127.0.31.3", "fail"),             # the includes after -all never count
    ("spf-unknown-mechanism.test", "127.0.31.25", "permerror"),
])
async def test_check_host(domain, ip, result, corpus_nameserver):
    dns = Resolver([corpus_nameserver], 2)
    found = await check_host(dns, ip, domain, f"bounce@{domain}")
    assert found.result == result, found


async def test_check_host_macro_exists(corpus_nameserver):
    # Given exists:%{i}._spf.<domain>, and an A record at that name for one sender's IP only
    dns = Resolver([corpus_nameserver], 2)
    for ip, result in (("127.0.31.25", "pass"), ("127.0.31.77", "fail")):
        assert (await check_host(dns, ip, "spf-macro-exists.test", "a@spf-macro-exists.test")).result == result


async def test_check_host_temperror_on_servfail():
    server = ServfailDNS(TEST_LAYOUT.ip(113))
    try:
        found = await check_host(Resolver([server.address], 1), "127.0.31.25", "x.test", "a@x.test")
    finally:
        server.close()
    assert found.result == "temperror" and "SERVFAIL" in found.mechanism


async def test_demo_spf_is_over_the_limit_and_the_hardened_twin_passes(demo_profile, hardened_profile):
    weak = (await run_checks(demo_profile, [catalog.get("S2.spf")]))[0]
    assert weak.status is Status.FAIL and weak.target == DOMAIN
    assert "11 DNS-querying terms" in weak.evidence and "~all" in weak.evidence
    assert "include:spf.crm.test  [3 lookups]" in weak.evidence           # the expanded tree is the evidence
    assert weak.details["lookups"] == 11
    strong = (await run_checks(hardened_profile, [catalog.get("S2.spf")]))[0]
    assert strong.status is Status.PASS and strong.details["lookups"] == 1
