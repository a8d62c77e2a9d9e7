"""Where the watch's notices go: email through the founder email's SMTP sender, and Slack-compatible incoming
webhooks (a JSON POST with ``text``). A notice is an alert when an incident opens, a reminder while it lasts,
and a recovery when it clears; each route's delivery is recorded, and an undelivered notice is tried again
the next round (never twice once delivered)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

import httpx

from ..mailer.send import SendError, send
from ..profile import MissingSecret, Profile
from ..redact import Redactor
from .store import Incident

WHAT = {"down": "DOWN", "latency": "SLOW", "errors": "5xx ERRORS"}


@dataclass(frozen=True)
class Notice:
    incident: Incident
    kind: str               # alert | reminder-N | recovery

    @property
    def subject(self) -> str:
        i = self.incident
        if self.kind == "recovery":
            return f"[launch-audit] RECOVERED: {i.target} ({WHAT.get(i.kind, i.kind).lower()} since {i.opened_at})"
        still = "still " if self.kind.startswith("reminder") else ""
        return f"[launch-audit] {still}{WHAT.get(i.kind, i.kind)}: {i.target}"

    def text(self, client: str, first_action: str | None) -> str:
        i = self.incident
        lines = [self.subject, "", f"Client: {client}", f"Since: {i.opened_at} (UTC)", f"What: {i.detail}"]
        if self.kind == "recovery":
            lines += [f"Recovered: {i.closed_at} (UTC)", f"Now: {i.recovery}"]
        elif first_action:
            lines += ["", f"First action (from the handover): {first_action}"]
        lines += ["", "Sent by launch-audit watch; one alert per incident, reminders back off, a recovery notice "
                      "when it clears."]
        return "\n".join(lines)


class Route(Protocol):
    name: str

    async def deliver(self, subject: str, text: str) -> None: ...


class EmailRoute:
    def __init__(self, profile: Profile) -> None:
        cfg = profile.watch.email
        assert cfg is not None
        self.cfg = cfg
        self.cafile = str(profile.path(cfg.ca_bundle)) if cfg.ca_bundle else None
        self.name = f"email {', '.join(cfg.to)}"

    async def deliver(self, subject: str, text: str) -> None:
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = self.cfg.sender, ", ".join(self.cfg.to), subject
        msg.set_content(text)
        host, _, port = self.cfg.smtp.rpartition(":")
        await asyncio.to_thread(send, msg, host, int(port), cafile=self.cafile, timeout_s=20)


class WebhookRoute:
    """A Slack-compatible incoming webhook. Not through the audit's network layer: this is the founder's own
    alert channel, not a host of the audited site (its scope guard would rightly refuse it)."""

    def __init__(self, url: str, redactor: Redactor) -> None:
        self.url = url
        self.name = f"webhook {redactor.text(url)[:60]}"

    async def deliver(self, subject: str, text: str) -> None:
        async with httpx.AsyncClient(timeout=10, trust_env=False, follow_redirects=False) as client:
            resp = await client.post(self.url, json={"text": text})
        if not 200 <= resp.status_code < 300:
            raise SendError(f"the webhook answered {resp.status_code}")


def routes_of(profile: Profile) -> tuple[list[Route], list[str]]:
    """The configured routes, and why any configured one cannot be used (an unset variable)."""
    routes: list[Route] = []
    problems: list[str] = []
    if profile.watch.email is not None:
        routes.append(EmailRoute(profile))
    if profile.watch.slack_webhook_env:
        try:
            routes.append(WebhookRoute(profile.secret(profile.watch.slack_webhook_env), profile.redactor))
        except MissingSecret as e:
            problems.append(f"watch.slack_webhook_env: {e} is not set: no Slack notices")
    return routes, problems


def first_action(profile: Profile) -> str | None:
    """The first alert contact's first action, from the handover."""
    contacts = profile.handover.alert_contacts if profile.handover else []
    return next((c.first_action for c in contacts if c.first_action), None)
