"""S2.tls_certificate: every host's certificate is trusted, valid now, for its name, not about to expire."""

from __future__ import annotations

from datetime import datetime, timezone

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa

from ..findings import Status
from ..net.errors import TLSError
from .base import CheckContext

WARN_DAYS = 21


def san_names(cert: x509.Certificate) -> list[str]:
    try:
        ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return []
    return ext.value.get_values_for_type(x509.DNSName)


def name_matches(host: str, pattern: str) -> bool:
    """RFC 6125: a wildcard stands for exactly one left-most label."""
    host, pattern = host.lower().rstrip("."), pattern.lower().rstrip(".")
    if pattern.startswith("*."):
        head, _, rest = host.partition(".")
        return bool(head) and rest == pattern[2:]
    return host == pattern


def describe_key(cert: x509.Certificate) -> tuple[str, int | None]:
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        return "RSA", key.key_size
    if isinstance(key, ec.EllipticCurvePublicKey):
        return f"EC {key.curve.name}", key.curve.key_size
    if isinstance(key, (ed25519.Ed25519PublicKey, ed448.Ed448PublicKey)):
        return type(key).__name__.replace("PublicKey", ""), None
    return type(key).__name__, None


def cert_facts(cert: x509.Certificate, now: datetime) -> dict:
    key_type, key_bits = describe_key(cert)
    sig = cert.signature_hash_algorithm
    return {
        "subject": cert.subject.rfc4514_string(),
        "issuer": cert.issuer.rfc4514_string(),
        "sans": san_names(cert),
        "not_before": cert.not_valid_before_utc.isoformat(),
        "not_after": cert.not_valid_after_utc.isoformat(),
        "days_left": (cert.not_valid_after_utc - now).days,
        "key": f"{key_type} {key_bits}" if key_bits else key_type,
        "signature_hash": sig.name if sig else None,
        "serial": format(cert.serial_number, "x"),
    }


def judge_certificate(cert: x509.Certificate, host: str, now: datetime,
                      verify_error: str | None = None) -> tuple[Status, str]:
    """Pure: the verdict on one host's leaf certificate (``verify_error`` from the trusted handshake)."""
    facts = cert_facts(cert, now)
    sans = facts["sans"]
    expiry = f"expires {cert.not_valid_after_utc:%Y-%m-%d} ({facts['days_left']} days)"
    if now > cert.not_valid_after_utc:
        return Status.FAIL, f"expired on {cert.not_valid_after_utc:%Y-%m-%d}: browsers show a full-page warning"
    if now < cert.not_valid_before_utc:
        return Status.FAIL, f"not valid before {cert.not_valid_before_utc:%Y-%m-%d}"
    if not any(name_matches(host, n) for n in sans):
        return Status.FAIL, f"issued for {', '.join(sans) or facts['subject']}, not {host}"
    if verify_error:
        return Status.FAIL, f"not trusted: {verify_error} (issuer {facts['issuer']})"
    key_type, key_bits = describe_key(cert)
    if key_type == "RSA" and key_bits and key_bits < 2048:
        return Status.FAIL, f"RSA key of {key_bits} bits; use 2048 or more"
    if facts["signature_hash"] in ("sha1", "md5"):
        return Status.FAIL, f"signed with {facts['signature_hash']}, which browsers reject"
    if facts["days_left"] < WARN_DAYS:
        return Status.WARN, f"trusted, {expiry}: renew now or check auto-renewal"
    return Status.PASS, f"trusted, valid for {host}, {expiry}, {facts['key']}, issuer {facts['issuer']}"


async def check_tls_certificate(ctx: CheckContext):
    assert ctx.net is not None
    net = ctx.net

    async def one(target: str):
        host = target.rsplit(":", 1)[0]
        verify_error = None
        try:
            hs = await net.tls_handshake(host)
        except TLSError as e:
            if getattr(e, "verify_code", None) is None:
                raise
            verify_error = e.reason.removeprefix("certificate rejected: ")
            hs = await net.tls_handshake(host, verify=False)     # read the certificate anyway, to say why
        cert = hs.leaf
        if cert is None:
            return ctx.finding(Status.ERROR, target, "the server sent no certificate")
        now = datetime.now(timezone.utc)
        status, evidence = judge_certificate(cert, host, now, verify_error)
        details = cert_facts(cert, now) | {"protocol": hs.version, "cipher": hs.cipher, "verify_error": verify_error}
        return ctx.finding(status, target, evidence, details=details)

    async for f in ctx.each([f"{h}:443" for h in ctx.profile.hosts], one):
        yield f
