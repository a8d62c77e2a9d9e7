"""httpx transport whose connections resolve through the audit's resolver and port map.

httpcore opens TCP through a *network backend*; ours swaps the host name for an
address from the profile's nameservers and the port for the mapped one, after
asking the scope guard. httpcore still passes the real host name for SNI and
httpx sends it in Host, so certificate and virtual-host checks see the real name.
"""

from __future__ import annotations

import ssl
from collections import Counter
from typing import Iterable

import httpcore
import httpx

from .resolver import Resolver
from .scope import ScopeGuard
from .timing import TimedStream


class ResolvingBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, resolver: Resolver, port_map: dict[int, int], scope: ScopeGuard) -> None:
        self._inner = httpcore.AnyIOBackend()
        self._resolver = resolver
        self._port_map = port_map
        self._scope = scope
        self.connections: Counter[str] = Counter()     # host -> TCP connections opened

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable | None = None) -> httpcore.AsyncNetworkStream:
        self._scope.require(host)          # second line of defence: never a socket outside scope
        addresses = await self._resolver.addresses(host)
        port = self._port_map.get(port, port)
        last: Exception | None = None
        for address in addresses:
            try:
                stream = await self._inner.connect_tcp(address, port, timeout=timeout, local_address=local_address,
                                                       socket_options=socket_options)
                self.connections[host] += 1
                return TimedStream(stream)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as e:
                last = e
        assert last is not None
        raise last

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable | None = None) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not used by audits")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class ResolvingTransport(httpx.AsyncHTTPTransport):
    """``AsyncHTTPTransport`` with our backend. httpx exposes no ``network_backend``
    argument, so the pool is rebuilt with the same settings plus the backend."""

    def __init__(self, backend: ResolvingBackend, ssl_context: ssl.SSLContext, limits: httpx.Limits) -> None:
        super().__init__(verify=ssl_context, trust_env=False, limits=limits)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=backend,
        )
