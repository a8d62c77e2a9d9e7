"""The one network layer of a run, built from the profile and handed to every check.

``Network`` owns the resolver, SSL contexts, the httpx client, the scope guard and
the per-host rate limiter. Each check gets a ``CheckNet`` view that adds its own
request budget. Nothing else in the code base opens a socket to a target.
"""

from __future__ import annotations

import asyncio
import email.utils
import http.cookiejar
import json as _json
import re
import ssl
import time
import zlib
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx

from ..profile import SAFE_METHODS, MissingSecret, Profile
from .declared_limits import (LIMITS_FOLDER, LOGIN_FIELDS, WINDOW_S, Accounts, DeclaredLimits, LimitUnreachable,
                              learned_kind, named_in)
from .errors import (DNSNotFound, NetError, TargetDown, TargetProtocolError, TargetTimeout, TargetUnreachable,
                     Throttled, TLSError, UnsupportedScheme)
from .http import HttpResponse, Hop, RedirectChain
from .ratelimit import Budget, HostRateLimiter, default_pacing_dir
from .resolver import Resolver
from .scope import ScopeGuard
from .timing import TimedStream
from .tls import Handshake, TLSContexts, explain_ssl_error, handshake
from .transport import ResolvingBackend, ResolvingTransport
from .watch import TargetWatch
from .watch_record import WATCH_FOLDER, ProbeRecord, WatchStore

# the longest Retry-After a request waits out: a per-minute limit's whole window and a margin (the check's
# deadline bounds it too). The declared limits keep our own checks from tripping the shop; this is for the rest.
THROTTLE_WAIT_S = WINDOW_S + 4.0
# after a slot of a declared limit, the check has this long again to finish (see CheckNet.deadline)
SLOT_GRACE_S = 120.0
USER_AGENT = "launch-audit/0.1 (pre-launch security audit; authorised by the site owner)"
_CHUNK = 65536


