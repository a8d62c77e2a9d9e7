"""Servers with worse manners than tests/net's: one that trickles a byte a second, one that resets in the middle
of a response, one that speaks garbage where TLS should be. Each request ends, within the profile's timeout,
with an error that says why; nothing hangs and nothing raises past the network layer's own errors."""

from __future__ import annotations

import asyncio
import time

import pytest
from launch_audit.demo.layout import DOMAIN
from launch_audit.net import Network
from launch_audit.net.errors import NetError, TargetTimeout
from launch_audit.profile_loader import load_profile

from tests.conftest import TEST_LAYOUT
from tests.helpers import RawServer, profile_text, reset_midway, trickle, write_profile

TRICKLE, RESET, NOT_TLS = (f"{n}.{DOMAIN}" for n in ("trickle", "reset", "nottls"))
TIMEOUT_S = 1.5          # over the 1 s trickle, so only the total deadline can end it


async def garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(b"\x00\xffnot a TLS server hello\r\n" * 20)
    await writer.drain()
    await asyncio.sleep(2)
    writer.close()


@pytest.fixture(scope="module")
def bad_servers(shop):
    ip = TEST_LAYOUT.ip
    servers = {TRICKLE: RawServer(ip(130), trickle).start(), RESET: RawServer(ip(131), reset_midway).start(),
               NOT_TLS: RawServer(ip(132), garbage).start()}
    for name, server in servers.items():
        shop.dns.resolver.add(f"{name}. IN A {server.address}")
    yield servers
    for name, server in servers.items():
        shop.dns.resolver.remove(name)
        server.stop()


@pytest.mark.parametrize("name, scheme, says", [
    (TRICKLE, "http", "no complete answer"),
    (RESET, "http", "connection dropped"),
    (NOT_TLS, "https", "TLS failed"),
])
async def test_each_bad_server_ends_in_a_reasoned_error_within_the_timeout(name, scheme, says, bad_servers, shop,
                                                                           tmp_path):
    server = bad_servers[name]
    profile = load_profile(write_profile(tmp_path, profile_text(TEST_LAYOUT.nameserver, scope=[name],
                                                                timeout_s=TIMEOUT_S)))
    started = time.monotonic()
    async with Network(profile) as net:
        with pytest.raises(NetError) as info:
            await net.for_check().get(f"{scheme}://{name}:{server.port}/")
    took = time.monotonic() - started
    assert took < 3 * TIMEOUT_S + 1.5, f"took {took:.1f}s"
    assert info.value.reason and says in info.value.reason
    if name == TRICKLE:
        assert isinstance(info.value, TargetTimeout)
