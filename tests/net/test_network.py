"""The network layer against real loopback servers: resolution, trust, scope, timeouts, caps, pacing."""

from __future__ import annotations

import asyncio
import time
import tracemalloc

import pytest

from launch_audit.checks import catalog
from launch_audit.checks.runner import run_check
from launch_audit.demo import DOMAIN
from launch_audit.findings import ErrorKind, Status
from launch_audit.net import Network
from launch_audit.net.errors import (ActiveNotAllowed, BudgetExceeded, DNSNotFound, OutOfScope, TargetTimeout,
                                     Throttled, TLSError)
from launch_audit.profile_loader import load_profile
from tests.conftest import TEST_LAYOUT
from tests.helpers import (RawServer, SilentUDP, dns_records, endless_body, http_reply, never_answer, profile_text,
                           write_profile)

COUNTER = "counter.outside.test"         # never in scope
SLOW, STREAM, BOUNCE, LIMITED = (f"{n}.{DOMAIN}" for n in ("slow", "stream", "bounce", "limited"))


@pytest.fixture(scope="module")
def hostile(shop):
    """Servers with bad manners, each on its own loopback address, named in the demo's DNS."""
    ip = TEST_LAYOUT.ip
    servers = {
        COUNTER: RawServer(ip(100), http_reply("200 OK", body=b"counted")).start(),
        SLOW: RawServer(ip(101), never_answer).start(),
        STREAM: RawServer(ip(102), endless_body).start(),
    }
    servers[BOUNCE] = RawServer(ip(103), http_reply(
        "302 Found", {"Location": f"http://{COUNTER}:{servers[COUNTER].port}/stolen"})).start()
    with dns_records(shop, "\n".join(f"{name}. IN A {server.address}" for name, server in servers.items())):
        yield servers
    for server in servers.values():
        server.stop()


def _profile(tmp_path, shop, **kw):
    text = profile_text(TEST_LAYOUT.nameserver, ca_bundle=str(shop.state_dir / "ca.pem"), **kw)
    return load_profile(write_profile(tmp_path, text))


async def test_resolves_through_profile_nameserver_and_port_map(tmp_path, shop):
    # Given a profile whose nameserver is the demo DNS and whose port map sends 443 to 8443
    profile = _profile(tmp_path, shop, scope=[])
    before_queries, before_hits = shop.dns.resolver.queries, shop.state.hits[f"www.{DOMAIN}"]
    async with Network(profile) as net:
        # When we fetch the canonical URL by its real name, on the default port
        resp = await net.for_check().get(f"https://www.{DOMAIN}/")
    # Then the demo DNS answered, the storefront on 8443 served it, and Host kept the real name
    assert resp.status == 200 and b"Small-batch coffee" in resp.body
    assert shop.dns.resolver.queries > before_queries
    assert shop.state.hits[f"www.{DOMAIN}"] == before_hits + 1


async def test_trusts_the_profile_ca_bundle_only(tmp_path, shop):
    with_ca = _profile(tmp_path, shop, scope=[f"api.{DOMAIN}"])
    async with Network(with_ca) as net:
        hs = await net.for_check().tls_handshake(f"api.{DOMAIN}")
    assert hs.verified and hs.version in ("TLSv1.2", "TLSv1.3")

    (tmp_path / "no_ca").mkdir()
    without = load_profile(write_profile(tmp_path / "no_ca", profile_text(TEST_LAYOUT.nameserver, scope=[f"api.{DOMAIN}"])))
    async with Network(without) as net:
        with pytest.raises(TLSError, match="certificate rejected"):
            await net.for_check().tls_handshake(f"api.{DOMAIN}")
        with pytest.raises(TLSError):
            await net.for_check().get(f"https://api.{DOMAIN}/healthz")


async def test_out_of_scope_host_is_refused_without_a_connection(tmp_path, shop, hostile):
    counter = hostile[COUNTER]
    before = counter.connections
    profile = _profile(tmp_path, shop, scope=[])
    async with Network(profile) as net:
        with pytest.raises(OutOfScope, match="not in scope"):
            await net.for_check().get(f"http://{COUNTER}:{counter.port}/")
        # the transport refuses too, should anything bypass the check-level guard
        with pytest.raises(OutOfScope):
            await net.client.get(f"http://{COUNTER}:{counter.port}/")
    assert await asyncio.to_thread(counter.settled_connections) == before == 0


