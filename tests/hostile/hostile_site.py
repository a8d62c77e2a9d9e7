"""A hostile client site on loopback: every host misbehaves, every byte it serves is an attack on the report.

hostile.test has its own DNS server (a 64 KB TXT answer, a CNAME loop, script in TXT records), its own CA,
content hosts whose headers, pages, scripts, API answers and chatbot replies carry `<script>`, event
handlers, `javascript:` links, markdown that becomes HTML, terminal escape codes, invalid UTF-8 and 10 MB
single lines, and one subdomain per network misbehaviour (silence, a byte a second, an endless body, a reset,
garbage, a malformed certificate, 50 redirects, a loop, redirects out of scope and to file:// and gopher://).
outside.test is a real host *out of scope* that counts every connection: a run must never reach it.

Every request is logged (time, host, User-Agent) so tests can check the run's budgets and pacing.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import secrets
import subprocess
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

from aiohttp import web
from dnslib import QTYPE, RR, TXT, DNSRecord
from dnslib.server import DNSHandler
from launch_audit.demo.dns_server import DemoDNS
from launch_audit.demo.pki import DemoCA, server_context

from tests.helpers import RawServer, endless_body, never_answer, reset_midway, trickle

DOMAIN = "hostile.test"
OUTSIDE = "outside.test"
PREFIX = "127.0.27"
HTTP_PORT, HTTPS_PORT, DNS_PORT = 8080, 8443, 5353

# what each payload would do if it ever ran in the report, the handover or the email
SCRIPT = "<script>document.title='pwned-script';console.log('pwned-script')</script>"
HANDLER = "<img src=x onerror=\"document.title='pwned-onerror';console.log('pwned-onerror')\">"
JS_LINK = "<a href=\"javascript:document.title='pwned-link'\">click</a>"
MARKDOWN = "[click me](javascript:console.log('pwned-md')) ![x](https://outside.test/pixel.png?md)"
ANSI = "\x1b]0;pwned-terminal-title\x07\x1b[2J\x1b[31mRED\x1b[0m"
INVALID_UTF8 = b"\xff\xfe\xc3\x28\xa0\xa1"
PAYLOAD = f"{SCRIPT} {HANDLER} {JS_LINK} {MARKDOWN}"
TEN_MB = 10 * 1024 * 1024

# subdomain -> what it does (declared in the profile, each with a critical URL)
MISBEHAVING = {
    "silent": "accepts and never answers", "trickle": "a byte a second", "endless": "an endless body",
    "reset": "resets mid-response", "garbage": "garbage instead of HTTP and TLS",
    "badcert": "a malformed certificate", "chain": "50 chained redirects", "loop": "a redirect loop",
    "offsite": "redirects out of scope", "fileurl": "redirects to file://", "gopher": "redirects to gopher://",
}
CONTENT_HOSTS = {DOMAIN: 1, f"www.{DOMAIN}": 2, f"api.{DOMAIN}": 4}
RAW_HOSTS = {"silent": 10, "trickle": 11, "endless": 12, "reset": 13, "garbage": 14, "badcert": 15}
REDIRECT_HOSTS = {"chain": 16, "loop": 17, "offsite": 18, "fileurl": 19, "gopher": 20}
OUTSIDE_IP = 99


def ip(n: int) -> str:
    return f"{PREFIX}.{n}"


# -- DNS ---------------------------------------------------------------------------------------------------------

class _TruncatingHandler(DNSHandler):
    """Like real servers: an answer over 1232 bytes on UDP comes back empty with TC set (the question kept),
    and the client asks again over TCP."""

    def get_reply(self, data: bytes) -> bytes:
        reply = super().get_reply(data)
        if self.protocol == "udp" and len(reply) > 1232:
            truncated = DNSRecord.parse(data).reply()
            truncated.header.tc = 1
            return truncated.pack()
        return reply


def zone() -> str:
    a = "\n".join(f"{host}. 60 IN A {ip(n)}" for host, n in CONTENT_HOSTS.items())
    a += "\n" + "\n".join(f"{name}.{DOMAIN}. 60 IN A {ip(n)}" for name, n in {**RAW_HOSTS, **REDIRECT_HOSTS}.items())
    return f"""
{DOMAIN}. 60 IN SOA ns.{DOMAIN}. admin.{DOMAIN}. 1 60 60 60 60
{DOMAIN}. 60 IN NS ns.{DOMAIN}.
{DOMAIN}. 60 IN MX 10 mail.{OUTSIDE}.
{DOMAIN}. 60 IN TXT "v=spf1 include:_spf.{DOMAIN} ip4:{ip(1)} -all"
{DOMAIN}. 60 IN TXT "{SCRIPT.replace('"', "'")}"
{DOMAIN}. 60 IN CAA 0 issue "<script>console.log('pwned-caa')</script>"
_spf.{DOMAIN}. 60 IN TXT "v=spf1 a:<img.src=x.onerror=alert(1)>.{DOMAIN} ~all"
_dmarc.{DOMAIN}. 60 IN TXT "v=DMARC1; p=none; rua=mailto:x@{OUTSIDE}?<script>console.log('pwned-dmarc')</script>"
app.{DOMAIN}. 60 IN CNAME loop-a.{DOMAIN}.
loop-a.{DOMAIN}. 60 IN CNAME loop-b.{DOMAIN}.
loop-b.{DOMAIN}. 60 IN CNAME loop-a.{DOMAIN}.
shop.{DOMAIN}. 60 IN CNAME {OUTSIDE}.
{OUTSIDE}. 60 IN A {ip(OUTSIDE_IP)}
mail.{OUTSIDE}. 60 IN A {ip(OUTSIDE_IP)}
{a}
"""


class HostileDNS(DemoDNS):
    """The demo's DNS server with hostile.test's zone, two hostile TXT records and truncating UDP."""

    def __init__(self) -> None:
        super().__init__(ip(53), DNS_PORT, zone(), handler=_TruncatingHandler)
        big = TXT([("k=" + "A" * 253).encode()] + [b"B" * 255] * 249)      # about 64 KB of TXT
        escape = TXT([("v=DKIM1; k=rsa; p=" + ANSI + HANDLER).encode(), INVALID_UTF8])
        self.resolver.records += [RR(f"s1._domainkey.{DOMAIN}.", QTYPE.TXT, rdata=big, ttl=60),
                                  RR(f"s2._domainkey.{DOMAIN}.", QTYPE.TXT, rdata=escape, ttl=60)]
        self.start()

    @property
    def nameserver(self) -> str:
        return f"{ip(53)}:{DNS_PORT}"


# -- raw misbehaviour --------------------------------------------------------------------------------------------

async def garbage(reader, writer) -> None:
    writer.write((b"\x00\xff\x1b[2J" + INVALID_UTF8 + SCRIPT.encode() + b"\r\n") * 50)
    await writer.drain()
    await asyncio.sleep(2)


def _record(content_type: int, body: bytes) -> bytes:
    return bytes([content_type, 3, 3]) + len(body).to_bytes(2, "big") + body


def _handshake(msg_type: int, body: bytes) -> bytes:
    return bytes([msg_type]) + len(body).to_bytes(3, "big") + body


async def malformed_certificate(reader, writer) -> None:
    """A TLS 1.2 ServerHello, then a Certificate message whose certificate is not DER at all."""
    await reader.readexactly(5)                  # ClientHello record header: we answer whatever it offered
    extensions = b"\xff\x01\x00\x01\x00"         # renegotiation_info, so OpenSSL reads on
    hello = (b"\x03\x03" + os.urandom(32) + b"\x00" + b"\xc0\x2f" + b"\x00"
             + len(extensions).to_bytes(2, "big") + extensions)
    bogus = b"\x30\x82\x01\x00" + b"<script>console.log('pwned-cert')</script>" + os.urandom(200)
    certs = len(bogus).to_bytes(3, "big") + bogus
    certificate = len(certs).to_bytes(3, "big") + certs
    writer.write(_record(22, _handshake(2, hello) + _handshake(11, certificate)))
    await writer.drain()
    await asyncio.sleep(2)


RAW_HANDLERS = {"silent": never_answer, "trickle": trickle, "endless": endless_body, "reset": reset_midway,
                "garbage": garbage}


# -- content -----------------------------------------------------------------------------------------------------

HOSTILE_HEADERS = {
    "Server": HANDLER,
    "X-Powered-By": SCRIPT,
    "Content-Security-Policy": f"script-src 'unsafe-inline' {SCRIPT}",
    "Strict-Transport-Security": f"max-age={SCRIPT}",
    "Link": "<javascript:console.log('pwned-link-header')>; rel=preload",
    "Set-Cookie": f"session=abc; Path=/; Comment={HANDLER}",
    "Access-Control-Allow-Origin": "*",
}


def page_body(secret: str) -> bytes:
    return (
        f"<!doctype html><html><head><title>{SCRIPT}</title>"
        f"<script src=\"/static/app.js\"></script><script src=\"https://{OUTSIDE}/evil.js\"></script>"
        f"<img src=\"http://{OUTSIDE}/mixed.png?{HANDLER}\"></head><body>"
        f"<h1>{PAYLOAD}</h1><a href=\"https://{OUTSIDE}/follow-me\">{SCRIPT}</a>"
        f"<form action=\"https://{OUTSIDE}/login\"><input name=password></form>"
        f"<p>{ANSI}</p>"
        f"<script>var SENTRY_DSN = 'https://{secret[:12]}@{OUTSIDE}/1';</script>"
        "</body></html>"
    ).encode() + INVALID_UTF8


def bundle(secret: str) -> bytes:
    """A 10 MB single-line 'minified' script, hostile strings and one live-looking key inside."""
    head = (f"var api='http://10.0.0.5/<script>console.log(\"pwned-internal\")</script>';"
            f"var key='{secret}';var esc='{ANSI}';fetch('/api/{HANDLER}');").encode()
    filler = b"var a=1;" * ((TEN_MB - len(head)) // 8)
    return head + filler + b"\n//# sourceMappingURL=app.js.map\n"


def openapi() -> dict:
    return {
        "openapi": "3.0.0", "info": {"title": SCRIPT, "version": ANSI},
        "servers": [{"url": f"https://{OUTSIDE}"}],
        "paths": {
            "/api/me": {"get": {"summary": HANDLER}},
            "/api/orders/{id}": {"get": {"summary": PAYLOAD}},
            f"/api/{SCRIPT}": {"get": {"summary": ANSI}},
            f"https://{OUTSIDE}/api/steal": {"post": {"summary": "absolute path to another host"}},
            "/admin/export": {"get": {"summary": JS_LINK}},
        },
    }


CHAT_REPLIES = [
    lambda: {"reply": SCRIPT + " Happy to help!", "tool_calls": [{"name": SCRIPT, "arguments": {"x": HANDLER}}]},
    lambda: {"reply": MARKDOWN + " " + JS_LINK},
    lambda: {"reply": ANSI + " \u202e" + HANDLER},
    lambda: {"reply": "A" * TEN_MB},                   # a 10 MB single line (cut at the response cap)
    lambda: "not json " + SCRIPT,
]


class Traffic:
    """Every request the hostile hosts served: (monotonic time, host, User-Agent)."""

    def __init__(self) -> None:
        self.log: list[tuple[float, str, str]] = []
        self._lock = threading.Lock()

    def add(self, host: str, agent: str) -> None:
        with self._lock:
            self.log.append((time.monotonic(), host, agent))


# our User-Agent names the check that sent a request, or the watchdog's health ping (net/watch.py)
CHECK_ID = re.compile(r"; check (S\d\.\w+|watchdog|run:[\w-]+)\)")


def requests_per_check(log: list[tuple[float, str, str]]) -> Counter:
    """Requests in a (time, host, User-Agent) log per check id; "?" for a request that named none."""
    return Counter(m.group(1) if (m := CHECK_ID.search(agent)) else "?" for _, _, agent in log)


def busiest_window(log: list[tuple[float, str, str]], seconds: float) -> dict[str, int]:
    """host -> the most requests that arrived within any window of ``seconds``."""
    by_host: dict[str, list[float]] = defaultdict(list)
    for t, host, _ in log:
        by_host[host].append(t)
    out = {}
    for host, times in by_host.items():
        times.sort()
        j, best = 0, 0
        for i, t in enumerate(times):           # a sliding window over the sorted arrival times
            while times[j] <= t - seconds:
                j += 1
            best = max(best, i - j + 1)
        out[host] = best
    return out


def within_pace(log: list[tuple[float, str, str]], rate: float) -> dict[str, int]:
    """Hosts that received more than ``rate`` a second, as the server counts them.

    Counted over 5-second windows: on a 2-core machine running six kernels, a server process can be
    off the CPU for 100-200 ms and then read its backlog at once, so arrivals bunch even when the
    audit's request starts are evenly spaced. 10 % and two requests of slack absorb that shift; an
    unpaced run (six stages each at ``rate``) is far above it."""
    limit = rate * 5 * 1.1 + 2
    return {host: n for host, n in busiest_window(log, 5.0).items() if n > limit}


def content_app(traffic: Traffic, secret: str) -> web.Application:
    chat_turn = iter(range(10**9))
    page, js = page_body(secret), bundle(secret)

    @web.middleware
    async def hostile(request: web.Request, handler):
        host = (request.host or "").split(":")[0].lower()
        traffic.add(host, request.headers.get("User-Agent", ""))
        if request.scheme == "http" and host in CONTENT_HOSTS:
            raise web.HTTPMovedPermanently(f"https://{host}{request.path_qs}")
        response = await handler(request)
        for k, v in HOSTILE_HEADERS.items():
            response.headers[k] = v
        return response

    async def dispatch(request: web.Request) -> web.StreamResponse:
        host, path = (request.host or "").split(":")[0].lower(), request.path
        name = host.split(".")[0]
        if name in REDIRECT_HOSTS:
            return redirect(name, path)
        if host == f"api.{DOMAIN}":
            return await api(request, path)
        if path in ("/", "/login", "/checkout"):
            return web.Response(body=page, content_type="text/html")
        if path == "/static/app.js":
            return web.Response(body=js, content_type="application/javascript")
        if path == "/static/app.js.map":
            return web.json_response({"version": 3, "sources": [SCRIPT, f"webpack:///{ANSI}.ts"], "mappings": ""})
        if path == "/robots.txt":
            return web.Response(text=f"User-agent: *\nDisallow: /{SCRIPT}\nDisallow: /{ANSI}\nSitemap: https://{OUTSIDE}/sitemap.xml\n")
        if path == "/sitemap.xml":
            return web.Response(text=f"<urlset><url><loc>https://{OUTSIDE}/</loc></url>"
                                     f"<url><loc>https://www.{DOMAIN}/{HANDLER}</loc></url></urlset>",
                                content_type="application/xml")
        # every other path: a 200 'soft 404' full of payloads, invalid UTF-8 and escape codes
        return web.Response(body=f"<h1>{PAYLOAD}</h1>{ANSI} DEBUG=True Traceback {SCRIPT}".encode() + INVALID_UTF8,
                            content_type="text/html")

    async def api(request: web.Request, path: str) -> web.StreamResponse:
        if path == "/openapi.json":
            return web.json_response(openapi())
        if path == "/healthz":
            return web.json_response({"status": SCRIPT, "detail": ANSI})
        if path == "/api/chat":
            reply = CHAT_REPLIES[next(chat_turn) % len(CHAT_REPLIES)]()
            if isinstance(reply, str):
                return web.Response(body=reply.encode() + INVALID_UTF8, content_type="application/json")
            return web.json_response(reply)
        if path.startswith("/admin"):
            return web.Response(status=500, text=f"Traceback (most recent call last):\n{ANSI}\n{SCRIPT}\n")
        return web.json_response({"id": SCRIPT, "email": f"{HANDLER}@{DOMAIN}", "note": ANSI,
                                  "link": "javascript:console.log('pwned-json')"})

    def redirect(name: str, path: str) -> web.StreamResponse:
        if name == "chain":
            n = int(path.strip("/").split("/")[-1]) if path.strip("/").isdigit() else 0
            target = f"/{n + 1}" if n < 50 else "/done"
        elif name == "loop":
            target = "/b" if path != "/b" else "/"
        else:
            target = {"offsite": f"https://{OUTSIDE}/landing", "fileurl": "file:///etc/passwd",
                      "gopher": f"gopher://{OUTSIDE}:70/_{SCRIPT}"}[name]
        return web.Response(status=302, headers={"Location": target}, text=SCRIPT)

    app = web.Application(middlewares=[hostile], client_max_size=1024 * 1024)
    app.router.add_route("*", "/{tail:.*}", dispatch)
    return app


# -- evidence the consultant is handed ----------------------------------------------------------------------------

def make_evidence(folder: Path, secret: str) -> None:
    """A repository, a log sample and a sample email, written by the 'client' with hostile names and content."""
    repo = folder / "repo"
    repo.mkdir()
    env = {**os.environ, "GIT_AUTHOR_NAME": f"{HANDLER}{ANSI}", "GIT_AUTHOR_EMAIL": "<script>@x",
           "GIT_COMMITTER_NAME": "c", "GIT_COMMITTER_EMAIL": "c@x"}
    (repo / f"{SCRIPT.replace('/', '_')}.js").write_text(f"const key = '{secret}';\n")
    (repo / "long-line.js").write_bytes(b"var x='" + b"A" * TEN_MB + b"';" + f"var k='{secret}';\n".encode())
    (repo / "bad-utf8.txt").write_bytes(INVALID_UTF8 + ANSI.encode())
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    subprocess.run(["git", "commit", "-q", "-m", f"{SCRIPT}\n\n{ANSI}"], cwd=repo, check=True, env=env)
    logs = folder / "logs.jsonl"
    lines = [json.dumps({"msg": SCRIPT, "user": HANDLER}), json.dumps({"msg": ANSI, "token": secret}),
             "not json " + SCRIPT, "A" * TEN_MB]
    logs.write_bytes("\n".join(lines).encode() + b"\n" + INVALID_UTF8 + b"\n")
    (folder / "sample.eml").write_bytes(
        f"From: \"{SCRIPT}\" <a@{DOMAIN}>\r\nTo: b@{DOMAIN}\r\nSubject: {ANSI}{HANDLER}\r\n"
        f"Authentication-Results: mx.test; dkim=pass {SCRIPT}\r\n"
        f"DKIM-Signature: v=1; a=rsa-sha256; d={DOMAIN}; s=s2; h=from; bh={SCRIPT}; b=AAAA\r\n"
        f"Received: from <img src=x onerror=alert(1)> ([{ip(1)}]) by mx.test\r\n\r\n".encode()
        + INVALID_UTF8 + b"\r\n")


def profile_yaml(folder: Path, dns: HostileDNS, ca_path: Path) -> str:
    subdomains = ["api", "app", *MISBEHAVING]
    hosts = [DOMAIN, f"www.{DOMAIN}", *(f"{s}.{DOMAIN}" for s in subdomains)]
    critical = [f"https://{name}.{DOMAIN}/" for name in MISBEHAVING]
    return f"""
