"""What a stage hands on to later stages and to the reports, by name.

Each field is written by the check that owns it and read by name, never by a string key typed at the
reader. The fields live in the run's shared dict (a live run's ``ctx.shared``, or a finished stage's
``stages/NN.json`` data), so a hand-off stays plain JSON. Keys that start with "_" are run-local: the
run directory and the run-once fetches are never handed on.
"""

from __future__ import annotations

from typing import Any


class RunData:
    """A typed view of one stage's hand-off data."""

    def __init__(self, data: dict[str, Any] | None) -> None:
        self._data = {} if data is None else data

    # -- stage 1 ----------------------------------------------------------------------------------------------
    @property
    def subdomains(self) -> list[dict[str, Any]]:
        """S1.subdomain_inventory: every live name under the domain (name, chain, addresses, declared, status)."""
        return self._data.setdefault("subdomains", [])

    @subdomains.setter
    def subdomains(self, rows: list[dict[str, Any]]) -> None:
        self._data["subdomains"] = rows

    # -- stage 2 ----------------------------------------------------------------------------------------------
    @property
    def dns_map(self) -> dict[str, dict[str, list[str]]]:
        """S2.dns_records: host -> record type -> values."""
        return self._data.setdefault("dns_map", {})

    @property
    def mail_auth(self) -> dict[str, Any]:
        """S2.spf, S2.dkim, S2.dmarc: "spf" (record, lookups, tree), "dkim" (selector -> key), "dmarc"."""
        return self._data.setdefault("mail_auth", {})

    # -- stage 5 and 6 ----------------------------------------------------------------------------------------
    @property
    def red_team(self) -> list[dict[str, Any]]:
        """Stage 5: one row per probe (probe, category, technique, verdict, matched, check)."""
        return self._data.setdefault("red_team", [])

    @property
    def monitoring(self) -> dict[str, Any]:
        """Stage 6's window: plans, notes, window_s, budget_ms and every sample as a row."""
        return self._data.get("monitoring") or {}

    @monitoring.setter
    def monitoring(self, window: dict[str, Any]) -> None:
        self._data["monitoring"] = window

    # -- run-local --------------------------------------------------------------------------------------------
    @property
    def chat_time_budget_s(self) -> float | None:
        """Stage 5's cap on time (``launch-audit run --time-budget``): probes that do not fit are not sent."""
        value = self._data.get("_chat_time_budget_s")
        return float(value) if value is not None else None

    @chat_time_budget_s.setter
    def chat_time_budget_s(self, seconds: float | None) -> None:
        self._data["_chat_time_budget_s"] = seconds

    @property
    def run_dir(self) -> str | None:
        """Where the run's other stages left their hand-offs (set by the stage session; stage 7 reads them)."""
        return self._data.get("_run_dir")

    @run_dir.setter
    def run_dir(self, folder: str) -> None:
        self._data["_run_dir"] = folder
