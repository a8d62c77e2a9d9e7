"""One round of the watch from one vantage point: stage 6's sampler, one request per series (the main page,
the health endpoint, each critical URL where its redirects landed when the watch began), through the audit's
network layer. Each sample is named by the URL it asked, so a host's URLs can be told apart and grouped."""

from __future__ import annotations

import asyncio
import socket
from dataclasses import replace
from pathlib import Path

from ..monitoring import Sample, SeriesPlan, plan_series, sample_all
from ..net import Network
from ..profile import Profile

BUDGET = 50          # requests per round and vantage point: a handful of series, their redirects once


class Prober:
    """Plans once (redirects followed while the site answers), then one sample per target each round. With
    several vantage points the watch plans once, where it runs, and every vantage point samples the same URLs:
    a vantage point that cannot follow a redirect must not watch a host the others do not."""

    def __init__(self, profile: Profile, plans: list[SeriesPlan] | None = None) -> None:
        self.profile = profile
        self.plans = plans

    async def plan(self) -> list[SeriesPlan]:
        if self.plans is None:
            async with Network(self.profile) as net:
                plans, _ = await plan_series(self.profile, net.for_check(BUDGET, check_id="watch"), BUDGET,
                                             per_series=1, chat=False)
            self.plans = list({p.url: replace(p, name=p.url) for p in plans}.values())
        return self.plans

    async def round(self) -> list[Sample]:
        plans = await self.plan()
        # a fresh network layer each round: a host that went away is not hidden by a kept-alive connection
        async with Network(self.profile) as net:
            check = net.for_check(BUDGET, check_id="watch")
            return await sample_all(check, plans, window_s=0.01, concurrency=self.profile.monitoring.concurrency)


def probe_on_worker(profile_path: str, urls: list[str]) -> tuple[str, list[dict]]:
    """A Dask task: one round of GETs to ``urls`` from the worker it runs on; its vantage point is the worker's
    name (``dask worker --name eu-west``), else its host name. Returns (vantage, sample rows)."""
    from distributed import get_worker

    from ..profile_loader import load_profile
    worker = get_worker()
    vantage = str(worker.name) if worker.name is not None and not str(worker.name).isdigit() else socket.gethostname()
    plans = [SeriesPlan(name=u, kind="watch", method="GET", url=u, n=1) for u in urls]
    samples = asyncio.run(Prober(load_profile(Path(profile_path)), plans).round())
    return vantage, [s.as_row() for s in samples]
