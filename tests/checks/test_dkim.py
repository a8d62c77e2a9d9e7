"""S2.dkim: records and real keys as a table; the check against both demo shops and a missing selector."""

from __future__ import annotations

import base64
import re

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from launch_audit.checks import catalog
from launch_audit.checks.dkim import judge_dkim
from launch_audit.mailauth.tags import parse_tags
from launch_audit.checks.runner import run_checks
from launch_audit.demo.layout import DOMAIN
from launch_audit.findings import Status
from launch_audit.profile_loader import load_profile


def spki(key) -> str:
    return base64.b64encode(key.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)).decode()


RSA1024 = spki(rsa.generate_private_key(public_exponent=65537, key_size=1024))
RSA2048 = spki(rsa.generate_private_key(public_exponent=65537, key_size=2048))
ED = base64.b64encode(ed25519.Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()
EC = spki(ec.generate_private_key(ec.SECP256R1()))


@pytest.mark.parametrize("record, expected, says", [
    (f"v=DKIM1; k=rsa; p={RSA2048}", Status.PASS, "RSA 2048 bits"),
    (f"v=DKIM1; p={RSA2048}", Status.PASS, "RSA 2048"),                       # k defaults to rsa
    (f"p={RSA2048}", Status.PASS, "RSA 2048"),                                # v is optional
    (f"v=DKIM1; k=rsa; p={RSA1024}", Status.WARN, "RSA 1024 bits: under 2048"),
    (f"v=DKIM1; k=ed25519; p={ED}", Status.PASS, "ed25519"),
    (f"v=DKIM1; k=rsa; t=y; p={RSA2048}", Status.PASS, "testing mode"),
    (f"v=DKIM1; k=rsa; p={RSA2048[:40]} {RSA2048[40:]}", Status.PASS, "RSA 2048"),   # whitespace inside p=
    ("v=DKIM1; k=rsa; p=", Status.FAIL, "revoked"),
    ("v=DKIM1; k=rsa", Status.FAIL, "no p="),
    ("v=DKIM1; k=rsa; p=not*base64", Status.FAIL, "not a valid rsa public key"),
    (f"v=DKIM1; k=rsa; p={EC}", Status.FAIL, "the key is"),
    (f"v=DKIM1; k=dsa; p={RSA2048}", Status.FAIL, "k=dsa"),
    (f"v=DKIM2; p={RSA2048}", Status.FAIL, "not DKIM1"),
    (f"v=DKIM1; p={RSA2048}; p={RSA1024}", Status.FAIL, "given twice"),
    (None, Status.FAIL, "no DKIM record"),
])
def test_judge_dkim(record, expected, says):
    status, text, _ = judge_dkim(record)
    assert status is expected and says in text


def test_parse_tags():
    tags, problems = parse_tags("v=DKIM1;  k = rsa ; h=sha256; p=AB CD")
    assert tags == {"v": "DKIM1", "k": "rsa", "h": "sha256", "p": "ABCD"} and problems == []


async def test_demo_key_is_1024_bits_and_the_hardened_one_2048(demo_profile, hardened_profile):
    weak = (await run_checks(demo_profile, [catalog.get("S2.dkim")]))[0]
    assert weak.status is Status.WARN and weak.details["bits"] == 1024 and weak.target == f"s1._domainkey.{DOMAIN}"
    strong = (await run_checks(hardened_profile, [catalog.get("S2.dkim")]))[0]
    assert strong.status is Status.PASS and strong.details["bits"] == 2048


async def test_a_selector_without_a_record_fails(tmp_path, shop):
    text = re.sub(r"dkim_selectors: \[s1\]", "dkim_selectors: [s1, google]", shop.write_profile().read_text())
    path = tmp_path / "p.yaml"
    path.write_text(text)
    findings = await run_checks(load_profile(path), [catalog.get("S2.dkim")])
    by = {f.target: f for f in findings}
    assert by[f"google._domainkey.{DOMAIN}"].status is Status.FAIL
    assert "no DKIM record" in by[f"google._domainkey.{DOMAIN}"].evidence
