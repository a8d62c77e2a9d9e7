"""The response we hand to checks, and hop-by-hop redirect chains."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx

REDIRECT_CODES = (301, 302, 303, 307, 308)
PERMANENT_REDIRECTS = (301, 308)   # cached by browsers, followed by search engines


@dataclass
class HttpResponse:
    method: str
    url: str
    status: int
    reason: str
    headers: httpx.Headers
    body: bytes
    truncated: bool          # the body was cut at the response-size cap
    elapsed_ms: float        # as the check saw it: request built → body read and connection released
    http_version: str = "HTTP/1.1"
    wire_ms: float | None = None   # first request byte written → last response byte read (net/timing.py)

    @property
    def latency_ms(self) -> float:
        """The server's latency as load tools measure it; the client view when wire timing is unknown."""
        return self.wire_ms if self.wire_ms is not None else self.elapsed_ms

    @property
    def text(self) -> str:
        charset = "utf-8"
        ctype = self.headers.get("content-type", "")
        if "charset=" in ctype:
            charset = ctype.split("charset=", 1)[1].split(";")[0].strip() or "utf-8"
        try:
            return self.body.decode(charset, errors="replace")
        except LookupError:
            return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """Parsed JSON; raises ValueError on garbage or a cut body."""
        if self.truncated:
            raise ValueError("body was cut at the size cap")
        return json.loads(self.body)

    @property
    def location(self) -> str | None:
        return self.headers.get("location")

    @property
    def is_redirect(self) -> bool:
        return self.status in REDIRECT_CODES and bool(self.location)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def summary(self) -> str:
        return f"{self.status} {self.reason}".strip()


@dataclass
class Hop:
    url: str
    status: int | None = None
    location: str | None = None

    def __str__(self) -> str:
        return f"{self.status if self.status is not None else '—'} {self.url}"


@dataclass
class RedirectChain:
    start: str
    hops: list[Hop] = field(default_factory=list)
    final: HttpResponse | None = None
    stop: str | None = None          # loop | too_many_hops | out_of_scope | unsupported_scheme
    stop_url: str | None = None

    @property
    def redirects(self) -> int:
        """How many redirects were taken (hops that answered with a Location)."""
        return sum(1 for h in self.hops if h.location)

    @property
    def final_url(self) -> str | None:
        return self.final.url if self.final else None

    def describe(self) -> str:
        parts = [str(h) for h in self.hops]
        if self.stop:
            parts.append(f"[stopped: {self.stop.replace('_', ' ')}{' at ' + self.stop_url if self.stop_url else ''}]")
        return " → ".join(parts)

    def as_data(self) -> dict[str, Any]:
        return {"start": self.start, "hops": [h.__dict__ for h in self.hops], "stop": self.stop,
                "stop_url": self.stop_url, "final_url": self.final_url}
