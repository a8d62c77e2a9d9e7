"""Where the demo shop lives: fixed loopback addresses and ports (written in client_profiles/demo.yaml)."""

from __future__ import annotations

from dataclasses import dataclass

DOMAIN = "brightbrew.test"


@dataclass(frozen=True)
class Layout:
    """Each host of the shop has its own loopback address; ports are the same on all of them.

    Tests start a second shop on another prefix so they never collide with a
    ``launch-audit demo --serve`` a consultant left running.
    """

    prefix: str = "127.0.10"
    dns_port: int = 5353
    https_port: int = 8443
    http_port: int = 8080
    smtp_port: int = 2525

    def ip(self, n: int) -> str:
        return f"{self.prefix}.{n}"

    @property
    def hosts(self) -> dict[str, str]:
        """host name -> address for every host that serves HTTP(S)."""
        return {
            DOMAIN: self.ip(1),
            f"www.{DOMAIN}": self.ip(2),
            f"app.{DOMAIN}": self.ip(3),
            f"api.{DOMAIN}": self.ip(4),
            f"staging.{DOMAIN}": self.ip(5),     # live but not declared as intentional
        }

    @property
    def dns_address(self) -> str:
        return self.ip(53)

    @property
    def smtp_address(self) -> str:
        return self.ip(25)

    @property
    def mailer_address(self) -> str:
        """The mail provider's outbound server (mailer.test), listed in its SPF record."""
        return self.ip(26)

    @property
    def nameserver(self) -> str:
        return f"{self.dns_address}:{self.dns_port}"

    @property
    def stale_ip(self) -> str:
        """An old server address left in DNS; nothing listens there."""
        return self.ip(9)
