"""S2.dkim: each declared selector publishes a usable key (RFC 6376 §3.6.1; ed25519 per RFC 8463).

The key size is read from the published key itself (cryptography), not guessed
from the record's length.
"""

from __future__ import annotations

import base64
import binascii

from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from cryptography.hazmat.primitives.serialization import load_der_public_key

from ..findings import Status
from ..mailauth.tags import parse_tags
from ..net.errors import DNSNotFound
from ..net.resolver import txt_value
from .base import CheckContext

MIN_RSA, GOOD_RSA = 1024, 2048
def judge_dkim(record: str | None) -> tuple[Status, str, dict]:
    """Pure: one selector's TXT value (the chunks already joined), or None when there is none."""
    if record is None:
        return Status.FAIL, "no DKIM record at this selector: mail signed with it fails DKIM", {}
    tags, problems = parse_tags(record)
    if problems:
        return Status.FAIL, f"invalid record: {'; '.join(problems)}", {}
    if tags.get("v", "DKIM1") != "DKIM1":
        return Status.FAIL, f"v={tags['v']}, not DKIM1", {}
    if "p" not in tags:
        return Status.FAIL, "no p= (public key) tag", {}
    if tags["p"] == "":
        return Status.FAIL, "p= is empty: the key is revoked, and mail signed with it fails", {}
    k = tags.get("k", "rsa").lower()
    try:
        der = base64.b64decode(tags["p"], validate=True)
        key = load_der_public_key(der) if k == "rsa" else (
            ed25519.Ed25519PublicKey.from_public_bytes(der) if k == "ed25519" else None)
    except (binascii.Error, ValueError) as e:
        return Status.FAIL, f"p= is not a valid {k} public key ({str(e)[:60]})", {}
    flags = f"; t={tags['t']}" if "t" in tags else ""
    if "y" in tags.get("t", "").split(":"):
        flags += " (testing mode: receivers may ignore failures)"
    if key is None:
        return Status.FAIL, f"k={k}: not a key type receivers know (rsa, ed25519)", {}
    if isinstance(key, ed25519.Ed25519PublicKey):
        return Status.PASS, f"ed25519 key{flags}", {"type": "ed25519"}
    if not isinstance(key, rsa.RSAPublicKey):
        return Status.FAIL, f"k=rsa but the key is {type(key).__name__}", {}
    bits = key.key_size
    details = {"type": "rsa", "bits": bits}
    if bits < MIN_RSA:
        return Status.FAIL, f"RSA {bits} bits: receivers reject keys under {MIN_RSA} bits{flags}", details
    if bits < GOOD_RSA:
        return Status.WARN, f"RSA {bits} bits: under {GOOD_RSA}, factorable by a funded attacker{flags}", details
    return Status.PASS, f"RSA {bits} bits{flags}", details


async def check_dkim(ctx: CheckContext):
    assert ctx.net is not None
    email = ctx.profile.email
    if email is None or not email.dkim_selectors:
        yield ctx.finding(Status.SKIP, ctx.profile.domain,
                          "no email.dkim_selectors in the profile (ask the mail provider which selectors sign)")
        return

    async def one(selector: str):
        name = f"{selector}._domainkey.{ctx.profile.domain}"
        try:
            values = [txt_value(r) for r in await ctx.net.dns.query(name, "TXT")]
        except DNSNotFound:
            values = []                 # the selector's name does not exist: no key
        dkim = [v for v in values if "p=" in v or v.startswith("v=DKIM1")]
        if len(dkim) > 1:
            return ctx.finding(Status.FAIL, name,
                               f"{len(dkim)} DKIM records at one selector: verification is undefined")
        status, evidence, details = judge_dkim(dkim[0] if dkim else None)
        ctx.run.mail_auth.setdefault("dkim", {})[selector] = {
            "name": name, "status": str(status), "summary": evidence, **details}
        return ctx.finding(status, name, evidence, details=details)

    async for f in ctx.each(email.dkim_selectors, one):
        yield f