class Network:
    def __init__(self, profile: Profile, *, max_throttle_wait_s: float = THROTTLE_WAIT_S,
                 run_dir: Path | None = None) -> None:
        net = profile.network
        self.profile = profile
        self.timeout_s = net.timeout_s
        self.max_bytes = net.max_response_bytes
        self.max_throttle_wait_s = max_throttle_wait_s
        self.run_dir = Path(run_dir) if run_dir else None
        self.port_map = dict(net.port_map)
        self.resolver = Resolver(net.nameservers, net.timeout_s)
        self.tls = TLSContexts(str(profile.path(net.ca_bundle)) if net.ca_bundle else None)
        self.scope = ScopeGuard(list(profile.scope.hosts), profile.scope.allow_active)
        # paced across processes: a run's stage kernels and a batch's clients share each host's rate
        self.limiter = HostRateLimiter(profile.scope.max_requests_per_second, default_pacing_dir())
        self.backend = ResolvingBackend(self.resolver, self.port_map, self.scope)
        self.requests_sent = 0
        self.state_changing_sent = 0
        self._client: httpx.AsyncClient | None = None
        # shared by the run's stage processes through the run folder; in memory when exploring
        self.watch = TargetWatch(WatchStore(Path(run_dir) / WATCH_FOLDER if run_dir else None), self._ping_admit,
                                 self._ping, self._health_url, profile.scope.recovery_wait_s)
        # the shop's declared per-minute limits, kept by the whole run (its stage processes share the folder)
        api = profile.api
        self.declared = DeclaredLimits(dict(api.rate_limits) if api else {},
                                       Path(run_dir) / LIMITS_FOLDER if run_dir else None)
        self._limited = [(e.method, _path_pattern(api.url(e.path)), e.kind) for e in (api.endpoints if api else [])
                         if e.kind in self.declared.limits]
        self._logins = [(e.method, _path_pattern(api.url(e.path))) for e in (api.endpoints if api else [])
                        if e.kind == "login"]
        auth = {api.auth_header.lower(), "cookie"} if api else set()
        self._auth_names = tuple(sorted(auth))
        self.accounts = Accounts(self._auth_names)
        chat = profile.chat
        for account, env in self._account_envs():
            try:
                self.accounts.know(profile.secret(env), account)
            except MissingSecret:
                pass
        # accounts whose chat limit the shop lifted for the audit
        self._exempt = {"account-red_team"} if chat and chat.exempt_from_limit and chat.token_env else set()

    def _account_envs(self) -> list[tuple[str, str]]:
        """(account, variable) of every token the profile names."""
        api, chat = self.profile.api, self.profile.chat
        envs = [("red_team", chat.token_env)] if chat and chat.token_env else []
        if api and api.users:
            envs += [(name, user.token_env) for name, user in (("a", api.users.a), ("b", api.users.b))
                     if user.token_env]
        if api and api.admin:
            envs.append(("admin", api.admin.token_env))
        return envs

    def login_account(self, body: object) -> str | None:
        """The profile user (a or b) a login body names by email or username."""
        users = self.profile.api.users if self.profile.api else None
        if users is None or not isinstance(body, dict):
            return None
        named = {str(v).strip().lower() for k, v in body.items() if k in LOGIN_FIELDS}
        return next((name for name, user in (("a", users.a), ("b", users.b))
                     if {(user.email or "").lower(), (user.username or "").lower()} & named - {""}), None)

    def is_login(self, method: str, url: str) -> bool:
        bare = url.split("?", 1)[0]
        return any(m == method.upper() and pattern.fullmatch(bare) for m, pattern in self._logins)

    def limited_kind(self, method: str, url: str) -> str | None:
        """The declared-limit kind (login, password_reset, chat) of a request to a declared endpoint."""
        bare = url.split("?", 1)[0]
        return next((kind for m, pattern, kind in self._limited if m == method.upper() and pattern.fullmatch(bare)),
                    None)

    def _health_url(self, origin: str) -> str:
        """The API's health path on the API's origin; the root of any other origin probed."""
        api = self.profile.api
        if api and api.health_path and origin == _origin(api.base_url):
            return api.url(api.health_path)
        return origin + "/"

    async def _ping_admit(self, url: str) -> None:
        """The watchdog's health ping stays within scope and the host's pace (outside any check's budget)."""
        host = urlsplit(url).hostname or ""
        self.scope.require(host)
        await self.limiter.wait(host)
        self.requests_sent += 1

    async def _ping(self, url: str) -> float:
        """The health ping itself: the answer's own time in seconds (below 500); NetError otherwise."""
        host = urlsplit(url).hostname or ""
        resp = await CheckNet(self, Budget(1), "watchdog")._send("GET", url, None, None, None, 65536, None)
        if resp.status >= 500:
            raise TargetUnreachable(f"GET {url} answered {resp.status}", host=host)
        return resp.latency_ms / 1000

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            transport = ResolvingTransport(self.backend, self.tls.verify,
                                           httpx.Limits(max_connections=50, max_keepalive_connections=20))
            self._client = httpx.AsyncClient(
                transport=transport, follow_redirects=False, trust_env=False,
                timeout=httpx.Timeout(self.timeout_s),
                headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate, identity"},
                cookies=_no_cookies(),
            )
        return self._client

    async def aclose(self) -> None:
        await self.watch.aclose()
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def __aenter__(self) -> Network:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def for_check(self, budget: int | None = None, check_id: str = "") -> CheckNet:
        return CheckNet(self, Budget(budget or self.profile.scope.max_requests_per_check), check_id)


def _path_pattern(url: str) -> re.Pattern[str]:
    """A declared endpoint's URL as a pattern: each {placeholder} matches one path segment."""
    parts = re.split(r"(\{[^}/]+\})", url)
    return re.compile("".join("[^/?#]+" if p.startswith("{") and p.endswith("}") else re.escape(p) for p in parts))


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _default_label(method: str, url: str, size: int) -> str:
    path = urlsplit(url).path or "/"
    return f"{method} {path}" + (f" with a {size:,}-byte body" if size else "")


def _no_cookies() -> http.cookiejar.CookieJar:
    """A jar that keeps nothing: checks share one client, and a session cookie one check's login receives
    must never ride along on another check's "no credentials" request. A check that needs a cookie
    sends it itself."""
    policy = http.cookiejar.DefaultCookiePolicy()
    policy.set_ok = lambda cookie, request: False  # type: ignore[method-assign]
    return http.cookiejar.CookieJar(policy)