async def test_redirect_to_out_of_scope_host_is_not_followed(tmp_path, shop, hostile):
    counter = hostile[COUNTER]
    profile = _profile(tmp_path, shop, scope=[BOUNCE])
    async with Network(profile) as net:
        chain = await net.for_check().follow(f"http://{BOUNCE}:{hostile[BOUNCE].port}/checkout")
    assert chain.stop == "out_of_scope"
    assert chain.stop_url == f"http://{COUNTER}:{counter.port}/stolen"
    assert [h.status for h in chain.hops] == [302]
    assert await asyncio.to_thread(counter.settled_connections) == 0


async def test_server_that_never_answers_ends_in_error_within_the_timeout(tmp_path, shop, hostile):
    slow = hostile[SLOW]
    profile = _profile(tmp_path, shop, scope=[SLOW], timeout_s=1,
                       extra=f"api: {{base_url: 'http://{SLOW}:{slow.port}', health_path: /healthz}}")
    started = time.monotonic()
    async with Network(profile) as net:
        findings = await run_check(catalog.get("S6.health_endpoint"), profile, net, {})
    took = time.monotonic() - started
    assert [f.status for f in findings] == [Status.ERROR]
    assert findings[0].error_kind is ErrorKind.TARGET
    assert "ReadTimeout" in findings[0].evidence
    assert took < 4, f"took {took:.1f}s with a 1s timeout"


async def test_body_over_the_cap_is_cut_without_being_held(tmp_path, shop, hostile):
    stream = hostile[STREAM]
    profile = _profile(tmp_path, shop, scope=[STREAM])
    cap = 256 * 1024
    async with Network(profile) as net:
        tracemalloc.start()
        resp = await net.for_check().get(f"http://{STREAM}:{stream.port}/", max_bytes=cap)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    # the server never stops sending: returning at all proves the read stopped at the cap
    assert resp.truncated and len(resp.body) == cap
    assert peak < 8 * cap, f"peak {peak} bytes while reading a capped body"


async def test_dns_that_times_out_and_names_that_do_not_exist(tmp_path, shop):
    silent = SilentUDP(TEST_LAYOUT.ip(110))
    try:
        profile = load_profile(write_profile(tmp_path, profile_text(f"{silent.sock.getsockname()[0]}:{silent.port}",
                                                                     scope=[], timeout_s=1)))
        async with Network(profile) as net:
            started = time.monotonic()
            with pytest.raises(TargetTimeout, match="timed out"):
                await net.resolver.query(DOMAIN, "A")
            assert time.monotonic() - started < 3
    finally:
        silent.close()
    async with Network(_profile(tmp_path, shop, scope=[])) as net:
        with pytest.raises(DNSNotFound, match="NXDOMAIN"):
            await net.resolver.query(f"nothing-here.{DOMAIN}", "A")


