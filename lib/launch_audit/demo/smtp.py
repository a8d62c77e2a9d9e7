"""The demo's SMTP server (aiosmtpd): keeps every message it receives, in memory and as .eml files."""

from __future__ import annotations

import hmac
import ssl
import threading
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class _Keep:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.messages: list[bytes] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        with self._lock:
            self.messages.append(envelope.content)
            (self.folder / f"{len(self.messages):04d}.eml").write_bytes(envelope.content)
        return "250 Message accepted for delivery"


class _Login:
    """AUTH PLAIN/LOGIN against one account (the founder email's sender), offered only after STARTTLS."""

    def __init__(self, user: str, password: str) -> None:
        self.user, self.password = user.encode(), password.encode()

    def __call__(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = (isinstance(auth_data, LoginPassword) and hmac.compare_digest(auth_data.login, self.user)
              and hmac.compare_digest(auth_data.password, self.password))
        return AuthResult(success=ok, handled=False)


class DemoSMTP:
    """Plain SMTP for the shop's own mail; STARTTLS (with the demo CA's certificate) and a login for
    senders that ask for them, as a mail provider's submission port would."""

    def __init__(self, address: str, port: int, folder: Path, *, tls: ssl.SSLContext | None = None,
                 login: tuple[str, str] | None = None) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.handler = _Keep(folder)
        extra = {}
        if tls is not None:
            extra = {"tls_context": tls, "require_starttls": False}
        if login is not None:
            extra |= {"authenticator": _Login(*login), "auth_require_tls": True}
        self._controller = Controller(self.handler, hostname=address, port=port, server_hostname=f"mail.{address}",
                                      **extra)

    @property
    def messages(self) -> list[bytes]:
        return self.handler.messages

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()