class CheckNet:
    """What one check may use: HTTP, TLS and DNS through the run's layer, within its budget."""

    def __init__(self, net: Network, budget: Budget, check_id: str = "") -> None:
        self.net = net
        self.budget = budget
        self.check_id = check_id
        # what the target answered this check: HTTP answers (any status), TLS handshakes (a refusal is an
        # answer too), DNS answers (NXDOMAIN is one): a verdict with none of these observed nothing
        self.observed: Counter[str] = Counter()
        self.dns = CountedResolver(net.resolver, self.observed)
        # the target's logs (and its WAF) can tell which check sent a request
        self.user_agent = f"{USER_AGENT[:-1]}; check {check_id})" if check_id else USER_AGENT
        # when the check's own time runs out (monotonic; set by the runner): a wait it cannot absorb is not begun.
        # A check that waits for slots of the shop's declared limits is not slow: each slot moves its deadline
        # to SLOT_GRACE_S after the slot, up to ``deadline_cap``; ``on_extend`` tells the runner's timer
        self.deadline: float | None = None
        self.deadline_cap: float | None = None
        self.on_extend: Callable[[float], None] | None = None

    async def _admit(self, host: str, active: bool, changes_state: tuple[str, str] | None = None) -> None:
        self.net.scope.require(host, active=active, changes_state=changes_state)
        self.budget.take()
        await self.net.limiter.wait(host)
        self.net.requests_sent += 1

    # -- HTTP ------------------------------------------------------------------
    async def request(self, method: str, url: str, *, active: bool = False, expect_throttle: bool = False,
                      limit_probe: bool = False,
                      headers: dict[str, str] | None = None, json: object = None, content: bytes | str | None = None,
                      max_bytes: int | None = None, timeout_s: float | None = None,
                      changes_state: bool | None = None, label: str | None = None) -> HttpResponse:
        """One request, never following redirects, body cut at the cap.

        A 429 with Retry-After is waited out (up to a bound) unless the caller is
        probing rate limits (``expect_throttle``): a throttled target is never
        mistaken for a missing control. A request to a login, reset or chat
        endpoint first waits for its slot in the shop's declared limit;
        ``limit_probe`` (the rate-limit bursts) records it without waiting.

        ``changes_state`` (default: any method but GET, HEAD and OPTIONS) marks a request that could
        change something on the target: without scope.allow_active it is never sent. Active and
        state-changing requests are logged for the watchdog (``label`` says what the probe is); any
        request that fell into an outage one of our probes caused raises :class:`TargetDown`.
        """
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UnsupportedScheme(f"not an http(s) URL: {url[:200]}")
        host = parts.hostname
        changes = method.upper() not in SAFE_METHODS if changes_state is None else changes_state
        watched = active or changes
        for attempt in range(3):
            if watched:                 # allowed at all? then: is the host up, or still recovering from a probe?
                self.net.scope.require(host, active=active, changes_state=(method, url) if changes else None)
                await self.net.watch.before_send(host, _origin(url))
            await self._admit(host, active, (method, url) if changes else None)
            # the slot last, right before sending: a pacing wait after it would send two requests of a
            # declared limit less than its window apart
            booked = await self._within_declared(method, url, headers, json, limit_probe)
            if changes:
                self.net.state_changing_sent += 1
            record = None
            if watched:
                size = len(content) if content is not None else len(_json.dumps(json)) if json is not None else 0
                record = self.net.watch.started(host, self.check_id or "?", label or _default_label(method, url, size),
                                                method, url, size)
            start = time.time()
            try:
                resp = await self._send(method, url, headers, json, content, max_bytes, timeout_s)
            except NetError as e:
                self._not_lost(host, start, record, method, url, e)
                raise
            finally:
                if record is not None:
                    self.net.watch.ended(record)
                if booked is not None:
                    self.net.declared.settle(*booked, time.monotonic())
            self._not_lost(host, start, record, method, url)
            self.observed["http answers"] += 1
            if 200 <= resp.status < 300 and self.net.is_login(method, url):
                self._learn_session(json, resp)
            if resp.status != 429 or expect_throttle:
                return resp
            if self.net.limited_kind(method, url) is None:     # a limit the profile did not declare: learn it
                self.net.declared.learn(learned_kind(method, url), self.net.accounts.of(headers),
                                        limit_per_minute(resp.headers))
            wait = throttle_wait(resp.headers)
            why = self._cannot_wait(wait, attempt)
            if why:
                after = f" (Retry-After: {resp.headers.get('retry-after')})" if resp.headers.get("retry-after") else ""
                raise Throttled(f"throttled by the target: 429 from {parts.hostname}{after}; {why}",
                                host=parts.hostname)
            await asyncio.sleep(wait)       # a 429 this check did not mean to cause: wait it out, then resume
        raise AssertionError("unreachable")

    def _cannot_wait(self, wait: float | None, attempt: int) -> str:
        """Why a 429 cannot be waited out here ("" when it can): no stated wait, longer than a limit's
        window, past the check's deadline, or the third 429 in a row."""
        if wait is None:
            return "it says no Retry-After or RateLimit-Reset to wait for"
        if wait > self.net.max_throttle_wait_s:
            return f"its {wait:g} s wait is longer than this run waits ({self.net.max_throttle_wait_s:g} s)"
        if self.deadline is not None and time.monotonic() + wait + self.net.timeout_s > self.deadline:
            return f"the check's deadline cannot absorb a {wait:g} s wait"
        if attempt == 2:
            return "still throttled after waiting twice"
        return ""

    async def _within_declared(self, method: str, url: str, headers: dict[str, str] | None, body: object,
                               probe: bool) -> tuple[str, str, float] | None:
        """Take this request's slot in the shop's declared limit (a rate-limit probe's is recorded, not
        waited for); a slot past the check's deadline is a Throttled error that says so."""
        kind = self.net.limited_kind(method, url)
        if kind is None:            # no declared limit: one learned from an earlier 429, or note it for learning
            kind = learned_kind(method, url)
            who = self.net.accounts.of(headers)
            if not self.net.declared.has_limit(kind):
                self.net.declared.sent(kind, who)
                return None
            return await self._take_slot(kind, who, method, url, probe)
        api = self.net.profile.api
        counts = api.limit_counts(kind) if api else "client"
        signed_in = self.net.accounts.of(headers)
        if kind == "chat" and signed_in in self.net._exempt:
            return None
        # per account: whose credentials it carries, or for a login or reset the account its body names
        who = "client" if counts == "client" else signed_in if kind == "chat" else named_in(body)
        return await self._take_slot(kind, who, method, url, probe)

    async def _take_slot(self, kind: str, who: str, method: str, url: str,
                         probe: bool) -> tuple[str, str, float] | None:
        """The request's slot (kind, identity, time), waited for; settled with the answer's time."""
        last = self.deadline_cap or self.deadline
        try:
            slot = await self.net.declared.book(kind, who, probe=probe, on_slot=self._extend_past,
                                                deadline=last - self.net.timeout_s if last else None)
            return None if slot is None else (kind, who, slot)
        except LimitUnreachable as e:
            raise Throttled(f"{method} {url[:160]}: not sent: {e}, before this check's deadline",
                            host=urlsplit(url).hostname) from None

    def _learn_session(self, body: object, resp: HttpResponse) -> None:
        """A login as one of the profile's users answered with a session: later requests carrying it count
        under that user's limits, as the shop counts them."""
        account = self.net.login_account(body)
        if account is None:
            return
        try:
            doc = resp.json()
        except ValueError:
            doc = None
        self.net.accounts.learn_session(account, resp.headers.get_list("set-cookie"), doc)

    def _extend_past(self, slot: float) -> None:
        """A slot of a declared limit later on: the check has SLOT_GRACE_S after it (up to its cap)."""
        if self.deadline is None or slot + SLOT_GRACE_S <= self.deadline:
            return
        self.deadline = min(slot + SLOT_GRACE_S, self.deadline_cap or slot + SLOT_GRACE_S)
        if self.on_extend is not None:
            self.on_extend(self.deadline)

    async def get(self, url: str, **kw: object) -> HttpResponse:
        return await self.request("GET", url, **kw)  # type: ignore[arg-type]

    def _not_lost(self, host: str, start: float, record: ProbeRecord | None, method: str, url: str,
                  error: NetError | None = None) -> None:
        """Raise TargetDown when this request overlapped an outage that another probe of ours caused."""
        outage = self.net.watch.lost(host, start, time.time(), record.id if record else None)
        if outage is not None:
            raise TargetDown(f"{outage.reason()}: {method} {url[:160]} fell into that outage and is not judged",
                             host=host) from error

    async def _send(self, method: str, url: str, headers: dict[str, str] | None, json: object,
                    content: bytes | str | None, max_bytes: int | None, timeout_s: float | None) -> HttpResponse:
        client = self.net.client
        timeout = timeout_s or self.net.timeout_s
        cap = max_bytes or self.net.max_bytes
        host = urlsplit(url).hostname or "?"
        started = time.perf_counter()
        try:
            # the total deadline also ends a server that trickles bytes forever
            async with asyncio.timeout(timeout * 3):
                request = client.build_request(method, url, headers={"User-Agent": self.user_agent, **(headers or {})},
                                               json=json, content=content, timeout=httpx.Timeout(timeout))
                response = await client.send(request, stream=True)
                try:
                    body, truncated = await _read_capped(response, cap)
                    stream = response.extensions.get("network_stream")
                    wire_ms = stream.wire_ms() if isinstance(stream, TimedStream) and not truncated else None
                finally:
                    await response.aclose()
        except TimeoutError:
            raise TargetTimeout(f"{method} {url}: no complete answer within {timeout * 3:g}s", host=host) from None
        except httpx.TimeoutException as e:
            raise TargetTimeout(f"{method} {url}: {type(e).__name__} after {timeout:g}s", host=host) from None
        except httpx.ConnectError as e:
            raise _connect_error(method, url, host, e) from None
        except (httpx.RemoteProtocolError, httpx.LocalProtocolError, httpx.DecodingError) as e:
            raise TargetProtocolError(f"{method} {url}: not valid HTTP ({_first_line(e)})", host=host) from None
        except httpx.ReadError as e:
            raise TargetUnreachable(f"{method} {url}: connection dropped ({_first_line(e) or 'reset'})", host=host) from None
        except httpx.TransportError as e:
            raise TargetUnreachable(f"{method} {url}: {type(e).__name__}: {_first_line(e)}", host=host) from None
        return HttpResponse(
            method=method, url=url, status=response.status_code, reason=response.reason_phrase,
            headers=response.headers, body=body, truncated=truncated,
            elapsed_ms=(time.perf_counter() - started) * 1000, http_version=response.http_version,
            wire_ms=wire_ms,
        )

    async def follow(self, url: str, *, max_hops: int = 10) -> RedirectChain:
        """GET ``url`` and follow redirects one hop at a time, never out of scope."""
        chain = RedirectChain(start=url)
        seen: set[str] = set()
        current = url
        while True:
            parts = urlsplit(current)
            if parts.scheme not in ("http", "https"):
                chain.stop, chain.stop_url = "unsupported_scheme", current[:200]
                return chain
            if not self.net.scope.allows(parts.hostname or ""):
                chain.stop, chain.stop_url = "out_of_scope", current
                self.net.scope.refused.append(parts.hostname or current)
                return chain
            if current in seen:
                chain.stop, chain.stop_url = "loop", current
                return chain
            seen.add(current)
            resp = await self.get(current)
            hop = Hop(current, resp.status, resp.location if resp.is_redirect else None)
            chain.hops.append(hop)
            if not hop.location:
                chain.final = resp
                return chain
            if len(chain.hops) >= max_hops:
                chain.stop, chain.stop_url = "too_many_hops", current
                return chain
            current = urljoin(current, hop.location)

    # -- TLS ---------------------------------------------------------------------
    async def tls_handshake(self, host: str, port: int = 443, *, verify: bool = True,
                            context: ssl.SSLContext | None = None) -> Handshake:
        """A raw TLS handshake with SNI ``host``, through the run's resolution and port map."""
        await self._admit(host, active=False)
        address = (await self.net.resolver.addresses(host))[0]
        mapped = self.net.port_map.get(port, port)
        ctx = context or (self.net.tls.verify if verify else self.net.tls.inspect)
        try:
            hs = await handshake(address, mapped, host, ctx, self.net.timeout_s)
            self.observed["TLS handshakes"] += 1
        except ssl.SSLCertVerificationError as e:
            self.observed["TLS handshakes"] += 1
            err = TLSError(f"certificate rejected: {e.verify_message or e.reason}", host=host)
            err.verify_code = e.verify_code  # type: ignore[attr-defined]
            raise err from None
        except ssl.SSLError as e:
            self.observed["TLS handshakes"] += 1
            raise TLSError(f"TLS handshake with {host} failed: {explain_ssl_error(e)}", host=host) from None
        except (TimeoutError, asyncio.TimeoutError):
            raise TargetTimeout(f"TLS handshake with {host} timed out after {self.net.timeout_s:g}s", host=host) from None
        except ConnectionRefusedError:
            raise TargetUnreachable(f"{host}:{port} refused the connection", host=host) from None
        except (ConnectionResetError, asyncio.IncompleteReadError):
            # connected, then dropped mid-handshake: how servers refuse a protocol version
            raise TLSError(f"{host}:{port} closed the connection during the TLS handshake", host=host) from None
        except (ConnectionError, OSError) as e:
            raise TargetUnreachable(f"{host}:{port}: {e.strerror or e}", host=host) from None
        if not verify:
            hs.verified = False
        return hs


