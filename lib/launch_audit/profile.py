"""The client profile (spec/profile.md): typed, strict models.

Unknown keys are errors, every problem is reported with its key path, and
credentials are only ever *names* of environment variables, resolved when a
check needs them (:meth:`Profile.secret`).
"""

from __future__ import annotations

import ipaddress
import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from .redact import Redactor

_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_HOSTNAME = re.compile(rf"^(?:{_LABEL}\.)*{_LABEL}$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_CHECK_ID = re.compile(r"^S[1-7]\.[a-z0-9_]+$")


class MissingSecret(LookupError):
    """A credential named in the profile is not set: the check that needs it skips."""

    def __init__(self, env_name: str) -> None:
        super().__init__(f"environment variable {env_name} is not set")
        self.env_name = env_name


# --- field validators (messages are what the consultant reads) ---------------

def _hostname(v: str) -> str:
    v = v.strip().rstrip(".").lower()
    if not _HOSTNAME.match(v) or len(v) > 253:
        raise ValueError(f"not a valid host name: {v!r}")
    return v


def _scope_host(v: str) -> str:
    if v.startswith("*."):
        return "*." + _hostname(v[2:])
    return _hostname(v)


def _url(schemes: tuple[str, ...]):
    def check(v: str) -> str:
        parts = urlsplit(v)
        if parts.scheme not in schemes or not parts.hostname:
            raise ValueError(f"must be an absolute {' or '.join(schemes)} URL, got {v!r}")
        _hostname(parts.hostname)
        return v
    return check


def _abs_path(v: str) -> str:
    if not v.startswith("/"):
        raise ValueError(f"must be a path starting with '/', got {v!r}")
    return v


def _env_name(v: str) -> str:
    if not _ENV_NAME.match(v):
        raise ValueError(f"must be an environment variable name (letters, digits, _), got {v!r}")
    return v


def _nameserver(v: str) -> str:
    host, _, port = v.rpartition(":") if v.count(":") == 1 else (v, "", "")
    try:
        ipaddress.ip_address(host or v)
    except ValueError:
        raise ValueError(f"must be an IP address with an optional :port, got {v!r}") from None
    if port and not (port.isdigit() and 1 <= int(port) <= 65535):
        raise ValueError(f"port must be 1-65535, got {port!r}")
    return v


def _port(v: int) -> int:
    if not 1 <= v <= 65535:
        raise ValueError(f"must be a port number 1-65535, got {v}")
    return v


Hostname = Annotated[str, AfterValidator(_hostname)]
ScopeHost = Annotated[str, AfterValidator(_scope_host)]
HttpsUrl = Annotated[str, AfterValidator(_url(("https",)))]
HttpUrl = Annotated[str, AfterValidator(_url(("http", "https")))]
UrlPath = Annotated[str, AfterValidator(_abs_path)]
EnvName = Annotated[str, AfterValidator(_env_name)]
Port = Annotated[int, AfterValidator(_port)]
Slug = Annotated[str, Field(pattern=_SLUG.pattern)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


# --- sections ---------------------------------------------------------------

class Founder(Strict):
    name: str
    email: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]


class Scope(Strict):
    hosts: list[ScopeHost] = Field(min_length=1)
    allow_active: bool = False
    max_requests_per_second: float = Field(default=10, gt=0, le=1000)
    max_requests_per_check: int = Field(default=200, gt=0, le=100_000)
    # operations found in the site's OpenAPI document are inventoried; true also sends them a GET/HEAD
    # without credentials (never one whose path, operation id or summary names a state change)
    probe_discovered: bool = False
    # how long active probing waits for a host that stopped answering after a probe, before giving up on it
    recovery_wait_s: float = Field(default=90, gt=0, le=3600)


class Network(Strict):
    nameservers: list[Annotated[str, AfterValidator(_nameserver)]] = Field(default_factory=list)
    port_map: dict[Port, Port] = Field(default_factory=dict)
    ca_bundle: str | None = None
    timeout_s: float = Field(default=10, gt=0, le=300)
    max_response_bytes: int = Field(default=2_000_000, ge=1024, le=100_000_000)


class Email(Strict):
    sends_mail: bool = True
    receives_mail: bool = True
    dkim_selectors: list[Annotated[str, Field(pattern=r"^[A-Za-z0-9._-]+$")]] = Field(default_factory=list)
    samples: list[str] = Field(default_factory=list)


class User(Strict):
    token_env: EnvName | None = None
    password_env: EnvName | None = None
    expired_token_env: EnvName | None = None            # a token of this user past its expiry (S4.authn_required)
    email: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+$")] | None = None
    username: Annotated[str, Field(min_length=1, max_length=200)] | None = None   # fills {username} (logins by name)
    owns: dict[str, list[str]] = Field(default_factory=dict)
    markers: list[str] = Field(default_factory=list)   # strings only this user's data holds


class Admin(Strict):
    token_env: EnvName


class Signature(Strict):
    scheme: Literal["stripe", "github", "shopify", "hmac-sha256"]
    secret_env: EnvName
    header: str | None = None


# what a request to an endpoint does: nothing, only the test account's own data, or data others see
SideEffects = Literal["none", "own_data", "shared_data"]
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# kinds whose requests touch only the caller's own state (a lockout counter, a reset mail to the test
# address, the test account's conversation, a test event nobody's handler acts on)
_OWN_DATA_KINDS = ("login", "password_reset", "chat", "webhook")


class Endpoint(Strict):
    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]+$")]
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
    path: UrlPath
    auth: Literal["public", "user", "admin", "signature"]
    kind: Literal["login", "password_reset", "chat", "webhook", "signup", "checkout", "other"] | None = None
    resource: str | None = None
    body: dict[str, Any] | None = None
    signature: Signature | None = None
    side_effects: SideEffects | None = None

    @property
    def effects(self) -> str:
        """What a request does, as declared; else GET → none, login/reset/chat/webhook → own_data, and any
        other write → "undeclared" (treated like shared data: never written to by a probe)."""
        if self.side_effects:
            return self.side_effects
        if self.method in SAFE_METHODS:
            return "none"
        return "own_data" if self.kind in _OWN_DATA_KINDS else "undeclared"

    @property
    def changes_state(self) -> bool:
        """Could a request change anything? Such requests are sent only with scope.allow_active."""
        return self.effects != "none"

    @property
    def writable(self) -> bool:
        """May a probe send a request that is expected to be accepted (and so writes)?"""
        return self.effects in ("none", "own_data")

    def why_not_writable(self) -> str:
        said = ("declares side_effects: shared_data" if self.effects == "shared_data" else
                "declares no side_effects (a write nobody said is harmless)")
        return (f"{self.method} {self.path} {said}: no probe that could be accepted is sent to it; "
                "set side_effects: own_data if it only changes the test account's own data")

    @model_validator(mode="after")
    def _consistent(self) -> Endpoint:
        if self.resource and "{" + self.resource + "}" not in self.path:
            raise ValueError(f"resource {self.resource!r} needs a '{{{self.resource}}}' placeholder in path")
        if self.auth == "signature" and self.signature is None:
            raise ValueError("auth: signature needs a signature: {scheme, secret_env} block")
        return self


