"""How the demo shop is built, apart from which defects it has: the variation matrix.

Each knob changes an implementation choice real shops make differently (id format, where the OpenAPI
document declares security, the shape of error bodies, the chat reply's field names, what a login limit
counts, how users log in) without adding or removing a defect. Tests run the stages on corners of the
matrix so no check is tuned to one implementation: the hardened twin passes in every style, and the
planted defects are found in every style.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from typing import Literal

_IDS = uuid.UUID("6f1c1a52-7f3e-4d0b-9a55-3b1f0e0c2a10")    # uuid5 namespace: the same ids every run
DEMO_IDS = ("1001", "1003", "2002", "3001", "4002")


@dataclass(frozen=True)
class Style:
    ids: Literal["numeric", "uuid"] = "numeric"
    sessions: Literal["bearer", "cookie"] = "bearer"        # cookie: the API reads the session cookie only
    openapi: Literal["per_operation", "document", "none"] = "per_operation"
    errors: Literal["json", "problem", "text"] = "json"
    chat_fields: Literal["reply", "answer"] = "reply"       # reply/tool_calls, or answer/actions
    limits: Literal["account", "ip"] = "account"            # what the hardened login and reset limits count
    login_by: Literal["email", "username"] = "email"        # the field the profile's login body names

    def ident(self, number: str) -> str:
        """The shop's id for one of the demo's objects ("1001" → itself, or a UUID)."""
        return number if self.ids == "numeric" else str(uuid.uuid5(_IDS, number))

    def valid_id(self, value: str) -> bool:
        if self.ids == "numeric":
            return value.isdigit()
        try:
            uuid.UUID(value)
        except ValueError:
            return False
        return True

    def parse_id(self, value: str) -> object:
        """What the unhardened app does with an id: parse it, raising on garbage (its debug page shows)."""
        return int(value) if self.ids == "numeric" else uuid.UUID(value)

    @property
    def reply_field(self) -> str:
        return self.chat_fields

    @property
    def tools_field(self) -> str:
        return "tool_calls" if self.chat_fields == "reply" else "actions"

    def error_body(self, status: int, message: str) -> tuple[str, str]:
        """(body, content type) of an error answer in this style."""
        if self.errors == "problem":
            return json.dumps({"type": "about:blank", "title": message, "status": status}), "application/problem+json"
        if self.errors == "text":
            return message, "text/plain"
        return json.dumps({"error": message}), "application/json"

    def profile_text(self, text: str) -> str:
        """The demo profile's text for a shop built in this style."""
        for number in DEMO_IDS:
            text = text.replace(f'"{number}"', f'"{self.ident(number)}"')
        text = text.replace("reply_field: reply", f"reply_field: {self.reply_field}")
        text = text.replace("tool_calls_field: tool_calls", f"tool_calls_field: {self.tools_field}")
        if self.sessions == "cookie":
            header = "  auth_header: Authorization\n"
            text = text.replace(header, header + "  auth_cookie: bb_session\n")
        if self.login_by == "username":
            text = text.replace('body: {email: "{email}", password: "{password}"}',
                                'body: {username: "{username}", password: "{password}"}')
        if self.limits == "ip":            # the shop counts attempts per client: so does the profile (the default)
            text = re.sub(r"\n  rate_limits_per: \{[^}]*\}[^\n]*", "", text)
        return text