class CountedResolver:
    """The run's resolver as one check sees it: every answer it got is counted in ``observed``."""

    def __init__(self, resolver: Resolver, observed: Counter[str]) -> None:
        self._resolver, self._observed = resolver, observed

    def __getattr__(self, name: str):            # timeout_s, description, …: the run's resolver's own
        return getattr(self._resolver, name)

    async def query(self, name: str, rdtype: str) -> list[str]:
        try:
            found = await self._resolver.query(name, rdtype)
        except DNSNotFound:
            self._observed["DNS answers"] += 1
            raise
        self._observed["DNS answers"] += 1
        return found

    async def cname_chain(self, name: str, max_len: int = 10) -> list[str]:
        chain = await self._resolver.cname_chain(name, max_len)
        self._observed["DNS answers"] += len(chain)
        return chain

    async def addresses(self, host: str) -> list[str]:
        found = await self._resolver.addresses(host)
        self._observed["DNS answers"] += 1
        return found


async def _read_capped(response: httpx.Response, cap: int) -> tuple[bytes, bool]:
    """Read at most ``cap`` bytes of the body (decoded), stopping the stream there."""
    encoding = response.headers.get("content-encoding", "").lower().strip()
    decoder = zlib.decompressobj(wbits=47) if encoding in ("gzip", "deflate", "x-gzip") else None
    out = bytearray()
    async for raw in response.aiter_raw(_CHUNK):
        if decoder is not None:
            # bounded: a compression bomb expands to at most the cap
            chunk = decoder.decompress(raw, cap - len(out) + 1)
        else:
            chunk = raw
        out += chunk
        if len(out) > cap:
            return bytes(out[:cap]), True
    return bytes(out), False


