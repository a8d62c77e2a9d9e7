"""When the watch opens and closes an incident, and when it reminds: pure functions of the recorded rounds.

Every condition is judged per vantage point, and an incident needs a majority of the vantage points that
reported to agree, so one bad network path does not page the founder:

- down: every target of a host failed (no answer, or a 5xx) in each of the last ``down_after`` rounds: one
  incident per host, however many of its URLs are watched;
- latency: a target's p95 over the last ``window_rounds`` rounds is over the budget;
- errors: the share of 5xx answers over the window, all targets together, crosses ``error_rate``.

An incident is opened once and closed once (a recovery notice); while it lasts, reminders come after
``reminder_s``, then twice as long each time, at most daily."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from ..monitoring import nearest_rank
from ..profile import Watch
from .store import Incident, Round

MAX_REMINDER_S = 86_400
SITE = "all targets"


@dataclass(frozen=True)
class Condition:
    kind: str           # down | latency | errors
    target: str
    detail: str         # what the vantage points saw, for the alert


def _by_vantage(rounds: list[Round]) -> dict[str, list[Round]]:
    out: dict[str, list[Round]] = {}
    for r in rounds:
        for v in r.vantages:
            out.setdefault(v, []).append(r)
    return out


def _majority(votes: dict[str, bool]) -> bool:
    """More than half of the vantage points that could judge say yes."""
    return bool(votes) and sum(votes.values()) * 2 > len(votes)


def _seen(votes: dict[str, bool]) -> str:
    return f"{sum(votes.values())} of {len(votes)} vantage point{'s' if len(votes) != 1 else ''}"


def _samples(r: Round, vantage: str, target: str | None = None):
    return [s for v, s in r.samples if v == vantage and s.judged and (target is None or s.series == target)]


def failing(s) -> bool:
    """Not answering: no complete answer, or a 5xx. A 4xx or a redirect is an answer (the smoke test judges
    whether it is the right one)."""
    return s.ms is None or not isinstance(s.status, int) or s.status >= 500


def host_of(target: str) -> str:
    return urlsplit(target).hostname or target


def conditions(rounds: list[Round], cfg: Watch, budget_ms: float) -> list[Condition]:
    """The conditions that hold now, given the rounds so far (oldest first)."""
    if not rounds:
        return []
    targets = sorted({s.series for r in rounds for _, s in r.samples})
    per_v = _by_vantage(rounds)
    found: list[Condition] = []
    down_hosts = set()
    for host in sorted({host_of(t) for t in targets}):
        down_votes, last_error = {}, ""
        for v, its in per_v.items():
            recent = its[-cfg.down_after:]
            if len(recent) < cfg.down_after:
                continue
            results = [[s for s in _samples(r, v) if host_of(s.series) == host] for r in recent]
            if any(not got for got in results):
                continue            # a round this vantage could not judge the host in: no vote
            down_votes[v] = all(failing(s) for got in results for s in got)
            if down_votes[v]:
                s = results[-1][-1]
                last_error = s.error or f"status {s.status}"
        if _majority(down_votes):
            down_hosts.add(host)
            watched = len({s.series for r in rounds[-1:] for _, s in r.samples if host_of(s.series) == host})
            found.append(Condition("down", host, f"{watched} watched URL{'s' if watched != 1 else ''} not answering "
                                   f"in {cfg.down_after} rounds in a row from {_seen(down_votes)}; "
                                   f"last: {last_error[:200]}"))
    for target in targets:
        if host_of(target) in down_hosts:
            continue
        slow_votes, worst = {}, 0.0
        for v, its in per_v.items():
            window = its[-cfg.window_rounds:]
            ms = [s.ms for r in window for s in _samples(r, v, target) if not failing(s)]
            if len(ms) * 2 < cfg.window_rounds:         # too few answers in the window to call a p95
                continue
            p95 = nearest_rank(ms, 95)
            slow_votes[v] = p95 > budget_ms
            worst = max(worst, p95) if slow_votes[v] else worst
        if _majority(slow_votes):
            found.append(Condition("latency", target, f"p95 {worst:.0f} ms over the last {cfg.window_rounds} rounds, "
                                   f"budget {budget_ms:g} ms, from {_seen(slow_votes)}"))
    error_votes, worst_rate = {}, 0.0
    for v, its in per_v.items():
        answers = [s for r in its[-cfg.window_rounds:] for s in _samples(r, v) if isinstance(s.status, int)]
        if len(answers) < 5:
            continue
        rate = sum(s.is_5xx for s in answers) / len(answers)
        error_votes[v] = rate >= cfg.error_rate
        worst_rate = max(worst_rate, rate) if error_votes[v] else worst_rate
    if _majority(error_votes):
        found.append(Condition("errors", SITE, f"{worst_rate:.0%} of answers were 5xx over the last "
                               f"{cfg.window_rounds} rounds (threshold {cfg.error_rate:.0%}), "
                               f"from {_seen(error_votes)}"))
    return found


@dataclass(frozen=True)
class Change:
    action: str                     # open | close | remind
    kind: str
    target: str
    detail: str = ""
    incident_id: int | None = None


def reminder_due(incident: Incident, now: datetime, cfg: Watch) -> bool:
    """Reminders back off: reminder_s after the alert, then twice as long each time, at most a day apart."""
    last = datetime.fromisoformat(incident.last_notice_at) if incident.last_notice_at else None
    if last is None:
        return False
    gap = min(cfg.reminder_s * (2 ** incident.reminders), MAX_REMINDER_S)
    return (now - last).total_seconds() >= gap


def changes(now_holding: list[Condition], open_incidents: list[Incident], now: datetime, cfg: Watch) -> list[Change]:
    """What to do this round: open what newly holds, close what cleared, remind what is due."""
    holding = {(c.kind, c.target): c for c in now_holding}
    opened = {(i.kind, i.target): i for i in open_incidents}
    out = [Change("open", c.kind, c.target, c.detail) for key, c in holding.items() if key not in opened]
    for key, incident in opened.items():
        if key not in holding:
            out.append(Change("close", incident.kind, incident.target, incident_id=incident.id))
        elif reminder_due(incident, now, cfg):
            out.append(Change("remind", incident.kind, incident.target, holding[key].detail, incident.id))
    return out
