"""The scope guard: the one place that decides whether a host may be touched."""

from __future__ import annotations

from .errors import ActiveNotAllowed, OutOfScope, StateChangeNotAllowed


class ScopeGuard:
    def __init__(self, hosts: list[str], allow_active: bool) -> None:
        self._exact = {h for h in hosts if not h.startswith("*.")}
        self._suffixes = tuple(h[1:] for h in hosts if h.startswith("*."))
        self.allow_active = allow_active
        self.refused: list[str] = []        # what we declined to touch, for the run record

    def allows(self, host: str) -> bool:
        host = host.rstrip(".").lower()
        return host in self._exact or (bool(self._suffixes) and host.endswith(self._suffixes))

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
