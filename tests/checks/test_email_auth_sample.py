"""S2.email_auth_sample: header facts and the verdict as tables; real messages verified through the demo's DNS
(DKIM keys, SPF, DMARC): the demo's provider-signed mail fails alignment, the hardened twin's passes, and
tampered, unsigned, misrouted and unreadable samples each fail or error for their own reason."""

from __future__ import annotations

import re

import pytest
from launch_audit.checks import catalog
from launch_audit.checks.runner import run_checks
from launch_audit.findings import Status
from launch_audit.mailauth.message import DkimOutcome, Facts, judge_sample, read_facts
from launch_audit.mailauth.spf import SpfResult

SAMPLE = "evidence/reset-email.eml"


def facts(**kw) -> Facts:
    base = dict(from_domains=["shop.test"], mail_from="bounce@shop.test", client_ip="192.0.2.1", helo="mx.shop.test",
                provider_results={}, signatures=[{"d": "shop.test", "s": "s1"}])
    return Facts(**{**base, **kw})


OK_DKIM = [DkimOutcome("shop.test", "s1", True, key_bits=2048)]
SPF_PASS = SpfResult("pass", "shop.test", "shop.test: ip4:192.0.2.1")


@pytest.mark.parametrize("fx, dkim, spf, dmarc, expected, says", [
    (facts(), OK_DKIM, SPF_PASS, {"p": "reject"}, "pass", "pass and align"),
    (facts(), OK_DKIM, None, {"p": "reject"}, "pass", "SPF: not evaluated"),
    (facts(), OK_DKIM, SpfResult("fail", "shop.test", "-all"), {"p": "reject"}, "fail", "SPF fail"),
    (facts(), OK_DKIM, SpfResult("softfail", "shop.test", "~all"), {"p": "reject"}, "fail", "SPF softfail"),
    (facts(), OK_DKIM, SpfResult("permerror", "shop.test", "11 lookups"), None, "fail", "SPF permerror"),
    (facts(), OK_DKIM, SpfResult("temperror", "shop.test", "SERVFAIL"), None, "error", "SERVFAIL"),
    (facts(), [], SPF_PASS, {"p": "reject"}, "fail", "not DKIM-signed"),
    (facts(), [DkimOutcome("shop.test", "s1", False, "body hash mismatch")], SPF_PASS, None, "fail", "body hash"),
    (facts(), [DkimOutcome("mailer.test", "pm", True)], SpfResult("pass", "mailer.test", "ip4"), None,
     "fail", "DMARC fails"),
    (facts(), [DkimOutcome("mail.shop.test", "s1", True)], None, {"p": "reject"}, "pass", "DMARC pass"),
    (facts(), [DkimOutcome("mail.shop.test", "s1", True)], None, {"p": "reject", "adkim": "s"}, "fail",
     "not aligned with From shop.test (adkim=s)"),
    (facts(mail_from="b@bounce.shop.test"), OK_DKIM, SpfResult("pass", "bounce.shop.test", "ip4"),
     {"p": "reject", "aspf": "s"}, "pass", "via DKIM"),
    (facts(from_domains=["shop.test", "evil.test"]), OK_DKIM, SPF_PASS, None, "fail", "2 domain(s)"),
    (facts(from_domains=[]), OK_DKIM, SPF_PASS, None, "fail", "no domain"),
    (facts(provider_results={"dmarc": "pass"}), OK_DKIM, None, None, "pass", "receiving server said: dmarc=pass"),
])
def test_judge_sample(fx, dkim, spf, dmarc, expected, says):
    verdict = judge_sample(fx, dkim, spf, dmarc)
    assert verdict.status == expected and says in verdict.evidence, verdict.evidence


def test_read_facts_takes_the_receivers_topmost_headers():
    raw = (b"Return-Path: <b+1@mailer.test>\r\n"
           b"Authentication-Results: mx.rcpt.test;\r\n\tspf=pass smtp.mailfrom=mailer.test;\r\n"
           b"\tdkim=FAIL header.d=x.test; dmarc=fail header.from=shop.test\r\n"
           b"Received: from out.mailer.test (out.mailer.test [192.0.2.26])\r\n\tby mx.rcpt.test; Mon, 1 Jan 2026\r\n"
           b"Authentication-Results: forged.test; dmarc=pass\r\n"
           b"Received: from attacker (attacker [198.51.100.1]) by relay\r\n"
           b"DKIM-Signature: v=1; a=rsa-sha256; d=Mailer.test;\r\n s=pm; h=from; bh=x; b=y\r\n"
           b"From: \"Shop\" <no-reply@Shop.Test>\r\nSubject: hi\r\n\r\nbody\r\n")
    f = read_facts(raw)
    assert f.from_domains == ["shop.test"] and f.mail_from == "b+1@mailer.test" and f.mail_from_domain == "mailer.test"
    assert f.client_ip == "192.0.2.26" and f.helo == "out.mailer.test"
    assert f.provider_results == {"spf": "pass", "dkim": "fail", "dmarc": "fail"}
    assert f.signatures == [{"d": "mailer.test", "s": "pm"}]


