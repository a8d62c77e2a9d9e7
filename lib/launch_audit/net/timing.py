"""Wire timing: when a request's first byte was written and its last byte read, per connection.

The latency sampler reports "request sent → full body" the way load tools such as
wrk do: from the socket write to the last read, so the client's own bookkeeping
(building the request object, parsing headers after the last byte) is not counted
as the server's latency. HTTP/1.1 runs one request at a time per connection, so
a write after a read starts the next request's clock.
"""

from __future__ import annotations

import time
from typing import Any

import httpcore


class TimedStream(httpcore.AsyncNetworkStream):
    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner
        self.first_write: float | None = None
        self.last_read: float | None = None
        self._reading = True               # the next write starts a new request

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if self._reading:
            self.first_write, self.last_read, self._reading = time.perf_counter(), None, False
        await self._inner.write(buffer, timeout)

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        data = await self._inner.read(max_bytes, timeout)
        self.last_read, self._reading = time.perf_counter(), True
        return data

    def wire_ms(self) -> float | None:
        if self.first_write is None or self.last_read is None:
            return None
        return (self.last_read - self.first_write) * 1000

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                        timeout: float | None = None) -> httpcore.AsyncNetworkStream:
        # the handshake's own reads and writes are the connection's, not a request's
        return TimedStream(await self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)
