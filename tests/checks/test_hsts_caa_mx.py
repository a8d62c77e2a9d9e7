"""S2.hsts, S2.caa, S2.mx: the parsers and judges as tables, the checks against both demo shops."""

from __future__ import annotations

import pytest
from launch_audit.checks import catalog
from launch_audit.checks.caa import judge_caa, parse_caa
from launch_audit.checks.hsts import judge_hsts, parse_hsts
from launch_audit.checks.mx import judge_mx
from launch_audit.checks.runner import run_checks
from launch_audit.findings import Status
from launch_audit.profile_loader import load_profile

from tests.conftest import TEST_LAYOUT
from tests.helpers import LoopbackDNS, servfail, with_nameserver


@pytest.mark.parametrize("value, max_age, sub, preload, problems", [
    ("max-age=31536000; includeSubDomains; preload", 31536000, True, True, 0),
    ("MAX-AGE=300", 300, False, False, 0),                       # directive names are case-insensitive
    ('max-age="31536000"', 31536000, False, False, 0),           # quoted values are allowed
    ("max-age=31536000;;includesubdomains", 31536000, True, False, 0),
    ("max-age=31536000; unknown=1", 31536000, False, False, 0),  # unknown directives are ignored
    ("includeSubDomains", None, True, False, 1),                 # no max-age: ignored by browsers
    ("max-age=abc", None, False, False, 1),
    ("max-age=1; max-age=2", 1, False, False, 1),                # a directive twice makes it invalid
    ("max-age=-5", None, False, False, 1),
])
def test_parse_hsts(value, max_age, sub, preload, problems):
    p = parse_hsts(value)
    assert (p.max_age, p.include_subdomains, p.preload, len(p.problems)) == (max_age, sub, preload, problems)


@pytest.mark.parametrize("values, expected", [
    ([], Status.FAIL),
    (["max-age=31536000; includeSubDomains"], Status.PASS),
    (["max-age=15768000"], Status.PASS),                         # exactly six months meets the bar
    (["max-age=15767999"], Status.WARN),
    (["max-age=0"], Status.FAIL),                                # tells browsers to forget
    (["includeSubDomains"], Status.FAIL),
    (["max-age=300", "max-age=31536000"], Status.WARN),         # browsers use the first
])
def test_judge_hsts(values, expected):
    assert judge_hsts(values)[0] is expected


@pytest.mark.parametrize("records, expected, says", [
    ([], Status.WARN, "any certificate authority"),
    (['0 issue "letsencrypt.org"', '0 iodef "mailto:sec@x.test"'], Status.PASS, "letsencrypt.org"),
    (['0 issue "letsencrypt.org"'], Status.PASS, "no iodef"),
    (['0 issue ";"'], Status.PASS, "nobody"),                    # no CA at all: deliberate
    (['0 issuewild "pki.goog"'], Status.PASS, "wildcards: pki.goog"),
    (['0 iodef "mailto:sec@x.test"'], Status.WARN, "restrict nothing"),
    (['128 tbs "x"', '0 issue "letsencrypt.org"'], Status.FAIL, "renewals will fail"),
    (['128 issue "letsencrypt.org"'], Status.PASS, "letsencrypt.org"),   # critical on a known tag is fine
    (["garbage"], Status.FAIL, "unparsable"),
])
def test_judge_caa(records, expected, says):
    status, text = judge_caa(records)
    assert status is expected and says in text


def test_parse_caa():
    assert parse_caa('0 issue "letsencrypt.org; validationmethods=dns-01"') == (
        0, "issue", "letsencrypt.org; validationmethods=dns-01")
    assert parse_caa("300 issue x") is None


@pytest.mark.parametrize("records, resolving, receives, sends, expected", [
    (["10 mail.x.test."], {"mail.x.test": True}, True, True, Status.PASS),
    ([], {}, True, True, Status.FAIL),
    (["0 ."], {}, True, True, Status.FAIL),                      # null MX on a domain that receives mail
    (["10 a.x.test.", "20 b.x.test."], {"a.x.test": True, "b.x.test": False}, True, True, Status.WARN),
    (["10 a.x.test."], {"a.x.test": False}, True, True, Status.FAIL),
    (["0 ."], {}, False, False, Status.PASS),
    ([], {}, False, False, Status.WARN),                         # advice: null MX and v=spf1 -all
    (["10 mail.x.test."], {"mail.x.test": True}, False, True, Status.WARN),
])
def test_judge_mx(records, resolving, receives, sends, expected):
    status, text = judge_mx(records, resolving, receives=receives, sends=sends)
    assert status is expected
    if not receives and not sends and status is Status.WARN:
        assert "v=spf1 -all" in text


CHECKS = [catalog.get(c) for c in ("S2.hsts", "S2.caa", "S2.mx")]


async def test_on_the_demo_hsts_and_caa_are_missing(demo_profile):
    findings = await run_checks(demo_profile, CHECKS)
    by = {(f.check_id, f.target): f for f in findings}
    hsts = [f for f in findings if f.check_id == "S2.hsts"]
    assert len(hsts) == len(demo_profile.hosts) and all(f.status is Status.FAIL for f in hsts)
    assert "no Strict-Transport-Security" in hsts[0].evidence
    assert by[("S2.caa", demo_profile.domain)].status is Status.WARN
    mx = by[("S2.mx", demo_profile.domain)]
    assert mx.status is Status.PASS and "mail.brightbrew.test" in mx.evidence


async def test_on_the_hardened_twin_they_pass(hardened_profile):
    findings = await run_checks(hardened_profile, CHECKS)
    assert {f.status for f in findings} == {Status.PASS}, [(f.check_id, f.target, f.evidence) for f in findings]
    caa = next(f for f in findings if f.check_id == "S2.caa")
    assert "letsencrypt.org" in caa.evidence and "mailto:security@" in caa.evidence


def _mail_host_servfails(domain: str):
    """A nameserver's answers: the domain's MX names two hosts, one with no address record and one whose
    address lookup fails (SERVFAIL). The first is an answer, the second says nothing."""
    from dnslib import MX, QTYPE, RR

    def answer(request):
        name = str(request.q.qname).rstrip(".")
        if name == domain and request.q.qtype == QTYPE.MX:
            reply = request.reply()
            reply.add_answer(RR(domain, QTYPE.MX, rdata=MX(f"noaddr.{domain}", 10), ttl=60))
            reply.add_answer(RR(domain, QTYPE.MX, rdata=MX(f"broken.{domain}", 20), ttl=60))
            return reply
        return request.reply() if name == f"noaddr.{domain}" else servfail(request)
    return answer


async def test_a_mail_host_whose_lookup_fails_is_an_error_not_a_missing_address(shop, demo_profile, tmp_path):
    # a failed lookup says nothing about the mail host: the check errors, never fails the domain's mail
    server = LoopbackDNS(TEST_LAYOUT.ip(114), _mail_host_servfails(demo_profile.domain))
    try:
        profile = load_profile(with_nameserver(shop, tmp_path, server.address))
        [mx] = await run_checks(profile, [catalog.get("S2.mx")])
    finally:
        server.close()
    assert mx.status is Status.ERROR, mx.evidence
    assert f"broken.{demo_profile.domain}" in mx.evidence and "SERVFAIL" in mx.evidence.upper()
