"""Mail the shop sends: DKIM-signed with the zone's selector key, delivered to the demo SMTP server."""

from __future__ import annotations

import base64
import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from .layout import DOMAIN


class DkimKey:
    def __init__(self, selector: str, bits: int) -> None:
        self.selector = selector
        self.bits = bits
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=bits)

    @property
    def private_pem(self) -> bytes:
        return self._key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                       serialization.NoEncryption())

    @property
    def public_b64(self) -> str:
        der = self._key.public_key().public_bytes(serialization.Encoding.DER,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo)
        return base64.b64encode(der).decode()


def reset_email(to: str, link: str, key: DkimKey, *, from_domain: str = DOMAIN, signing_domain: str = DOMAIN) -> bytes:
    """The password-reset mail, DKIM-signed by ``signing_domain`` (the provider's own domain when the
    shop never set up its domain with the provider)."""
    msg = EmailMessage()
    msg["From"] = f"BrightBrew <no-reply@{from_domain}>"
    msg["To"] = to
    msg["Subject"] = "Reset your BrightBrew password"
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=from_domain)
    msg.set_content(f"Someone asked to reset your password. If it was you, open:\n\n{link}\n\nThe link expires in 30 minutes.\n")
    raw = msg.as_bytes()
    signature = dkim.sign(raw, key.selector.encode(), signing_domain.encode(), key.private_pem,
                          include_headers=[b"from", b"to", b"subject", b"date", b"message-id"])
    return signature + raw


def as_received(raw: bytes, *, mail_from: str, client_ip: str, helo: str, results: str) -> bytes:
    """The copy a customer's mailbox keeps: what the receiving server prepends (Return-Path, Received,
    Authentication-Results) above the signed message, as a founder would save it with "show original"."""
    receiver = "mx.customers." + DOMAIN
    added = (f"Return-Path: <{mail_from}>\r\n"
             f"Authentication-Results: {receiver};\r\n\t{results}\r\n"
             f"Received: from {helo} ({helo} [{client_ip}])\r\n\tby {receiver} with ESMTPS; "
             f"{formatdate(localtime=False)}\r\n")
    return added.encode() + raw


def deliver(raw: bytes, host: str, port: int, sender: str, to: str) -> None:
    with smtplib.SMTP(host, port, timeout=5) as smtp:
        smtp.sendmail(sender, [to], raw)
