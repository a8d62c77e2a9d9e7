"""The bundled demo shop: DNS, CA, HTTPS virtual hosts, API, chatbot and SMTP on loopback, in-process."""

from __future__ import annotations

import asyncio
import re
import shutil
import ssl
import threading
from pathlib import Path

from aiohttp import web

from ..workspace import shipped_demo_profile
from . import evidence, web_api, web_site
from .dns_server import DemoDNS
from .fakes import DemoSecrets
from .layout import DOMAIN, Layout
from .mail import DkimKey
from .pki import DemoCA, server_context
from .smtp import DemoSMTP
from .state import ShopState
from .style import Style
from .zone import zone_text

DEFAULT_LAYOUT = Layout()
CREDENTIALS_FILE = "credentials.env"
SMTP_LOGIN = ("audit-mailer", "demo-smtp-" + "login")   # the demo submission account (not a secret of the shop)


class DemoShop:
    """``with DemoShop(state_dir) as shop:`` — everything up on return, everything down on exit."""

    def __init__(self, state_dir: Path, layout: Layout = DEFAULT_LAYOUT, *, hardened: bool = False,
                 style: Style = Style(), strict_limits: dict[str, int] | None = None) -> None:
        self.state_dir = Path(state_dir).resolve()
        self.layout = layout
        self.hardened = hardened
        self.style = style             # how it is built (demo/style.py), not which defects it has
        self.secrets = DemoSecrets()
        self.state = ShopState(layout, self.secrets, hardened=hardened, style=style)
        # strict limits: exactly these per-minute limits (login, password_reset, chat), nobody exempt, and the
        # profiles it writes declare them so (the declared limits are the truth the run schedules by)
        self.strict_limits = strict_limits
        if strict_limits is not None:
            self.state.limits.update(strict_limits)
            self.state.chat_exempt = set()
        self.dns: DemoDNS | None = None
        self.smtp: DemoSMTP | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runners: list[web.AppRunner] = []
        self._https: dict[str, tuple[web.AppRunner, str, ssl.SSLContext, web.TCPSite]] = {}   # host -> its site
        self.tokens: dict[str, str] = {}

    # -- lifecycle -------------------------------------------------------------
    def start(self) -> DemoShop:
        if self.state_dir.exists():
            shutil.rmtree(self.state_dir)
        (self.state_dir / "tls").mkdir(parents=True)
        ca = DemoCA()
        (self.state_dir / "ca.pem").write_bytes(ca.cert_pem())
        dkim_key = DkimKey("s1", 2048 if self.hardened else 1024)
        provider_key = DkimKey("pm", 2048)          # the mail provider's own signing key (mailer.test)
        evidence.make_repo(self.state_dir / "repo", self.secrets, hardened=self.hardened)
        evidence.make_files(self.state_dir, self.secrets, dkim_key, provider_key, self.layout, hardened=self.hardened)
        self._write_credentials()
        try:
            self.dns = DemoDNS(self.layout.dns_address, self.layout.dns_port,
                               zone_text(self.layout, hardened=self.hardened, dkim_keys={"s1": dkim_key.public_b64},
                                         provider_keys={"pm": provider_key.public_b64}))
            self.dns.start()
            mail_tls = server_context(ca.issue([f"mail.{DOMAIN}", self.layout.smtp_address]), ca,
                                      self.state_dir / "tls", "mail")
            self.smtp = DemoSMTP(self.layout.smtp_address, self.layout.smtp_port, self.state_dir / "mailbox",
                                 tls=mail_tls, login=SMTP_LOGIN)
            self.smtp.start()
            self._loop = asyncio.new_event_loop()
            self._thread = threading.Thread(target=self._loop.run_forever, name="demo-shop-web", daemon=True)
            self._thread.start()
            asyncio.run_coroutine_threadsafe(self._start_web(ca, dkim_key), self._loop).result(timeout=30)
            self.state.email_worker()       # up before the first request (its start is not a request's time)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self._loop is not None:
            if self._runners:
                asyncio.run_coroutine_threadsafe(self._stop_web(), self._loop).result(timeout=30)
            self._loop.call_soon_threadsafe(self._loop.stop)
            if self._thread:
                self._thread.join(timeout=10)
            self._loop.close()
            self._loop = None
        self.state.close()
        if self.smtp:
            self.smtp.stop()
            self.smtp = None
        if self.dns:
            self.dns.stop()
            self.dns = None

    def __enter__(self) -> DemoShop:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- web ---------------------------------------------------------------------
    async def _start_web(self, ca: DemoCA, dkim_key: DkimKey) -> None:
        L, tls_dir = self.layout, self.state_dir / "tls"
        h = L.hosts

        def ctx(host: str, days: int = 90, legacy_tls: bool = False):
            return server_context(ca.issue([host], days_valid=days), ca, tls_dir, host, legacy_tls=legacy_tls)

        app_days = 90 if self.hardened else 10      # unhardened: app's certificate about to expire
        https = [
            (web_site.apex(self.state), h[DOMAIN], ctx(DOMAIN)),
            (web_site.storefront(self.state), h[f"www.{DOMAIN}"], ctx(f"www.{DOMAIN}")),
            (web_site.simple_site(self.state, "BrightBrew — your account", "<h1>Your orders</h1>"),
             h[f"app.{DOMAIN}"], ctx(f"app.{DOMAIN}", app_days)),
            # unhardened: the API's load balancer still accepts TLS 1.0 and 1.1
            (web_api.api(self.state, dkim_key), h[f"api.{DOMAIN}"], ctx(f"api.{DOMAIN}", legacy_tls=not self.hardened)),
            (web_site.simple_site(self.state, "STAGING BrightBrew", "<h1>Staging</h1><p>DEBUG=1</p>"),
             h[f"staging.{DOMAIN}"], ctx(f"staging.{DOMAIN}")),
        ]
        for app, address, ssl_ctx in https:
            runner = web.AppRunner(app, access_log=None, handle_signals=False)
            await runner.setup()
            self._runners.append(runner)
            site = web.TCPSite(runner, address, L.https_port, ssl_context=ssl_ctx, reuse_address=True)
            await site.start()
            host = next(name for name, a in h.items() if a == address)
            self._https[host] = (runner, address, ssl_ctx, site)
        http_runner = web.AppRunner(web_site.http_redirector(self.state), access_log=None, handle_signals=False)
        await http_runner.setup()
        self._runners.append(http_runner)
        for address in h.values():
            await web.TCPSite(http_runner, address, L.http_port, reuse_address=True).start()

    # -- an outage, for the uptime watch and its tests ------------------------------
    def stop_host(self, host: str) -> None:
        """Take one HTTPS host off the network: its port stops listening and its open connections close."""
        async def down() -> None:
            runner, _, _, site = self._https[host]
            await site.stop()
            for conn in list(runner.server.connections if runner.server else []):
                conn.force_close()
        assert self._loop is not None
        asyncio.run_coroutine_threadsafe(down(), self._loop).result(timeout=30)

    def start_host(self, host: str) -> None:
        """Bring a host stopped by :meth:`stop_host` back."""
        async def up() -> None:
            runner, address, ssl_ctx, _ = self._https[host]
            site = web.TCPSite(runner, address, self.layout.https_port, ssl_context=ssl_ctx, reuse_address=True)
            await site.start()
            self._https[host] = (runner, address, ssl_ctx, site)
        assert self._loop is not None
        asyncio.run_coroutine_threadsafe(up(), self._loop).result(timeout=30)

    async def _stop_web(self) -> None:
        for runner in reversed(self._runners):
            await runner.cleanup()
        self._runners.clear()

    # -- what an auditor is given -----------------------------------------------
    def _write_credentials(self) -> None:
        st = self.state
        self.tokens = {"a": st.token_for("u_a", 12 * 3600), "b": st.token_for("u_b", 12 * 3600),
                       "admin": st.token_for("u_admin", 12 * 3600),
                       "a_expired": st.token_for("u_a", -3600),     # for S4.authn_required's expired variant
                       "red_team": st.token_for("u_red", 12 * 3600)}
        values = {
            "DEMO_USER_A_TOKEN": self.tokens["a"], "DEMO_USER_A_PASSWORD": self.secrets.user_a_password,
            "DEMO_USER_B_TOKEN": self.tokens["b"], "DEMO_USER_B_PASSWORD": self.secrets.user_b_password,
            "DEMO_ADMIN_TOKEN": self.tokens["admin"], "DEMO_STRIPE_WHSEC": self.secrets.stripe_webhook,
            "DEMO_USER_A_EXPIRED_TOKEN": self.tokens["a_expired"], "DEMO_RED_TEAM_TOKEN": self.tokens["red_team"],
        }
        path = self.state_dir / CREDENTIALS_FILE
        path.write_text("# written by the demo shop at start; read through the profile's env_file\n"
                        + "".join(f"{k}={v}\n" for k, v in values.items()))
        path.chmod(0o600)

    def known_secrets(self) -> list[str]:
        """Every secret value this shop made: none may appear in any output."""
        return self.secrets.all_values() + list(self.tokens.values())

    def write_profile(self, template: Path | None = None) -> Path:
        """client_profiles/demo.yaml, rewritten for this shop's addresses and state folder."""
        text = Path(template or shipped_demo_profile(self.hardened)).read_text(encoding="utf-8")
        text = text.replace(DEFAULT_LAYOUT.prefix + ".", self.layout.prefix + ".")
        text = text.replace("../.demo/", str(self.state_dir) + "/")
        text = self.style.profile_text(text)
        text = text.replace(f":{DEFAULT_LAYOUT.dns_port}", f":{self.layout.dns_port}")
        if self.strict_limits is not None:
            limits = ", ".join(f"{k}: {v}" for k, v in self.state.limits.items())
            text = re.sub(r"rate_limits: \{[^}]*\}", f"rate_limits: {{{limits}}}", text)
            text = text.replace("exempt_from_limit: true", "exempt_from_limit: false")
        path = self.state_dir / "profile.yaml"
        path.write_text(text, encoding="utf-8")
        return path
