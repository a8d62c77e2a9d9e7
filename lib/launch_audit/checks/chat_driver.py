"""The chatbot conversation driver (stage 5 and S1.prompt_leak_quick): sends a probe's turns to the chat endpoint as user A through the network
layer, keeping the conversation the way the target expects (its conversation id echoed back in the
body), within the probe's turn limit and the check's budget and rate."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .api_calls import auth_headers, fill, values_for
from .base import CheckContext


class BotThrottled(Exception):
    """The bot answered 429: the probe was not run to the end."""

    def __init__(self, retry_after: str | None) -> None:
        super().__init__(f"429 (Retry-After: {retry_after or 'none'})")
        self.retry_after = retry_after


@dataclass
class Exchange:
    sent_chars: int
    sent: str                   # the start of what was sent (evidence)
    status: int
    reply: str
    tool_calls: list[str] | None
    ms: float


def _dig(doc: Any, path: str) -> Any:
    for part in path.split("."):
        doc = doc.get(part) if isinstance(doc, dict) else None
    return doc


def read_reply(doc: Any, text: str, reply_field: str, tool_field: str | None) -> tuple[str, list[str] | None]:
    """Pure: the bot's text and the names of the tools it called, from the JSON answer."""
    reply = _dig(doc, reply_field) if isinstance(doc, dict) else None
    tools = None
    if tool_field and isinstance(doc, dict):
        raw = _dig(doc, tool_field) or []
        tools = [str(t.get("name") if isinstance(t, dict) else t) for t in raw] if isinstance(raw, list) else []
    return (reply if isinstance(reply, str) else text), tools


async def converse(ctx: CheckContext, token: str, turns: list[str], who: str = "a", *,
                   expect_throttle: bool = False, active: bool = True, label: str | None = None) -> list[Exchange]:
    """The turns of one conversation as the account ``token`` belongs to (``who``: a or b, whose values fill
    the message body's placeholders). A 429 is waited out like any other request's, unless the caller looks
    for throttling (``expect_throttle``): then it raises BotThrottled. ``active`` False: ordinary questions
    (the smoke test's), not attack-shaped probes."""
    assert ctx.net is not None and ctx.profile.api is not None and ctx.profile.chat is not None
    chat = ctx.profile.chat
    endpoint = ctx.profile.api.endpoint(chat.endpoint)
    assert endpoint is not None
    url = ctx.profile.api.url(endpoint.path)
    conversation: str | None = None
    out: list[Exchange] = []
    for turn in turns[:chat.max_turns]:
        body = fill(endpoint.body or {"message": "{message}"}, values_for(ctx.profile, who, message=turn))
        if conversation and chat.conversation_field:
            body[chat.conversation_field] = conversation
        resp = await ctx.net.request(endpoint.method, url, active=active, headers=auth_headers(ctx.profile, token),
                                     json=body, expect_throttle=expect_throttle, max_bytes=2_000_000,
                                     changes_state=endpoint.changes_state,
                                     label=label or f"a {len(turn):,}-character chat message ({turn[:40]!r})")
        if resp.status == 429:
            raise BotThrottled(resp.headers.get("retry-after"))
        try:
            doc = resp.json()
        except ValueError:
            doc = None
        reply, tools = read_reply(doc, resp.text, chat.reply_field, chat.tool_calls_field)
        # the answer's own time: not the wait for a slot in the declared chat limit before it was sent
        out.append(Exchange(len(turn), turn[:120], resp.status, reply, tools, resp.latency_ms))
        if chat.conversation_field and isinstance(doc, dict) and doc.get(chat.conversation_field):
            conversation = str(doc[chat.conversation_field])
    return out
