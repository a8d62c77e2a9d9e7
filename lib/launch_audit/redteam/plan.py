"""Stage 5's conversation budget: which account sends which probe, how long that takes under the shop's
declared chat limit, and which probes do not fit the consultant's time budget.

Pure: the stage's checks each compute the same plan and run their share of it; the run prints it before
stage 5 starts. Under a per-account chat limit the probes are spread over the accounts the profile lets the
red team use, most damaging categories first, so a cap on time drops the least damaging probes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..net.declared_limits import WINDOW_S
from .probes import Probe

SECONDS_PER_MESSAGE = 0.5       # a reply's usual time, for the estimate only
CONCURRENT = 4                  # conversations in flight per check (checks/redteam.py runs this many)
# most damaging first: data exposure, then actions, then what an attacker learns, then cost and comfort
PRIORITY = ("cross_customer_leak", "unauthorized_tools", "injection_via_content", "system_prompt_leak",
            "output_handling", "cost_abuse", "human_escalation")
LABELS = {"red_team": "the red-team account", "a": "user A", "b": "user B"}


def messages_of(probe: Probe, max_turns: int = 20) -> int:
    """Chat messages a probe sends: its turns (up to the profile's max_turns), or the one question after
    planting, or one oversized message."""
    if probe.plant or probe.size:
        return 1
    return max(1, min(len(probe.turns), max_turns))


def may_send(probe: Probe, account: str) -> bool:
    """B's own data in a reply to B is no leak: probes that look for B's markers never run as B."""
    return not (account == "b" and "b_markers" in probe.detectors)


@dataclass
class ChatPlan:
    accounts: list[str]                          # who sends, in order of preference
    per_minute: int | None                       # the declared chat limit that applies (None: none applies)
    budget_s: float | None
    assigned: dict[str, str] = field(default_factory=dict)      # probe id -> account
    skipped: dict[str, list[str]] = field(default_factory=dict)  # check id -> probe ids that did not fit
    load: dict[str, int] = field(default_factory=dict)          # account -> chat messages
    probes: int = 0

    @property
    def expected_s(self) -> float:
        """Whole windows each account waits for, plus the replies' own time."""
        messages = sum(self.load.values())
        talk = messages * SECONDS_PER_MESSAGE / CONCURRENT
        if not self.per_minute or not messages:
            return talk
        waits = max(((n - 1) // self.per_minute) * WINDOW_S for n in self.load.values() if n)
        return waits + talk

    @property
    def skipped_count(self) -> int:
        return sum(len(ids) for ids in self.skipped.values())

    def line(self) -> str:
        """"stage 5: 122 probes, chat limit 30/min per account, 2 accounts: about 2 min"."""
        ran = self.probes - self.skipped_count
        used = [a for a in self.accounts if self.load.get(a)]
        limit = (f"chat limit {self.per_minute}/min per account, {len(used)} account{'s' * (len(used) != 1)}"
                 if self.per_minute else "no chat limit applies to " + (LABELS[used[0]] if used else "the bot"))
        cut = (f" ({self.skipped_count} of {self.probes} left out to fit the {_duration(self.budget_s)} time "
               "budget)" if self.skipped_count and self.budget_s is not None else "")
        return f"stage 5: {ran} probes, {limit}: about {_duration(self.expected_s)}{cut}"


def plan_conversations(probes: Iterable[Probe], accounts: list[str], per_minute: int | None, *,
                       exempt: Iterable[str] = (), budget_s: float | None = None,
                       fixed: dict[str, int] | None = None, max_turns: int = 20) -> ChatPlan:
    """Assign each probe to an account. ``accounts`` in order of preference (an exempt red-team account
    takes everything); ``fixed`` is load already spoken for (S5.cost_abuse's burst as user A)."""
    probes = sorted(probes, key=lambda p: PRIORITY.index(p.category) if p.category in PRIORITY else len(PRIORITY))
    exempt = set(exempt)
    free = next((a for a in accounts if a in exempt), None)
    limited = per_minute if per_minute and free is None else None
    senders = [free] if free else (accounts if limited else accounts[:1])
    plan = ChatPlan(senders, limited, budget_s, load={a: 0 for a in senders}, probes=len(probes))
    for account, n in (fixed or {}).items():
        if account in plan.load:
            plan.load[account] += n
    capacity = (limited * (math.floor(budget_s / WINDOW_S) + 1) if limited and budget_s is not None else None)
    for probe in probes:
        need = messages_of(probe, max_turns)
        fits = [a for a in senders if may_send(probe, a) and (capacity is None or plan.load[a] + need <= capacity)]
        if budget_s is not None and not limited:
            # no limit to wait for: the budget bounds the replies' own time
            spent = sum(plan.load.values()) * SECONDS_PER_MESSAGE / CONCURRENT
            fits = fits if spent + need * SECONDS_PER_MESSAGE / CONCURRENT <= budget_s else []
        if not fits:
            plan.skipped.setdefault(probe.check, []).append(probe.id)
            continue
        account = min(fits, key=lambda a: (plan.load[a], senders.index(a)))
        plan.assigned[probe.id] = account
        plan.load[account] += need
    return plan


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "unbounded"
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    return f"{round(seconds / 60)} min"
