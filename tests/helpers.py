"""Small servers with bad manners, for the network layer's tests. Loopback only."""

from __future__ import annotations

import asyncio
import re
import socket
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

from launch_audit.demo.layout import DOMAIN

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], "asyncio.Future | None"]


@dataclass
class RawServer:
    """A TCP server on its own loopback address, in its own thread, counting connections."""

    address: str
    handler: Callable
    port: int = 0
    connections: int = 0
    arrivals: list[float] = field(default_factory=list)
    peers: list[int] = field(default_factory=list)          # the client port of each connection, in order

    def __post_init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)

        async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.connections += 1
            self.arrivals.append(time.monotonic())
            self.peers.append((writer.get_extra_info("peername") or ("", 0))[1])
            try:
                await self.handler(reader, writer)
            except (ConnectionError, asyncio.CancelledError, asyncio.IncompleteReadError):
                pass
            finally:
                writer.close()

        async def start() -> None:
            self._server = await asyncio.start_server(on_connect, self.address, self.port)
            self.port = self._server.sockets[0].getsockname()[1]
            self._ready.set()

        self._loop.run_until_complete(start())
        self._loop.run_forever()

    def settled_connections(self, timeout_s: float = 5.0) -> int:
        """The connections so far, once every earlier one has surely been counted: a marker connection of
        our own queues behind them (accepts are taken in order) and is waited for, then not counted. No
        fixed sleep decides that "nothing arrived"."""
        with socket.create_connection((self.address, self.port), timeout=timeout_s) as marker:
            mine = marker.getsockname()[1]
            deadline = time.monotonic() + timeout_s
            while mine not in self.peers:
                if time.monotonic() > deadline:
                    raise AssertionError(f"{self.address}:{self.port} never accepted the marker connection")
                time.sleep(0.005)
        i = self.peers.index(mine)
        del self.peers[i], self.arrivals[i]
        self.connections -= 1
        return i

    def start(self) -> RawServer:
        self._thread.start()
        self._ready.wait(5)
        return self

    def stop(self) -> None:
        async def shutdown() -> None:
            self._server.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)


