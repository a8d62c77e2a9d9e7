"""The scope guard: the one place that decides whether a host may be touched."""

from __future__ import annotations

from ..profile import host_in_scope
from .errors import ActiveNotAllowed, OutOfScope, StateChangeNotAllowed


class ScopeGuard:
    def __init__(self, hosts: list[str], allow_active: bool) -> None:
        self._hosts = list(hosts)
        self.allow_active = allow_active
        self.refused: list[str] = []        # what we declined to touch, for the run record

    def allows(self, host: str) -> bool:
        return host_in_scope(host, self._hosts)

    def require(self, host: str, *, active: bool = False, changes_state: tuple[str, str] | None = None) -> None:
        """``changes_state``: (method, url) of a request that could change something on the target; without
        scope.allow_active such a request never leaves the machine, whichever check asks."""
        if not self.allows(host):
            self.refused.append(host)
            raise OutOfScope(host)
        if active and not self.allow_active:
            raise ActiveNotAllowed(host)
        if changes_state and not self.allow_active:
            raise StateChangeNotAllowed(host, *changes_state)
