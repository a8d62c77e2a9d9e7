"""TLS: the run's SSL contexts (built once, ~33 ms each) and raw handshakes for certificate checks."""

from __future__ import annotations

import asyncio
import ssl
import warnings
from dataclasses import dataclass, field
from functools import cached_property

from cryptography import x509


class TLSContexts:
    """Every SSL context of one run. Contexts are reused across all connections."""

    def __init__(self, ca_bundle: str | None) -> None:
        self.ca_bundle = ca_bundle

    @cached_property
    def verify(self) -> ssl.SSLContext:
        """System roots plus the profile's CA bundle; hostname checked."""
        ctx = ssl.create_default_context()
        if self.ca_bundle:
            ctx.load_verify_locations(cafile=self.ca_bundle)
        return ctx

    @cached_property
    def inspect(self) -> ssl.SSLContext:
        """No verification: used only to read a certificate that failed verification."""
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        return ctx

    def for_version(self, version: ssl.TLSVersion) -> ssl.SSLContext:
        """Accepts exactly one protocol version (protocol probes); security level lowered only here."""
        cache = self.__dict__.setdefault("_versions", {})
        if version not in cache:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            with warnings.catch_warnings():       # TLS 1.0/1.1 are deprecated: probing for them is the point
                warnings.simplefilter("ignore", DeprecationWarning)
                if version < ssl.TLSVersion.TLSv1_2:
                    ctx.set_ciphers("ALL:@SECLEVEL=0")
                ctx.minimum_version = version
                ctx.maximum_version = version
            cache[version] = ctx
        return cache[version]


@dataclass
class Handshake:
    host: str
    address: str
    port: int
    version: str | None
    cipher: str | None
    chain_der: list[bytes] = field(default_factory=list)   # leaf first
    verified: bool = False
    verify_error: str | None = None

    @property
    def leaf(self) -> x509.Certificate | None:
        return x509.load_der_x509_certificate(self.chain_der[0]) if self.chain_der else None


_NOT_TLS = "the server does not speak TLS on this port"
_MALFORMED = "the server's certificate is malformed (it cannot be parsed)"
# OpenSSL's terse reasons, in words a founder can act on
_SSL_REASONS = (
    ("WRONG_VERSION_NUMBER", _NOT_TLS),
    ("ASN1", _MALFORMED),
    ("BAD_CERTIFICATE", _MALFORMED),
    ("UNSUPPORTED_PROTOCOL", "no TLS version both sides accept"),
    ("NO_PROTOCOLS_AVAILABLE", "no TLS version both sides accept"),
    ("HANDSHAKE_FAILURE", "the server ended the handshake (no common cipher or protocol)"),
    ("UNEXPECTED_EOF", "the server closed the connection during the handshake"),
)


def explain_ssl_error(e: ssl.SSLError) -> str:
    """OpenSSL's reason with what it means, e.g. 'the server's certificate is malformed … [ASN1 lib]'."""
    raw = str(e.reason or e.strerror or e)[:200]
    text = f"{raw} {e}".upper()
    for code, meaning in _SSL_REASONS:
        if code in text:
            return f"{meaning} [{raw}]"
    return raw


def server_is_broken(reason: str) -> bool:
    """A TLS failure that says the server is broken (garbage, an unparsable certificate), not that it
    refused what we offered: probing other versions or ciphers will not tell anything more."""
    return _NOT_TLS in reason or _MALFORMED in reason


def peer_chain(sslobj: ssl.SSLObject | ssl.SSLSocket) -> list[bytes]:
    try:  # Python 3.13+: the whole chain the server sent
        chain = sslobj.get_unverified_chain()  # type: ignore[union-attr]
        if chain:
            return [c if isinstance(c, bytes) else c.public_bytes(ssl.Encoding.DER) for c in chain]  # type: ignore[attr-defined]
    except AttributeError:
        pass
    der = sslobj.getpeercert(binary_form=True)
    return [der] if der else []


async def handshake(address: str, port: int, server_hostname: str, ctx: ssl.SSLContext, timeout_s: float) -> Handshake:
    """Connect, complete a TLS handshake with SNI ``server_hostname``, read the certificate, close."""
    reader, writer = await asyncio.wait_for(
        asyncio.open_connection(address, port, ssl=ctx, server_hostname=server_hostname,
                                ssl_handshake_timeout=timeout_s),
        timeout=timeout_s,
    )
    try:
        sslobj = writer.get_extra_info("ssl_object")
        cipher = sslobj.cipher()
        return Handshake(
            host=server_hostname, address=address, port=port,
            version=sslobj.version(), cipher=cipher[0] if cipher else None,
            chain_der=peer_chain(sslobj), verified=ctx.verify_mode != ssl.CERT_NONE,
        )
    finally:
        writer.close()
        try:
            await asyncio.wait_for(writer.wait_closed(), timeout=1)
        except (asyncio.TimeoutError, OSError, ssl.SSLError):
            pass