async def read_request(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    return head


def http_reply(status: str, headers: dict[str, str] | None = None, body: bytes = b"",
               requests: list[float] | None = None) -> Callable:
    """Answers every request on the connection the same way; ``requests`` gets each arrival time."""
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                await read_request(reader)
            except (asyncio.IncompleteReadError, ConnectionError):
                return
            if requests is not None:
                requests.append(time.monotonic())
            hdrs = {"Content-Length": str(len(body)), **(headers or {})}
            writer.write(f"HTTP/1.1 {status}\r\n".encode() + b"".join(f"{k}: {v}\r\n".encode() for k, v in hdrs.items())
                         + b"\r\n" + body)
            await writer.drain()
    return handler


async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await asyncio.sleep(3600)


async def endless_body(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.read(65536)          # whatever arrives: a request head, or a TLS ClientHello
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"A" * 65536
    frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    while True:                      # streams forever: only a reader that stops can survive it
        writer.write(frame)
        await writer.drain()


async def trickle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """A byte a second: each read stays under a 1 s timeout, so only a total deadline ends it."""
    await reader.read(65536)
    for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + b"x" * 100_000:
        writer.write(bytes([byte]))
        await writer.drain()
        await asyncio.sleep(1)


async def reset_midway(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """1 KB of a promised 100 KB, then a TCP reset (SO_LINGER 0), not a clean end."""
    import struct
    await reader.read(65536)
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + b"x" * 1000)
    await writer.drain()
    sock = writer.transport.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


class SilentUDP:
    """A 'DNS server' that reads queries and never answers."""

    def __init__(self, address: str) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((address, 0))
        self.port = self.sock.getsockname()[1]

    def close(self) -> None:
        self.sock.close()


def write_profile(folder, text: str, name: str = "profile.yaml"):
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def profile_text(nameserver: str, *, scope: list[str], extra: str = "", timeout_s: float = 2,
                 ca_bundle: str | None = None, rps: float = 100, per_check: int = 50,
                 allow_active: bool = False) -> str:
    hosts = ", ".join([DOMAIN, f"www.{DOMAIN}", *scope])
    ca = f"\n  ca_bundle: {ca_bundle}" if ca_bundle else ""
    return f"""
client: net-test
founder: {{name: T, email: t@example.test}}
domain: {DOMAIN}
canonical: https://www.{DOMAIN}
scope:
  hosts: [{hosts}]
  allow_active: {str(allow_active).lower()}
  max_requests_per_second: {rps}
  max_requests_per_check: {per_check}
network:
  nameservers: ["{nameserver}"]
  port_map: {{443: 8443, 80: 8080}}
  timeout_s: {timeout_s}{ca}
{extra}
"""


def target_profile(folder: Path, client: str, address: str, *, timeout_s: float = 2, scope: str = "",
                   body: str = "") -> Path:
    """A minimal profile for one loopback server of a test: its own domain, the server's address in scope,
    active probes at 50 a second. ``scope`` adds keys to the scope (", recovery_wait_s: 3"), ``body`` the rest
    of the profile (an ``api:`` section), as YAML."""
    path = folder / f"{client}.yaml"
    path.write_text(f"""
client: {client}
founder: {{name: T, email: t@example.test}}
domain: {client}.test
canonical: https://www.{client}.test
scope: {{hosts: [{client}.test, www.{client}.test, {address}], allow_active: true, max_requests_per_second: 50{scope}}}
network: {{timeout_s: {timeout_s}}}
{body}""")
    return path


def short_window_profile(shop, folder, window_s: int = 4, samples: int = 8):
    """The shop's profile with a short sampling window, for tests that do not study stage 6."""
    text = shop.write_profile().read_text()
    text = re.sub(r"samples: \d+", f"samples: {samples}", text).replace("window_s: 15", f"window_s: {window_s}")
    path = folder / "profile.yaml"
    path.write_text(text)
    return path


class LoopbackDNS:
    """A DNS server (UDP and TCP) on a loopback address whose every answer is ``answer(request)``: a dnslib
    request in, its reply out."""

    def __init__(self, address: str, answer, port: int = 5353) -> None:
        from dnslib.server import BaseResolver, DNSLogger, DNSServer

        class _Resolver(BaseResolver):
            def resolve(self, request, handler):
                return answer(request)

        logger = DNSLogger(prefix=False, logf=lambda _msg: None)
        self.address = f"{address}:{port}"
        self._servers = [DNSServer(_Resolver(), address=address, port=port, logger=logger, tcp=tcp)
                         for tcp in (False, True)]
        for s in self._servers:
            s.start_thread()

    def close(self) -> None:
        for s in self._servers:
            s.stop()
            s.server.server_close()


class ServfailDNS(LoopbackDNS):
    """A DNS server that answers every query with SERVFAIL, like a broken upstream."""

    def __init__(self, address: str, port: int = 5353) -> None:
        super().__init__(address, servfail, port)


def servfail(request):
    """The SERVFAIL reply to a dnslib request."""
    from dnslib import RCODE

    reply = request.reply()
    reply.header.rcode = RCODE.SERVFAIL
    return reply


def with_nameserver(shop, folder, nameserver: str, timeout_s: float = 1):
    """The shop's profile, resolving through another nameserver (a broken one) with a short timeout."""
    text = shop.write_profile().read_text()
    text = re.sub(r'nameservers: \[[^\]]*\]', f'nameservers: ["{nameserver}"]', text)
    text = re.sub(r"timeout_s: [0-9.]+", f"timeout_s: {timeout_s}", text, count=1)
    path = folder / "broken-dns.yaml"
    path.write_text(text)
    return path


@contextmanager
def dns_records(shop, zone: str):
    """Records added to the shared demo shop's DNS for as long as the block runs, then removed: a test leaves
    the session's shop as it found it. ``zone``: zone-file lines (names must be new to the zone)."""
    names = [line.split()[0] for line in zone.splitlines() if line.strip()]
    shop.dns.resolver.add(zone)
    try:
        yield
    finally:
        for name in dict.fromkeys(names):
            shop.dns.resolver.remove(name)


class AiohttpThread:
    """An aiohttp app on its own loopback address and thread."""

    def __init__(self, address: str, app: web.Application) -> None:
        self.address, self.app, self.port = address, app, 0
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        self.ready.wait(5)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        runner = web.AppRunner(self.app, access_log=None)
        self.loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, self.address, 0)
        self.loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.runner = runner
        self.ready.set()
        self.loop.run_forever()

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)