def test_read_facts_ipv6_and_missing_headers():
    f = read_facts(b"Received: from a (a [IPv6:2001:db8::25]) by b\r\nFrom: x@y.test\r\n\r\n")
    assert f.client_ip == "2001:db8::25" and f.mail_from is None and f.mail_from_domain is None
    assert read_facts(b"Subject: nothing\r\n\r\n").from_domains == []


def with_samples(profile, *paths):
    email = profile.email.model_copy(update={"samples": [str(p) for p in paths]})
    return profile.model_copy(update={"email": email})


async def sample_findings(profile, *paths):
    return await run_checks(with_samples(profile, *paths) if paths else profile, [catalog.get("S2.email_auth_sample")])


async def test_demo_mail_is_signed_by_the_provider_and_fails_alignment(demo_profile):
    [f] = await sample_findings(demo_profile)
    assert f.status is Status.FAIL and "DMARC fails" in f.evidence
    assert "DKIM d=mailer.test s=pm: verified (RSA 2048), not aligned" in f.evidence
    assert "SPF pass for 127.0.20.26 sending as mailer.test" in f.evidence
    assert "receiving server said: dkim=pass dmarc=fail spf=pass" in f.evidence
    assert "token=" not in f.evidence                     # nothing of the body (the reset link) is repeated


async def test_hardened_mail_passes(hardened_profile):
    [f] = await sample_findings(hardened_profile)
    assert f.status is Status.PASS, f.evidence
    assert "d=brightbrew.test s=s1: verified (RSA 2048), aligned" in f.evidence and "DMARC pass" in f.evidence


@pytest.fixture
def hardened_raw(hardened_shop) -> bytes:
    return (hardened_shop.state_dir / SAMPLE).read_bytes()


async def test_tampered_body_fails_dkim(hardened_profile, hardened_raw, tmp_path):
    path = tmp_path / "tampered.eml"
    path.write_bytes(hardened_raw.replace(b"The link expires in 30 minutes.", b"The link never expires."))
    [f] = await sample_findings(hardened_profile, path)
    assert f.status is Status.FAIL and "body hash mismatch" in f.evidence
    assert "DMARC pass" in f.evidence                     # still aligned through SPF; DKIM's failure is the finding


async def test_unsigned_mail_from_an_unlisted_server(hardened_profile, hardened_raw, tmp_path):
    unsigned = re.sub(rb"DKIM-Signature:.*?\r?\n(?=[^ \t])", b"", hardened_raw, flags=re.S)
    path = tmp_path / "unsigned.eml"
    path.write_bytes(unsigned.replace(b"[127.0.21.25]", b"[127.0.21.99]"))
    [f] = await sample_findings(hardened_profile, path)
    assert f.status is Status.FAIL
    assert "not DKIM-signed" in f.evidence and "SPF fail for 127.0.21.99" in f.evidence and "DMARC fails" in f.evidence


async def test_signature_whose_selector_has_no_key(hardened_profile, hardened_raw, tmp_path):
    path = tmp_path / "nokey.eml"
    path.write_bytes(hardened_raw.replace(b"; s=s1;", b"; s=gone;", 1))
    [f] = await sample_findings(hardened_profile, path)
    assert f.status is Status.FAIL and "DKIM d=brightbrew.test s=gone fails" in f.evidence


async def test_missing_sample_is_an_error_and_the_others_still_judged(hardened_profile, hardened_shop, tmp_path):
    good = hardened_shop.state_dir / SAMPLE
    found = {f.target: f for f in await sample_findings(hardened_profile, tmp_path / "nope.eml", good)}
    assert found[str(tmp_path / "nope.eml")].status is Status.ERROR
    assert "cannot read the sample" in found[str(tmp_path / "nope.eml")].evidence
    assert found[str(good)].status is Status.PASS
