"""``launch-audit watch``: a round every interval from each vantage point, recorded, judged, notified."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from ..monitoring import Sample
from ..profile import Profile
from .alerts import Notice, Route, first_action
from .probe import Prober, probe_on_worker
from .rules import changes, conditions, failing
from .store import Incident, WatchStore

NOTICE_HORIZON_S = 86_400      # an undelivered notice older than a day is not sent late


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class LocalVantage:
    """This machine, as the one vantage point."""

    def __init__(self, profile: Profile, name: str = "local") -> None:
        self.prober, self.name = Prober(profile), name

    async def round(self, timeout_s: float) -> dict[str, list[Sample]]:
        try:
            return {self.name: await asyncio.wait_for(self.prober.round(), timeout_s)}
        except TimeoutError:
            return {}


class DaskVantages:
    """Every worker of a Dask cluster, each a labelled vantage point (its worker name), all sampling the URLs
    planned here. A worker that does not report within the round gets no vote."""

    def __init__(self, address: str, profile: Profile, profile_path: Path) -> None:
        from distributed import Client
        self.client = Client(address, timeout="10s")
        self.planner = Prober(profile)
        self.profile_path = str(Path(profile_path).resolve())

    def _round(self, urls: list[str], timeout_s: float) -> dict[str, list[Sample]]:
        from distributed import wait
        workers = list(self.client.scheduler_info()["workers"])
        futures = [self.client.submit(probe_on_worker, self.profile_path, urls, workers=[w],
                                      allow_other_workers=False, pure=False) for w in workers]
        if futures:
            try:
                wait(futures, timeout=timeout_s)
            except TimeoutError:
                pass
        out: dict[str, list[Sample]] = {}
        for f in futures:
            if f.status == "finished":
                vantage, rows = f.result()
                out[vantage] = [Sample.from_row(r) for r in rows]
            else:
                f.cancel()
        return out

    async def round(self, timeout_s: float) -> dict[str, list[Sample]]:
        urls = [p.url for p in await self.planner.plan()]
        return await asyncio.to_thread(self._round, urls, timeout_s)

    def close(self) -> None:
        self.client.close()


@dataclass
class WatchRun:
    rounds: int = 0
    notices: list[str] = field(default_factory=list)


def round_line(n: int, by_vantage: dict[str, list[Sample]]) -> str:
    samples = [s for ss in by_vantage.values() for s in ss]
    bad = sorted({s.series for s in samples if s.judged and failing(s)})
    ms = sorted(s.ms for s in samples if not failing(s))
    state = f"not answering well: {', '.join(bad)}" if bad else "all up"
    fastest = f", slowest {ms[-1]:.0f} ms" if ms else ""
    where = ", ".join(sorted(by_vantage)) or "no vantage point reported"
    return f"round {n}: {len({s.series for s in samples})} targets from {where}: {state}{fastest}"


async def _deliver(store: WatchStore, routes: list[Route], profile: Profile, now: datetime,
                   say: Callable[[str], None], run: WatchRun) -> None:
    """Every notice due and not yet delivered on a route: tried once this round."""
    action = first_action(profile)
    for incident in store.incidents():
        latest = incident.closed_at or incident.last_notice_at or incident.opened_at
        if (now - datetime.fromisoformat(latest)).total_seconds() > NOTICE_HORIZON_S:
            continue
        for notice in _notices(incident):
            for route in routes:
                if store.delivered(incident.id, notice.kind, route.name):
                    continue
                try:
                    await route.deliver(notice.subject, profile.redactor.text(notice.text(profile.client, action)))
                except Exception as e:  # noqa: BLE001 - a dead route is recorded and retried next round
                    why = profile.redactor.text(f"{type(e).__name__}: {e}")     # an error may quote the hook URL
                    store.record_delivery(incident.id, notice.kind, route.name, now.isoformat(), False, why)
                    say(f"  could not send {notice.kind} for {incident.target} by {route.name}: {why}")
                    continue
                store.record_delivery(incident.id, notice.kind, route.name, now.isoformat(), True)
                run.notices.append(f"{notice.kind}: {notice.subject}")
                say(f"  sent {notice.kind} by {route.name}: {notice.subject}")


def _notices(incident: Incident) -> list[Notice]:
    out = [Notice(incident, "alert")]
    out += [Notice(incident, f"reminder-{k}") for k in range(1, incident.reminders + 1)]
    if incident.closed_at:
        out.append(Notice(incident, "recovery"))
    return out


async def run_watch(profile: Profile, store: WatchStore, vantages, routes: list[Route], *,
                    interval_s: float, duration_s: float | None, stop: asyncio.Event,
                    say: Callable[[str], None] = print) -> WatchRun:
    cfg = profile.watch
    budget = profile.monitoring.p95_budget_ms
    run = WatchRun()
    ends = time.monotonic() + duration_s if duration_s else None
    n = store.round_count()
    while not stop.is_set():
        tick = time.monotonic()
        started = utcnow()
        # a host that swallows connections must still be judged: the round waits out the network timeout
        by_vantage = await vantages.round(timeout_s=max(interval_s * 0.8, profile.network.timeout_s * 2 + 5))
        finished = utcnow()
        n += 1
        store.add_round(started.isoformat(timespec="milliseconds"), finished.isoformat(timespec="milliseconds"),
                        sorted(by_vantage), [(v, s) for v, ss in sorted(by_vantage.items()) for s in ss])
        run.rounds += 1
        say(round_line(n, by_vantage))
        holding = conditions(store.last_rounds(max(cfg.down_after, cfg.window_rounds)), cfg, budget)
        for change in changes(holding, store.incidents(open_only=True), finished, cfg):
            at = finished.isoformat(timespec="seconds")
            if change.action == "open":
                incident_id = store.open_incident(change.kind, change.target, at, change.detail)
                store.noticed(incident_id, at, reminder=False)
                say(f"  incident: {change.kind} {change.target}: {change.detail}")
            elif change.action == "close":
                store.close_incident(change.incident_id, at, "answering well again")
                say(f"  recovered: {change.kind} {change.target}")
            else:
                store.noticed(change.incident_id, at, reminder=True)
        await _deliver(store, routes, profile, finished, say, run)
        if ends is not None and time.monotonic() + interval_s > ends + 0.5:
            break
        try:
            await asyncio.wait_for(stop.wait(), max(0.0, tick + interval_s - time.monotonic()))
        except TimeoutError:
            pass
    return run