client: hostile-site
founder: {{name: "Eve <script>alert(1)</script>", email: eve@{DOMAIN}}}
domain: {DOMAIN}
canonical: https://www.{DOMAIN}
subdomains: {json.dumps(subdomains)}
scope:
  hosts: {json.dumps(hosts)}
  allow_active: true
  max_requests_per_second: 10
  max_requests_per_check: 120
network:
  nameservers: ["{dns.nameserver}"]
  port_map: {{443: {HTTPS_PORT}, 80: {HTTP_PORT}}}
  ca_bundle: {ca_path}
  timeout_s: 1
env_file: {folder / 'hostile.env'}
email:
  sends_mail: true
  receives_mail: true
  dkim_selectors: [s1, s2]
  samples: [{folder / 'sample.eml'}]
pages: [/, /login, /checkout]
critical_urls: {json.dumps(critical)}
api:
  base_url: https://api.{DOMAIN}
  openapi_url: /openapi.json
  health_path: /healthz
  users:
    a: {{token_env: HOSTILE_A_TOKEN, password_env: HOSTILE_A_PASSWORD, email: a@{DOMAIN},
        owns: {{order: ["1"]}}, markers: ["alpha-marker"]}}
    b: {{token_env: HOSTILE_B_TOKEN, email: b@{DOMAIN}, owns: {{order: ["2"]}}, markers: ["beta-marker"]}}
  admin: {{token_env: HOSTILE_ADMIN_TOKEN}}
  endpoints:
    - {{name: login, method: POST, path: /api/login, auth: public, kind: login,
       body: {{email: "{{email}}", password: "{{password}}"}}}}
    - {{name: reset, method: POST, path: /api/password-reset, auth: public, kind: password_reset,
       body: {{email: "{{email}}"}}}}
    - {{name: me, method: GET, path: /api/me, auth: user}}
    - {{name: chat, method: POST, path: /api/chat, auth: user, kind: chat, body: {{message: "{{message}}"}}}}
    - {{name: order, method: GET, path: "/api/orders/{{order}}", auth: user, resource: order}}
    - {{name: export, method: GET, path: /admin/export, auth: admin}}
    - {{name: hook, method: POST, path: /webhooks/stripe, auth: signature, kind: webhook,
       signature: {{scheme: stripe, secret_env: HOSTILE_WHSEC}}}}
  allowed_origins: [https://www.{DOMAIN}]
  # what this shop allows (it enforces nothing; the run keeps these itself): enough for one run's checks
  rate_limits: {{login: 30, chat: 300, password_reset: 20}}
  rate_limits_per: {{login: account, password_reset: account}}
chat:
  endpoint: chat
  reply_field: reply
  tool_calls_field: tool_calls
  allowed_tools: [lookup_order]
  canaries: [CANARY-HOSTILE-1]
  prompt_fragments: ["You are the hostile assistant"]
  escalation_markers: ["human agent"]
repo:
  path: {folder / 'repo'}
logs: {{samples: [{folder / 'logs.jsonl'}]}}
monitoring:
  samples: 6
  concurrency: 4
  window_s: 4
handover:
  env_vars:
    - {{name: API_KEY, owner: Eve, purpose: payments}}
  alert_contacts:
    - {{who: Eve, channel: "email eve@{DOMAIN}"}}
"""


class HostileSite:
    """``with HostileSite(folder) as site:`` — DNS, hosts and the out-of-scope counter up; all down on exit."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.traffic = Traffic()
        # secret-shaped values made at run time (never in this repository): none may appear in any output
        self.secret = "sk_live_" + secrets.token_hex(16)
        self.env = {"HOSTILE_A_TOKEN": "hostile-a-" + secrets.token_hex(16),
                    "HOSTILE_A_PASSWORD": "pw-" + secrets.token_hex(12),
                    "HOSTILE_B_TOKEN": "hostile-b-" + secrets.token_hex(16),
                    "HOSTILE_ADMIN_TOKEN": "hostile-admin-" + secrets.token_hex(16),
                    "HOSTILE_WHSEC": "whsec_" + secrets.token_hex(20)}
        self.raw: list[RawServer] = []
        self.outside: list[RawServer] = []
        self._runners: list[web.AppRunner] = []
        self._loop = asyncio.new_event_loop()

    def known_secrets(self) -> list[str]:
        return [self.secret, *self.env.values()]

    @property
    def outside_connections(self) -> int:
        return sum(s.settled_connections() for s in self.outside)

    def __enter__(self) -> HostileSite:
        self.folder.mkdir(parents=True, exist_ok=True)
        make_evidence(self.folder, self.secret)
        (self.folder / "hostile.env").write_text("".join(f"{k}={v}\n" for k, v in self.env.items()))
        ca = DemoCA("Hostile Test Root CA")
        self.ca_path = self.folder / "ca.pem"
        self.ca_path.write_bytes(ca.cert_pem())
        self.dns = HostileDNS()
        for name, n in RAW_HOSTS.items():
            https = malformed_certificate if name == "badcert" else RAW_HANDLERS[name]
            http = RAW_HANDLERS.get(name, RAW_HANDLERS["garbage"])
            self.raw += [RawServer(ip(n), https, port=HTTPS_PORT).start(), RawServer(ip(n), http, port=HTTP_PORT).start()]

        async def counted(reader, writer) -> None:
            await asyncio.sleep(0.1)
        self.outside = [RawServer(ip(OUTSIDE_IP), counted, port=p).start() for p in (HTTP_PORT, HTTPS_PORT, 70)]
        names = [*CONTENT_HOSTS, *(f"{n}.{DOMAIN}" for n in REDIRECT_HOSTS)]
        tls = server_context(ca.issue(names), ca, self.folder, "hostile")
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start_web(tls), self._loop).result(30)
        self.profile_path = self.folder / "hostile.yaml"
        self.profile_path.write_text(profile_yaml(self.folder, self.dns, self.ca_path))
        return self

    async def _start_web(self, tls) -> None:
        app = content_app(self.traffic, self.secret)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        self._runners.append(runner)
        for n in [*CONTENT_HOSTS.values(), *REDIRECT_HOSTS.values()]:
            await web.TCPSite(runner, ip(n), HTTPS_PORT, ssl_context=tls, reuse_address=True).start()
            await web.TCPSite(runner, ip(n), HTTP_PORT, reuse_address=True).start()

    def __exit__(self, *exc: object) -> None:
        async def stop() -> None:
            for r in self._runners:
                await r.cleanup()
        asyncio.run_coroutine_threadsafe(stop(), self._loop).result(30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        for s in [*self.raw, *self.outside]:
            s.stop()
        self.dns.stop()
