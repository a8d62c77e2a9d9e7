"""Sending: SMTP with STARTTLS and a login from environment variables, or a dry run that writes the .eml.
The .eml is always written to the run folder first, so a refused login or a dead server loses nothing."""

from __future__ import annotations

import os
import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path

from ..atomic import write_atomic

USER_ENV, PASSWORD_ENV = "LAUNCH_AUDIT_SMTP_USER", "LAUNCH_AUDIT_SMTP_PASSWORD"


class SendError(RuntimeError):
    pass


def write_eml(msg: EmailMessage, run_dir: Path) -> Path:
    path = Path(run_dir) / "email.eml"
    return write_atomic(path, bytes(msg))


def send(msg: EmailMessage, host: str, port: int, *, cafile: str | None = None, timeout_s: float = 20) -> None:
    """STARTTLS is required (the report names the client's weaknesses); the login comes from
    LAUNCH_AUDIT_SMTP_USER / LAUNCH_AUDIT_SMTP_PASSWORD when they are set."""
    context = ssl.create_default_context(cafile=cafile)
    user, password = os.environ.get(USER_ENV), os.environ.get(PASSWORD_ENV)
    try:
        with smtplib.SMTP(host, port, timeout=timeout_s) as smtp:
            smtp.ehlo()
            if not smtp.has_extn("starttls"):
                raise SendError(f"{host}:{port} does not offer STARTTLS: refusing to send the report in clear text")
            smtp.starttls(context=context)
            smtp.ehlo()
            if user and password:
                smtp.login(user, password)
            smtp.send_message(msg)
    except SendError:
        raise
    except smtplib.SMTPAuthenticationError as e:
        raise SendError(f"{host}:{port} refused the login for {user!r} ({e.smtp_code})") from None
    except smtplib.SMTPException as e:
        raise SendError(f"{host}:{port}: {type(e).__name__}: {e}") from None
    except ssl.SSLError as e:
        raise SendError(f"{host}:{port}: TLS failed ({e.reason or e})") from None
    except OSError as e:
        raise SendError(f"{host}:{port}: cannot connect ({e.strerror or e})") from None
