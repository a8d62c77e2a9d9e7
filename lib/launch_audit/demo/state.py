"""The shop's data and rules shared by its servers: users, orders, tokens, counters."""

from __future__ import annotations

import asyncio
import time
import warnings
from collections import Counter, defaultdict, deque
from dataclasses import dataclass

import jwt
from jwt.warnings import InsecureKeyLengthWarning

# the unhardened shop signs with a short, guessable key on purpose: PyJWT's warning about it is the demo's point
warnings.filterwarnings("ignore", category=InsecureKeyLengthWarning)

from .bot import Order
from .email_check import EmailWorker
from .style import Style
from .fakes import DemoSecrets
from .layout import DOMAIN, Layout


@dataclass
class User:
    id: str
    email: str
    name: str
    password: str
    role: str = "customer"
    username: str = ""
    staff: bool = False          # the unhardened email change stores it if a body names it (mass assignment)


@dataclass
class Address:
    id: str
    owner: str
    line1: str
    city: str


class ShopState:
    def __init__(self, layout: Layout, secrets: DemoSecrets, *, hardened: bool, style: Style = Style()) -> None:
        self.layout = layout
        self.style = style
        self.secrets = secrets
        self.hardened = hardened
        self.users = {
            "u_a": User("u_a", f"alice@customers.{DOMAIN}", "Alice Example", secrets.user_a_password, username="alice"),
            "u_b": User("u_b", f"bob@customers.{DOMAIN}", "Bob Example", secrets.user_b_password, username="bob"),
            "u_admin": User("u_admin", f"owner@{DOMAIN}", "Ada Founder", secrets.admin_password, role="admin"),
            # the red team's account: a customer whose chat limit the founder raised for the audit window
            "u_red": User("u_red", f"red-team@customers.{DOMAIN}", "Red Team (audit)", secrets.admin_password + "r"),
        }
        i = style.ident
        a, b = self.users["u_a"].email, self.users["u_b"].email
        orders = [Order(i("1001"), "u_a", a, "2x Ethiopia Guji 250g", "1 Alder Lane, Leeds", 2800),
                  Order(i("1003"), "u_a", a, "Hand grinder", "1 Alder Lane, Leeds", 5400),
                  Order(i("2002"), "u_b", b, "Decaf Colombia 1kg", "9 Birch Road, Bristol", 3900)]
        self.orders = {o.id: o for o in orders}
        self.reviews: dict[str, list[str]] = {}
        self.addresses: dict[str, Address] = {}
        self._seed()
        self.reseeds = 0                             # the unhardened setup route's calls: an audit must make none
        # hardened: what the profiles declare in api.rate_limits (per minute); chat per user, the red team's
        # audit account exempt unless the limits are strict (DemoShop(strict_limits=True): nobody exempt)
        self.limits = {"login": 30, "password_reset": 20, "chat": 30}
        self.chat_exempt = {"u_red"}
        self.throttled: list[tuple[str, str]] = []   # (User-Agent, path) of every 429 the shop answered
        self.refunds: list[dict] = []
        self.webhook_events: list[dict] = []
        self.hits: Counter[str] = Counter()          # host -> requests served
        self.state_changing: Counter[str] = Counter()  # "METHOD path" of every request but GET, HEAD, OPTIONS
        self.api_idle = asyncio.Event()              # the API's one worker is free (set on the shop's loop)
        self.api_idle.set()
        self._email_worker: EmailWorker | None = None
        self.redos_trap = not hardened               # the backtracking email check (benchmarks turn it off)
        # (monotonic time, host, User-Agent) of every request: tests check an audit's pacing and budgets
        self.request_log: list[tuple[float, str, str]] = []
        self._windows: dict[str, deque[float]] = defaultdict(deque)

    def _seed(self) -> None:
        self.reviews = {"guji": ["Bright and fruity, lovely as a pour-over."],
                        "colombia": ["Smooth decaf, no bitterness."]}
        i = self.style.ident
        self.addresses = {i("3001"): Address(i("3001"), "u_a", "1 Alder Lane", "Leeds"),
                          i("4002"): Address(i("4002"), "u_b", "9 Birch Road", "Bristol")}

    def reseed(self) -> None:
        """What the unhardened setup route does: the shop's content dropped and back to its first state."""
        self._seed()
        self.refunds.clear()
        self.webhook_events.clear()
        self.reseeds += 1

    def email_worker(self) -> EmailWorker:
        """The app server's worker for email validation: a process, so a backtracking pattern stalls the API
        and not the whole demo (the other hosts run on the same event loop)."""
        if self._email_worker is None:
            self._email_worker = EmailWorker()
        return self._email_worker

    def close(self) -> None:
        if self._email_worker is not None:
            self._email_worker.close()
            self._email_worker = None

    # -- tokens -----------------------------------------------------------------
    def token_for(self, user_id: str, ttl_s: int = 3600) -> str:
        user = self.users[user_id]
        now = int(time.time())
        return jwt.encode({"sub": user.id, "role": user.role, "iat": now, "exp": now + ttl_s},
                          self.signing_key, algorithm="HS256")

    @property
    def signing_key(self) -> str:
        """Unhardened: the tokens are signed with a word from every guessing list (anyone can mint one);
        hardened: with the environment's random secret."""
        return "changeme" if not self.hardened else self.secrets.jwt_secret

    def verify(self, token: str) -> User | None:
        try:
            if not self.hardened:
                # the classic mistake: trusting the token's own "alg" and ignoring expiry
                if jwt.get_unverified_header(token).get("alg", "").lower() == "none":
                    claims = jwt.decode(token, options={"verify_signature": False})
                else:
                    claims = jwt.decode(token, self.signing_key, algorithms=["HS256"],
                                        options={"verify_exp": False})
            else:
                claims = jwt.decode(token, self.signing_key, algorithms=["HS256"],
                                    options={"require": ["exp", "sub"]})
        except jwt.PyJWTError:
            return None
        return self.users.get(str(claims.get("sub")))

    # -- rate limits --------------------------------------------------------------
    def allow(self, key: str, per_minute: int) -> bool:
        """Sliding one-minute window."""
        now = time.monotonic()
        window = self._windows[key]
        while window and now - window[0] > 60:
            window.popleft()
        if len(window) >= per_minute:
            return False
        window.append(now)
        return True

    def retry_after(self, key: str) -> int:
        """Whole seconds until the window of ``key`` has room again (what an honest Retry-After says)."""
        window = self._windows[key]
        return max(1, int(window[0] + 60 - time.monotonic() + 0.999)) if window else 1
