"""The demo's SMTP server (aiosmtpd): keeps every message it receives, in memory and as .eml files."""

from __future__ import annotations

import threading
from pathlib import Path

from aiosmtpd.controller import Controller


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


class DemoSMTP:
    def __init__(self, address: str, port: int, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.handler = _Keep(folder)
        self._controller = Controller(self.handler, hostname=address, port=port, server_hostname=f"mail.{address}")

    @property
    def messages(self) -> list[bytes]:
        return self.handler.messages

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()