def _connect_error(method: str, url: str, host: str, e: httpx.ConnectError) -> NetError:
    text = str(e)
    cause = e.__cause__ or e.__context__
    while cause is not None and not isinstance(cause, (ssl.SSLError, NetError)):
        cause = cause.__cause__ or cause.__context__
    if isinstance(cause, NetError):
        return cause
    if isinstance(cause, ssl.SSLCertVerificationError):
        return TLSError(f"{method} {url}: certificate rejected: {cause.verify_message or cause.reason}", host=host)
    if isinstance(cause, ssl.SSLError):
        return TLSError(f"{method} {url}: TLS failed: {explain_ssl_error(cause)}", host=host)
    if "SSL" in text or "certificate" in text.lower():
        return TLSError(f"{method} {url}: TLS failed: {_first_line(e)}", host=host)
    return TargetUnreachable(f"{method} {url}: cannot connect ({_first_line(e) or 'refused'})", host=host)


def _first_line(e: BaseException) -> str:
    return (str(e).splitlines() or [""])[0][:300]


def throttle_wait(headers) -> float | None:
    """How long a 429 asks us to wait: Retry-After, else the RateLimit headers' reset (IETF draft
    `RateLimit-Reset: 20` or `RateLimit: limit=5, remaining=0, reset=20`; `X-RateLimit-Reset` as seconds
    or, when it is a Unix time, until then)."""
    wait = retry_after_seconds(headers.get("retry-after"))
    if wait is not None:
        return wait
    combined = re.search(r"\breset=(\d+)", headers.get("ratelimit") or "")
    for raw in (headers.get("ratelimit-reset"), combined.group(1) if combined else None, headers.get("x-ratelimit-reset")):
        if raw and raw.strip().isdigit():
            value = float(raw.strip())
            return max(0.0, value - time.time()) if value > 1_000_000_000 else value
    return None


def limit_per_minute(headers) -> int | None:
    """The limit a 429 states, per minute: `RateLimit-Policy: 5;w=60`, `RateLimit: limit=5, …`,
    `RateLimit-Limit: 5` or `X-RateLimit-Limit: 5` (a window of a minute unless the policy names one)."""
    policy = re.match(r"\s*(\d+)\s*;\s*w=(\d+)", headers.get("ratelimit-policy") or "")
    if policy and int(policy.group(2)) > 0:
        return max(1, int(int(policy.group(1)) * 60 / int(policy.group(2))))
    combined = re.search(r"\blimit=(\d+)", headers.get("ratelimit") or "")
    for raw in (combined.group(1) if combined else None, headers.get("ratelimit-limit"),
                headers.get("x-ratelimit-limit")):
        if raw and raw.strip().split(",")[0].strip().isdigit():
            return max(1, int(raw.strip().split(",")[0]))
    return None


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


__all__ = ["Network", "CheckNet", "retry_after_seconds", "throttle_wait"]