class Users(Strict):
    a: User
    b: User


class Api(Strict):
    base_url: HttpUrl
    openapi_url: str | None = None
    health_path: UrlPath | None = None
    users: Users | None = None
    admin: Admin | None = None
    auth_header: str = "Authorization"
    # the session cookie's name, for an API that reads the token only from a cookie (then sent as that cookie)
    auth_cookie: Annotated[str, Field(pattern=r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")] | None = None
    endpoints: list[Endpoint] = Field(default_factory=list)
    allowed_origins: list[HttpUrl] = Field(default_factory=list)
    rate_limits: dict[Literal["login", "chat", "password_reset"], Annotated[int, Field(gt=0)]] = Field(default_factory=dict)
    # whom each declared limit counts: the client (per address: every account of ours shares it) or each account
    rate_limits_per: dict[Literal["login", "chat", "password_reset"], Literal["client", "account"]] = Field(
        default_factory=dict)

    def limit_counts(self, kind: str) -> str:
        """"client" or "account": login and reset limits are counted per client unless declared per account
        (counting every account of ours together never trips either); chat limits per account."""
        return self.rate_limits_per.get(kind, "account" if kind == "chat" else "client")  # type: ignore[call-overload]

    @model_validator(mode="after")
    def _unique_names(self) -> Api:
        names = [e.name for e in self.endpoints]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"endpoint names must be unique, repeated: {', '.join(dupes)}")
        return self

    def endpoint(self, name: str) -> Endpoint | None:
        return next((e for e in self.endpoints if e.name == name), None)

    def url(self, path: str) -> str:
        return self.base_url.rstrip("/") + path

    def credentials(self, token: str | None) -> dict[str, str]:
        """The headers that carry ``token``: the session cookie when the API reads one (``auth_cookie``),
        else ``auth_header`` ("Bearer <token>" for Authorization, the bare token for an API-key header)."""
        if token is None:
            return {}
        if self.auth_cookie:
            return {"Cookie": f"{self.auth_cookie}={token}"}
        return {self.auth_header: f"Bearer {token}" if self.auth_header.lower() == "authorization" else token}


class ContentSink(Strict):
    """Somewhere a customer can write text the bot later reads (a review, an order note): stage 5 plants an
    instruction there, then asks ``ask`` and watches whether the bot obeys it."""

    endpoint: str                   # an api.endpoints name; its body holds "{payload}"
    ask: Annotated[str, Field(min_length=1, max_length=2000)]


class Chat(Strict):
    endpoint: str
    # stage 5 talks as this account (a customer whose chat limit is raised for the audit window, so the
    # probe set is not cut short and stage 4's rate-limit probe on user A stays meaningful); default: user A
    token_env: EnvName | None = None
    # the shop lifted this account's chat limit for the audit window: its messages take no slot of
    # api.rate_limits.chat (every other account's do)
    exempt_from_limit: bool = False
    # the accounts stage 5 may talk as (red_team: token_env above; a, b: api.users): under a per-account chat
    # limit its probes are spread over those configured, so the audit is not paced to one account's limit
    probe_accounts: list[Literal["red_team", "a", "b"]] = Field(default_factory=lambda: ["red_team", "a", "b"])
    reply_field: str = "reply"
    tool_calls_field: str | None = None
    conversation_field: str | None = "conversation_id"   # echoed back between turns when the reply has it
    allowed_tools: list[str] = Field(default_factory=list)
    canaries: list[str] = Field(default_factory=list)
    prompt_fragments: list[str] = Field(default_factory=list)
    escalation_markers: list[str] = Field(default_factory=list)
    content_sinks: list[ContentSink] = Field(default_factory=list)
    max_turns: int = Field(default=4, ge=1, le=20)       # per probe


PROD_ENV_NAMES = ("prod", "production")


class Repo(Strict):
    path: str | None = None
    ci_logs: list[str] = Field(default_factory=list)
    env_files: dict[str, str] = Field(default_factory=dict)

    @property
    def prod_env_file(self) -> str | None:
        """The env_files entry that is production (named prod or production), as written in the profile."""
        return next((p for name, p in self.env_files.items() if name.lower() in PROD_ENV_NAMES), None)


class Logs(Strict):
    samples: list[str] = Field(default_factory=list)
    # fields of structured logs that may carry what a customer typed (S1.log_hygiene: full messages)
    message_fields: list[str] = Field(default_factory=lambda: ["text", "content", "prompt", "user_message",
                                                               "chat_message", "question", "transcript"])
    pii_threshold: int = Field(default=10, ge=0, le=100_000)    # distinct emails/phones in a sample before `warn`


class Monitoring(Strict):
    samples: int = Field(default=200, gt=0, le=100_000)
    concurrency: int = Field(default=4, gt=0, le=64)
    p95_budget_ms: float = Field(default=500, gt=0)
    window_s: float = Field(default=60, gt=0, le=86_400)
    # normal customer questions for the chat latency series (default: a built-in set)
    chat_messages: list[Annotated[str, Field(min_length=1, max_length=2000)]] = Field(default_factory=list, max_length=50)


class WatchEmail(Strict):
    """Where ``launch-audit watch`` mails its alerts: STARTTLS required, login from LAUNCH_AUDIT_SMTP_USER and
    LAUNCH_AUDIT_SMTP_PASSWORD (as the founder email)."""

    to: list[Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+$")]] = Field(min_length=1)
    smtp: Annotated[str, Field(pattern=r"^[A-Za-z0-9.-]+:[0-9]{1,5}$")]
    sender: str = "launch-audit watch <watch@launch-audit.invalid>"
    ca_bundle: str | None = None        # extra trusted CA for the SMTP server (staging, tests)


class Watch(Strict):
    """``launch-audit watch``: uptime, latency and 5xx of the main page, health endpoint and critical URLs."""

    interval_s: float = Field(default=60, ge=1, le=3600)
    down_after: int = Field(default=3, ge=1, le=100)            # consecutive rounds down before an alert
    window_rounds: int = Field(default=10, ge=2, le=1000)       # p95 and 5xx rate over the last N rounds
    error_rate: float = Field(default=0.05, gt=0, le=1)         # 5xx share of the window's answers that alerts
    reminder_s: float = Field(default=1800, ge=1, le=86_400)    # first reminder of an open incident; then doubled
    email: WatchEmail | None = None
    slack_webhook_env: EnvName | None = None                    # a Slack-compatible incoming webhook URL


class Attestation(Strict):
    ok: bool
    note: str = ""


class EnvVar(Strict):
    name: EnvName
    owner: str | None = None
    purpose: str | None = None
    where: str | None = None


class AlertContact(Strict):
    who: str
    channel: str
    first_action: str | None = None


class Runbooks(Strict):
    rotate_keys: str | None = None
    rollback: str | None = None
    leak_response: str | None = None


class Handover(Strict):
    env_vars: list[EnvVar] = Field(default_factory=list)
    alert_contacts: list[AlertContact] = Field(default_factory=list)
    runbooks: Runbooks = Field(default_factory=Runbooks)


# --- the profile ------------------------------------------------------------

def host_in_scope(host: str, patterns: list[str]) -> bool:
    """The one scope match: a host named exactly, or under a ``*.`` pattern (not the bare domain itself)."""
    host = host.rstrip(".").lower()
    for pattern in patterns:
        pattern = pattern.rstrip(".").lower()
        if pattern == host or (pattern.startswith("*.") and host.endswith(pattern[1:])):
            return True
    return False


class Profile(Strict):
    """One client: what to audit, what may be touched, what the consultant knows."""

    model_config = ConfigDict(
        extra="forbid", strict=True, frozen=True,
        json_schema_extra={"title": "launch-audit client profile", "$id": "launch-audit-profile.schema.json"},
    )

    client: Slug
    founder: Founder
    domain: Hostname
    canonical: HttpsUrl
    subdomains: list[Annotated[str, Field(pattern=r"^[a-z0-9-]+(\.[a-z0-9-]+)*$")]] = Field(default_factory=list)
    scope: Scope
    network: Network = Field(default_factory=Network)
    env_file: str | None = Field(default=None, description="dotenv file read for *_env names not set in the environment")
    expected_records: dict[Hostname, list[str]] = Field(
        default_factory=dict, description="host -> the addresses or CNAME targets it must point to (S2.dns_records)")
    email: Email | None = None
    pages: list[UrlPath] = Field(default_factory=lambda: ["/"])
    critical_urls: list[HttpUrl] = Field(default_factory=list)
    api: Api | None = None
    chat: Chat | None = None
    repo: Repo | None = None
    logs: Logs | None = None
    monitoring: Monitoring = Field(default_factory=Monitoring)
    watch: Watch = Field(default_factory=Watch)
    attest: dict[Annotated[str, Field(pattern=_CHECK_ID.pattern)], Attestation] = Field(default_factory=dict)
    handover: Handover | None = None

    _base_dir: Path = PrivateAttr(default_factory=Path.cwd)
    _source: Path | None = PrivateAttr(default=None)
    _redactor: Redactor = PrivateAttr(default_factory=Redactor)
    _env_file_values: dict[str, str] | None = PrivateAttr(default=None)
    _lines: dict[tuple, int] = PrivateAttr(default_factory=dict)     # key path -> line in the YAML file

    # -- derived views ----------------------------------------------------
    @property
    def canonical_host(self) -> str:
        return urlsplit(self.canonical).hostname or self.domain

    @property
    def hosts(self) -> list[str]:
        """apex, www and every declared subdomain, in that order."""
        names = [self.domain, f"www.{self.domain}"] + [f"{s}.{self.domain}" for s in self.subdomains]
        return list(dict.fromkeys(names))

    def in_scope(self, host: str) -> bool:
        return host_in_scope(host, self.scope.hosts)

    def path(self, p: str) -> Path:
        """A path from the profile, relative to the profile file's folder."""
        q = Path(os.path.expanduser(p))
        return q if q.is_absolute() else (self._base_dir / q).resolve()

    @property
    def source(self) -> Path | None:
        return self._source

    @property
    def redactor(self) -> Redactor:
        """Knows every credential this profile resolved: writers scrub them."""
        return self._redactor

    def secret(self, env_name: str | None) -> str:
        """Resolve a ``*_env`` name now; raises :class:`MissingSecret` when unset."""
        if not env_name:
            raise MissingSecret("(none configured)")
        value = os.environ.get(env_name)
        if value is None and self.env_file:
            if self._env_file_values is None:
                from dotenv import dotenv_values
                values = dotenv_values(self.path(self.env_file))
                self._env_file_values = {k: v for k, v in values.items() if v is not None}
            value = self._env_file_values.get(env_name)
        if not value:
            raise MissingSecret(env_name)
        self._redactor.add(value)
        return value


def cross_problems(profile: Profile) -> list[tuple[tuple[str | int, ...], str]]:
    """Rules between sections, each with the key path it concerns."""
    problems: list[tuple[tuple[str | int, ...], str]] = []
    domain, canonical_host = profile.domain, profile.canonical_host
    if not (canonical_host == domain or canonical_host.endswith("." + domain)):
        problems.append((("canonical",), f"host {canonical_host} is not {domain} or one of its subdomains"))
    if not profile.in_scope(domain):
        problems.append((("scope", "hosts"), f"must include the domain {domain}"))
    if canonical_host != domain and not profile.in_scope(canonical_host):
        problems.append((("scope", "hosts"), f"must include the canonical host {canonical_host}"))
    if profile.chat and (profile.api is None or profile.api.endpoint(profile.chat.endpoint) is None):
        problems.append((("chat", "endpoint"), f"{profile.chat.endpoint!r} names no endpoint in api.endpoints"))
    for i, sink in enumerate(profile.chat.content_sinks if profile.chat else []):
        endpoint = profile.api.endpoint(sink.endpoint) if profile.api else None
        if endpoint is None:
            problems.append((("chat", "content_sinks", i, "endpoint"), f"{sink.endpoint!r} names no endpoint in api.endpoints"))
        elif "{payload}" not in str(endpoint.body):
            problems.append((("chat", "content_sinks", i, "endpoint"),
                             f"endpoint {sink.endpoint!r} needs a body with a \"{{payload}}\" placeholder"))
    if profile.api and profile.api.users:
        for name, user in (("a", profile.api.users.a), ("b", profile.api.users.b)):
            for resource in user.owns:
                if not any(e.resource == resource for e in profile.api.endpoints):
                    problems.append((("api", "users", name, "owns", resource),
                                     "no endpoint in api.endpoints declares this resource"))
    return problems


def json_schema() -> dict[str, Any]:
    schema = Profile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