async def test_retry_after_is_honoured_then_reported_as_throttling(tmp_path, shop):
    # first answer 429 Retry-After: 1, then 200
    state = {"n": 0}

    async def flaky(reader, writer):
        from tests.helpers import read_request
        while True:
            try:
                await read_request(reader)
            except (asyncio.IncompleteReadError, ConnectionError):
                return
            state["n"] += 1
            if state["n"] == 1:
                writer.write(b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\nContent-Length: 0\r\n\r\n")
            else:
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            await writer.drain()

    flaky_server = RawServer(TEST_LAYOUT.ip(104), flaky).start()
    stubborn = RawServer(TEST_LAYOUT.ip(105), http_reply("429 Too Many Requests", {"Retry-After": "3600"})).start()
    shop.dns.resolver.add(f"flaky.{DOMAIN}. IN A {flaky_server.address}\nstubborn.{DOMAIN}. IN A {stubborn.address}")
    try:
        profile = _profile(tmp_path, shop, scope=[f"flaky.{DOMAIN}", f"stubborn.{DOMAIN}"])
        async with Network(profile) as net:
            started = time.monotonic()
            resp = await net.for_check().get(f"http://flaky.{DOMAIN}:{flaky_server.port}/")
            assert resp.status == 200 and time.monotonic() - started >= 0.9
            with pytest.raises(Throttled, match="throttled by the target"):
                await net.for_check().get(f"http://stubborn.{DOMAIN}:{stubborn.port}/")
            # a rate-limit probe wants to see the 429 itself
            probe = await net.for_check().get(f"http://stubborn.{DOMAIN}:{stubborn.port}/", expect_throttle=True)
            assert probe.status == 429
    finally:
        shop.dns.resolver.remove(f"flaky.{DOMAIN}")
        shop.dns.resolver.remove(f"stubborn.{DOMAIN}")
        flaky_server.stop()
        stubborn.stop()


async def test_budget_rate_and_active_gate(tmp_path, shop):
    arrivals: list[float] = []
    paced = RawServer(TEST_LAYOUT.ip(106), http_reply("200 OK", body=b"x", requests=arrivals)).start()
    shop.dns.resolver.add(f"paced.{DOMAIN}. IN A {paced.address}")
    try:
        profile = _profile(tmp_path, shop, scope=[f"paced.{DOMAIN}"], rps=10, per_check=5)
        url = f"http://paced.{DOMAIN}:{paced.port}/"
        async with Network(profile) as net:
            check_net = net.for_check()
            await asyncio.gather(*(check_net.get(url) for _ in range(5)))
            with pytest.raises(BudgetExceeded, match="budget of 5"):
                await check_net.get(url)
            with pytest.raises(ActiveNotAllowed):
                await net.for_check().get(url, active=True)
    finally:
        shop.dns.resolver.remove(f"paced.{DOMAIN}")
        paced.stop()
    # the budget let exactly 5 through, and 10/s spaced them ~100 ms apart even when sent at once
    assert len(arrivals) == 5
    assert arrivals[-1] - arrivals[0] >= 0.35


async def test_garbage_loops_and_endless_redirects_end_with_reasons(tmp_path, shop):
    async def garbage(reader, writer):
        await reader.read(1024)
        writer.write(b"\x16\x03\x01 this is not HTTP at all\r\n\r\n")
        await writer.drain()

    async def hop_forever(reader, writer):
        from tests.helpers import read_request
        while True:
            try:
                head = await read_request(reader)
            except (asyncio.IncompleteReadError, ConnectionError):
                return
            # /loop always sends back to itself; /N sends to /N+1 forever
            path = head.split(b" ")[1].strip(b"/")
            location = b"/loop" if path == b"loop" else f"/{int(path or 0) + 1}".encode()
            writer.write(b"HTTP/1.1 302 Found\r\nLocation: " + location + b"\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()

    junk = RawServer(TEST_LAYOUT.ip(107), garbage).start()
    hops = RawServer(TEST_LAYOUT.ip(108), hop_forever).start()
    shop.dns.resolver.add(f"junk.{DOMAIN}. IN A {junk.address}\nhops.{DOMAIN}. IN A {hops.address}")
    try:
        profile = _profile(tmp_path, shop, scope=[f"junk.{DOMAIN}", f"hops.{DOMAIN}"], per_check=100)
        async with Network(profile) as net:
            from launch_audit.net.errors import TargetProtocolError
            with pytest.raises(TargetProtocolError, match="not valid HTTP"):
                await net.for_check().get(f"http://junk.{DOMAIN}:{junk.port}/")
            loop = await net.for_check().follow(f"http://hops.{DOMAIN}:{hops.port}/loop")
            assert loop.stop == "loop" and len(loop.hops) == 1
            endless = await net.for_check().follow(f"http://hops.{DOMAIN}:{hops.port}/0", max_hops=10)
            assert endless.stop == "too_many_hops" and len(endless.hops) == 10
    finally:
        shop.dns.resolver.remove(f"junk.{DOMAIN}")
        shop.dns.resolver.remove(f"hops.{DOMAIN}")
        junk.stop()
        hops.stop()
