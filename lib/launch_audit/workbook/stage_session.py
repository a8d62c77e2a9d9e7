"""What a stage notebook calls: run the stage's checks, show sections, hand findings to the run.

A notebook does::

    stage = Stage(2, profile, run_dir)   # run_dir "" explores without writing a run
    stage.run()                          # all automated checks of the stage, concurrently
    stage.section("DNS")                 # status table, evidence, remediation
    stage.finish()                       # marks the hand-off complete

The same object works in JupyterLab (interactive, re-run a check with
``stage.run(["S2.hsts"])``) and under papermill.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..checks import catalog
from ..checks.base import Check
from ..checks.run_data import RunData
from ..checks.redteam import stage_plan
from ..redteam.plan import ChatPlan
from ..checks.runner import DEFAULT_CHECK_TIMEOUT_S, run_checks
from ..findings import Finding
from ..net import Network
from ..profile import Profile
from ..profile_loader import load_profile
from .display import HTMLView, SectionView, counts_html, esc, risk_list_html
from .handoff import StageHandoff, read_selection, write_handoff
from .progress import NotebookProgress
from .stages import SECTIONS, stage_title


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Stage:
    def __init__(self, stage: int, profile: str | Path | Profile, run_dir: str | Path | None = "",
                 time_budget_s: float | None = None, only: list[str] | None = None) -> None:
        """``time_budget_s`` caps stage 5's conversations: the probes that do not fit are not sent. ``only``
        (default: the run folder's ``--only`` selection) restricts the stage to those check ids."""
        if stage not in SECTIONS:
            raise ValueError(f"stage must be 1-7, got {stage!r}")
        self.stage = stage
        self.profile = profile if isinstance(profile, Profile) else load_profile(Path(profile))
        self.run_dir = Path(run_dir) if run_dir else None
        self.time_budget_s = float(time_budget_s) if time_budget_s else None
        self.only = only if only is not None else read_selection(self.run_dir)
        self.shared: dict[str, Any] = {}
        self.findings: dict[str, list[Finding]] = {}
        self.traffic: dict[str, Any] = {"requests_sent": 0}
        self.handoff = StageHandoff(stage=stage, client=self.profile.client, started=_now(),
                                    checks=[c.id for c in self.checks])
        self._save()

    @property
    def title(self) -> str:
        return f"Stage {self.stage} — {stage_title(self.stage)}"

    @property
    def checks(self) -> list[Check]:
        return [c for c in catalog.for_stage(self.stage) if c.run is not None
                and (self.only is None or c.id in self.only)]

    @property
    def all_findings(self) -> list[Finding]:
        order = {c.id: i for i, c in enumerate(catalog.for_stage(self.stage))}
        return [f for cid in sorted(self.findings, key=lambda c: order.get(c, 99)) for f in self.findings[cid]]

    # -- running ---------------------------------------------------------------
    def intro(self) -> HTMLView:
        p = self.profile
        automated = len(self.checks)
        listed = len(catalog.for_stage(self.stage))
        where = f"run folder <code>{esc(self.run_dir)}</code>" if self.run_dir else "exploring: nothing is written"
        return HTMLView(
            f'<div class="la-intro"><b>{esc(self.title)}</b> for <b>{esc(p.client)}</b> ({esc(p.domain)}) · '
            f"{automated} of {listed} checks automated · active probes "
            f"{'allowed' if p.scope.allow_active else 'not allowed'} · {where}</div>" + self._plan_html())

    @property
    def plan(self) -> ChatPlan | None:
        """Stage 5's conversations under the shop's chat limit (None for the other stages)."""
        return stage_plan(self.profile, self.time_budget_s) if self.stage == 5 else None

    @property
    def check_timeout_s(self) -> float:
        """Each check's time: stage 5's conversations take as long as the chat limit makes them, and more."""
        plan = self.plan
        return max(DEFAULT_CHECK_TIMEOUT_S, plan.expected_s * 1.5 + 120) if plan else DEFAULT_CHECK_TIMEOUT_S

    def _plan_html(self) -> str:
        """Stage 5 says up front how long its conversations take under the shop's chat limit."""
        plan = self.plan
        return f'<div class="la-note">Plan: {esc(plan.line())}</div>' if plan else ""

    def run(self, check_ids: list[str] | None = None) -> HTMLView:
        """Run the stage's automated checks (or just ``check_ids``) concurrently, with progress."""
        checks = self.checks if check_ids is None else [catalog.get(c) for c in check_ids]
        wrong = [c.id for c in checks if c.stage != self.stage]
        if wrong:
            raise ValueError(f"not stage {self.stage} checks: {', '.join(wrong)}")
        for key in [k for k in self.shared if k.startswith("_")]:
            del self.shared[key]        # tasks of an earlier run's event loop
        if self.run_dir:
            RunData(self.shared).run_dir = str(self.run_dir)     # stage 7 reads the other stages' hand-offs
        RunData(self.shared).chat_time_budget_s = self.time_budget_s
        progress = NotebookProgress(self.title, checks)

        def on_event(event: str, check: Check, found: list[Finding]) -> None:
            progress(event, check, found)
            if event == "done":
                self.findings[check.id] = found
                if check.id not in self.handoff.done:
                    self.handoff.done.append(check.id)
                self._save()

        async def go() -> None:
            # the run folder holds the watchdog's record, shared with the run's other stage processes
            async with Network(self.profile, run_dir=self.run_dir) as net:
                found = await run_checks(self.profile, checks, net=net, shared=self.shared, on_event=on_event,
                                         timeout_s=self.check_timeout_s)
                for check in checks:        # the runner adds a finding for an outage one of its probes caused
                    self.findings[check.id] = [f for f in found if f.check_id == check.id]
                self.traffic["requests_sent"] += net.requests_sent
                changed = self.traffic.get("state_changing_sent", 0) + net.state_changing_sent
                self.traffic["state_changing_sent"] = changed
                refused = set(self.traffic.get("refused_out_of_scope", [])) | set(net.scope.refused)
                self.traffic["refused_out_of_scope"] = sorted(refused)

        _run_blocking(go, progress.refresh)
        progress.refresh()
        self._save()
        found = [f for c in checks for f in self.findings.get(c.id, [])]
        return HTMLView(counts_html(found))

    # -- showing ---------------------------------------------------------------
    def section(self, title: str) -> SectionView:
        try:
            ids = SECTIONS[self.stage][title]
        except KeyError:
            raise KeyError(f"stage {self.stage} has sections {list(SECTIONS[self.stage])}, not {title!r}") from None
        found = [f for cid in ids for f in self.findings.get(cid, [])]
        return SectionView(title, found, ids, self.profile.redactor)

    def risks(self, top: int | None = None) -> HTMLView:
        return HTMLView(risk_list_html(self.all_findings, self.profile.redactor, top))

    def latency_figures(self) -> list:
        from ..monitoring import Sample
        from .charts import latency_figures
        data = RunData(self.shared).monitoring
        samples = [Sample.from_row(r) for r in data.get("samples", [])]
        return latency_figures(samples, self.profile.monitoring.p95_budget_ms)

    def probe_coverage(self) -> HTMLView:
        """Stage 5: the probe set as category × technique counts."""
        from .redteam_view import coverage_html
        return coverage_html()

    def red_team_table(self) -> HTMLView:
        """Stage 5: every probe with its verdict, and what to change for each category that failed."""
        from .redteam_view import results_html
        return results_html(RunData(self.shared).red_team, self.profile.redactor)

    def finish(self) -> HTMLView:
        """Mark the hand-off complete; the run driver only trusts a complete hand-off."""
        self.handoff.state = "complete"
        self.handoff.finished = _now()
        self._save()
        return HTMLView(f'<p class="la-note">{esc(self.title)}: {len(self.all_findings)} findings handed to the run.</p>'
                        if self.run_dir else '<p class="la-note">Exploration only: no run folder given.</p>')

    def _save(self) -> None:
        if self.run_dir is None:
            return
        redactor = self.profile.redactor
        self.handoff.findings = [redactor.value(f.to_dict()) for f in self.all_findings]  # type: ignore[misc]
        self.handoff.data = redactor.value({k: v for k, v in self.shared.items() if not k.startswith("_")})  # type: ignore[assignment]
        self.handoff.traffic = dict(self.traffic)
        write_handoff(self.run_dir, self.handoff)


def _run_blocking(make_coro, tick) -> None:
    """Run a coroutine to the end from a notebook cell (whose thread already runs an event loop)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(make_coro())
        return
    with ThreadPoolExecutor(1, thread_name_prefix="launch-audit-stage") as pool:
        future = pool.submit(asyncio.run, make_coro())
        while True:
            try:
                future.result(timeout=0.5)
                return
            except FutureTimeout:
                tick()
