"""Why a request did not produce an answer, converted once at the network boundary.

    NetError                  the target (or the rules) stopped us; never a finding about the client
    ├── Refused               we chose not to send: status skip
    │   ├── OutOfScope          host not in scope.hosts (no connection was opened)
    │   ├── ActiveNotAllowed    attack-shaped probe, scope.allow_active is false
    │   ├── StateChangeNotAllowed  a request that could change state, scope.allow_active is false
    │   ├── TargetDown          the host stopped answering after one of our probes: nothing is judged
    │   └── UnsupportedScheme   a redirect to file://, gopher://…
    ├── BudgetExceeded        scope.max_requests_per_check spent: status error
    ├── DNSError              NXDOMAIN, no answer, SERVFAIL, DNS timeout
    │   ├── DNSNotFound         NXDOMAIN: the name does not exist
    │   └── DNSNoAddress        the name exists, with no A or AAAA record
    ├── TargetTimeout         connect/read/total deadline passed
    ├── TargetUnreachable     connection refused or reset
    ├── TargetProtocolError   the peer spoke garbage instead of HTTP
    ├── TLSError              handshake failed (the reason is kept)
    └── Throttled             429 with Retry-After beyond what we wait

Anything else escaping a check is our bug, and is reported as such.
"""

from __future__ import annotations


class NetError(Exception):
    status = "error"

    def __init__(self, reason: str, *, host: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.host = host


class Refused(NetError):
    status = "skip"


class OutOfScope(Refused):
    def __init__(self, host: str) -> None:
        super().__init__(f"{host} is not in scope.hosts: no request sent", host=host)


class ActiveNotAllowed(Refused):
    def __init__(self, host: str) -> None:
        super().__init__(f"active probe of {host} needs scope.allow_active: true", host=host)


class StateChangeNotAllowed(Refused):
    def __init__(self, host: str, method: str, url: str) -> None:
        super().__init__(f"{method} {url[:200]} could change state on {host}: sent only with "
                         "scope.allow_active: true", host=host)


class TargetDown(Refused):
    """The host stopped answering after one of our probes (net/watch.py): a request lost to that window,
    or not sent because of it, is never judged."""


class UnsupportedScheme(Refused):
    pass


class UnfilledPlaceholder(Refused):
    """A declared path whose placeholder the profile cannot fill: sent as written it would ask for
    ``/users/%7Busername%7D`` and its 404 would be read as a refusal."""


class BudgetExceeded(NetError):
    pass


class DNSError(NetError):
    pass


class DNSNotFound(DNSError):
    pass


class DNSNoAddress(DNSError):
    """The name exists but has no A or AAAA record (a mail-only or TXT-only name): an answer, not a failure."""


class TargetTimeout(NetError):
    pass


class TargetUnreachable(NetError):
    pass


class TargetProtocolError(NetError):
    pass


class TLSError(NetError):
    pass


class Throttled(NetError):
    pass
