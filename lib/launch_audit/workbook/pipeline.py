"""``launch-audit run``: the stage notebooks through papermill, then the run files and the reports.

Stages 1-6 are independent and run in parallel (each in its own kernel process,
``workers`` at a time); stage 7 reads what they found, so it runs after them;
the report notebooks run last. A stage notebook hands its findings over in
``stages/NN.json`` (see handoff.py). A notebook that breaks is recorded in
run.json, its unfinished checks become ``error`` findings, and the rest of the
run goes on. Everything happens in the run's ``.partial`` folder, which is
renamed only when complete (run_folder.py).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..checks import catalog, final_phase
from ..checks.base import CheckContext
from ..checks.redteam import stage_plan
from ..checks.run_data import RunData
from ..checks.runner import SLOTS_CAP_S
from ..findings import ErrorKind, Finding, Status
from ..kit import write_kit
from ..monitoring import Sample
from ..net.watch_record import WATCH_FOLDER, WatchStore, culprit, stall_notice
from ..profile import MissingSecret, Profile
from ..profile_loader import load_profile
from ..run_folder import RunFolder, RunFolderError, explain_os_error
from ..run_record import run_metadata, write_findings_files, write_json
from ..workspace import find as find_workspace
from ..workspace import for_profile, notebooks_dir
from .execute import WarmKernel, execute
from .export import export_html, warm_exporter
from .handoff import read_handoff, stage_file, write_selection
from .handover_markdown import write_handover_markdown
from .run_view import write_latency_csv
from .stages import HANDOVER_NOTEBOOK, NOTEBOOKS, REPORT_NOTEBOOK, stage_title

# (stage, checks done, checks total, state) — state: running | complete | broken
ProgressHook = Callable[[int, int, int, str], None]
CELL_TIMEOUT_S = 900.0
LONGEST_FIRST = [6, 5, 4, 1, 2, 3, 7]
HEAD_START_S = 6.0


def default_workers() -> int:
    # kernels mostly wait on the network, so one more than the cores keeps both busy
    return max(2, (os.cpu_count() or 1) + 1)


@dataclass
class StageRun:
    stage: int
    notebook: str
    state: str = "pending"       # complete | broken
    error: str = ""
    seconds: float = 0.0


@dataclass
class PipelineResult:
    run_dir: Path
    findings: list[Finding]
    run: dict[str, Any]
    stage_runs: list[StageRun] = field(default_factory=list)

    @property
    def findings_json(self) -> Path:
        return self.run_dir / "findings.json"

    @property
    def broken(self) -> list[StageRun]:
        return [s for s in self.stage_runs if s.state != "complete"]

    @property
    def report_errors(self) -> dict[str, str]:
        """{report file: why} for a report that could not be built (findings.json is written either way)."""
        return self.run.get("report_errors") or {}


def register_profile_secrets(profile: Profile) -> None:
    """Resolve every ``*_env`` the profile names so this process's redactor knows the values too."""
    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if isinstance(key, str) and key.endswith("_env") and isinstance(value, str):
                    try:
                        profile.secret(value)
                    except MissingSecret:
                        pass
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)
    walk(profile.model_dump())


def _wait_for_handoff(work: Path, stage: int, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and read_handoff(work, stage) is None:
        time.sleep(0.1)


def _run_stage(stage: int, profile_path: Path, profile: Profile, work: Path, nb_dir: Path, cell_timeout_s: float,
               warm: WarmKernel | None = None, time_budget_s: float | None = None) -> StageRun:
    name = NOTEBOOKS[stage]
    parameters: dict[str, Any] = {"profile": str(profile_path), "run_dir": str(work)}
    if stage == 5 and time_budget_s:
        parameters["time_budget_s"] = time_budget_s
    # the shop's declared limits set how long the stage's one running cell may take: a check keeps going
    # while it gets slots, and stage 5 takes as long as its plan under the chat limit
    if profile.api and profile.api.rate_limits:
        cell_timeout_s = max(cell_timeout_s, SLOTS_CAP_S + 300)
    plan = stage_plan(profile, time_budget_s) if stage == 5 else None
    if plan is not None:
        cell_timeout_s = max(cell_timeout_s, plan.expected_s * 1.5 + 300)
    run = StageRun(stage, f"notebooks/{name}")
    started = time.perf_counter()
    try:
        outcome = execute(nb_dir / name, work / "notebooks" / name, parameters, cell_timeout_s=cell_timeout_s,
                          warm=warm)
    finally:            # whatever happened, a rate-limit burst waiting for this stage may go on
        final_phase.mark_done(work, [stage])
    run.seconds = round(time.perf_counter() - started, 2)
    handoff = read_handoff(work, stage)
    if not outcome.ok:
        run.state, run.error = "broken", outcome.error
    elif handoff is None or handoff.state != "complete":
        run.state, run.error = "broken", "the notebook ended without handing off its findings (no stage.finish())"
    else:
        run.state = "complete"
    return run


def _stage_findings(work: Path, run: StageRun, profile: Profile) -> list[Finding]:
    handoff = read_handoff(work, run.stage)
    found = handoff.finding_objects() if handoff else []
    if run.state == "complete":
        return found
    # what the broken notebook did not finish is an error of ours, said once per check
    have = {f.check_id for f in found}
    for check in catalog.for_stage(run.stage):
        if check.run is not None and check.id not in have:
            ctx = CheckContext(check, profile, None, {})
            found.append(ctx.finding(Status.ERROR, profile.domain,
                                     f"stage {run.stage} notebook broke before this check finished: {run.error} "
                                     f"(see {run.notebook})", error_kind=ErrorKind.TOOL))
    return found


class _Watcher(threading.Thread):
    """Polls the stage hand-off files and reports progress; the notebooks run in other processes. Also says
    when the watchdog sees a probed host stop answering (probing pauses: the run is waiting, not hung)."""

    def __init__(self, work: Path, stages: list[int], hook: ProgressHook,
                 notice: Callable[[str], None] | None = None) -> None:
        super().__init__(daemon=True, name="launch-audit-progress")
        self.work, self.stages, self.hook, self.notice = work, stages, hook, notice
        self._watch_store: WatchStore | None = None
        self._told: dict[str, bool] = {}        # stall id -> its start was shown
        self.finished: dict[int, str] = {}
        self._stop_event = threading.Event()
        self._seen: dict[int, tuple[int, int]] = {}
        self._mtimes: dict[int, int] = {}

    def run(self) -> None:
        while not self._stop_event.wait(0.25):
            self.poll()

    def poll(self) -> None:
        self._tell_stalls()
        for stage in self.stages:
            if stage in self.finished:
                continue
            try:        # re-read a hand-off only when its notebook wrote it again (stage 6's holds every sample)
                mtime = stage_file(self.work, stage).stat().st_mtime_ns
            except OSError:
                continue
            if self._mtimes.get(stage) == mtime:
                continue
            self._mtimes[stage] = mtime
            handoff = read_handoff(self.work, stage)
            if handoff is None:
                continue
            now = (len(handoff.done), len(handoff.checks))
            if now != self._seen.get(stage):
                self._seen[stage] = now
                self.hook(stage, now[0], now[1], "running")

    def _tell_stalls(self) -> None:
        if self.notice is None:
            return
        if self._watch_store is None:
            if not (self.work / WATCH_FOLDER).is_dir():
                return
            self._watch_store = WatchStore(self.work / WATCH_FOLDER)
        for stall in self._watch_store.stalls():
            if not stall.answered_before or (stall.id in self._told and (stall.open or not self._told[stall.id])):
                continue                        # not ours to tell, or nothing new since the last line
            probe = culprit(stall, self._watch_store.probes())
            self.notice(stall_notice(stall, probe, told_open=self._told.get(stall.id, False)))
            self._told[stall.id] = stall.open

    def done(self, run: StageRun) -> None:
        self.finished[run.stage] = run.state
        handoff = read_handoff(self.work, run.stage)
        total = len(handoff.checks) if handoff else 0
        self.hook(run.stage, len(handoff.done) if handoff else 0, total, run.state)

    def stop(self) -> None:
        self._stop_event.set()


def build_reports(work: Path, nb_dir: Path | None = None, cell_timeout_s: float = 300.0,
                  warm: tuple[WarmKernel | None, WarmKernel | None] = (None, None)) -> dict[str, str]:
    """Execute the report notebooks on the run's files and export report.html and handover.html.

    Returns {file: error} for any report whose notebook broke (its HTML still shows the error)."""
    nb_dir = nb_dir or notebooks_dir(find_workspace(work))     # the notebooks of the workspace the run is in
    jobs = [(REPORT_NOTEBOOK, "report.html", "Launch readiness report", warm[0]),
            (HANDOVER_NOTEBOOK, "handover.html", "Handover", warm[1])]
    problems: dict[str, str] = {}

    def one(job: tuple[str, str, str, WarmKernel | None]) -> None:
        source, html_name, title, kernel = job
        executed = work / "notebooks" / source
        outcome = execute(nb_dir / source, executed, {"run_dir": str(work)}, cell_timeout_s=cell_timeout_s,
                          warm=kernel)
        if not outcome.ok:
            problems[html_name] = outcome.error
        if executed.is_file():
            try:
                export_html(executed, work / html_name, title)
            except OSError:
                raise
            except Exception as e:  # noqa: BLE001 - nbconvert's templates missing, say: findings.json stays
                problems[html_name] = f"the HTML export failed: {type(e).__name__}: {' '.join(str(e).split())}"

    with ThreadPoolExecutor(len(jobs)) as pool:
        list(pool.map(one, jobs))
    try:                                    # the founder keeps this one in their repository
        write_handover_markdown(work)
    except Exception as e:  # noqa: BLE001 - a broken Markdown copy must not lose the HTML reports
        problems["handover.md"] = f"{type(e).__name__}: {e}"
    return problems


def run_pipeline(profile_path: Path | str, outputs_root: Path | str, *, stages: list[int] | None = None,
                 workers: int | None = None, notebooks: Path | None = None, on_progress: ProgressHook | None = None,
                 on_phase: Callable[[str], None] | None = None, cell_timeout_s: float = CELL_TIMEOUT_S,
                 profile: Profile | None = None, time_budget_s: float | None = None,
                 only: list[str] | None = None) -> PipelineResult:
    profile_path = Path(profile_path).resolve()
    profile = profile or load_profile(profile_path)     # ProfileError: bad input, nothing is written
    register_profile_secrets(profile)
    nb_dir = Path(notebooks) if notebooks else notebooks_dir(for_profile(profile_path))
    selected = sorted(stages or NOTEBOOKS)
    if only is not None:            # `--only`: the stages holding those checks, and in them only those
        selected = sorted(set(selected) & {catalog.get(c).stage for c in only})
    workers = workers or default_workers()
    phase = on_phase or (lambda _msg: None)

    folder = RunFolder(Path(outputs_root), profile.client)
    work = folder.open()
    if only is not None:
        write_selection(work, only)
    started = datetime.now(timezone.utc)
    timings: dict[str, float] = {}
    watcher = _Watcher(work, selected, on_progress or (lambda *a: None), on_phase)
    watcher.start()

    t = time.perf_counter()
    # longest first (the monitoring window, then the active stages), so the pool drains evenly
    first = sorted((s for s in selected if s != 7), key=LONGEST_FIRST.index)
    # a stage with a final phase (stage 4's rate-limit bursts) holds its worker while it waits for the others:
    # with fewer workers than such stages it goes last, when nothing is left to wait for
    finals = [s for s in first if any(c.phase for c in catalog.for_stage(s))]
    if workers <= len(finals):
        first = [s for s in first if s not in finals] + finals
    final_phase.expect(work, first)
    last = [s for s in selected if s == 7]
    warm: dict[str, WarmKernel] = {}

    def prewarm() -> None:
        # the notebooks that run after the window get kernels now, while the window is open
        if warm:
            return
        for key in (["7"] if last else []) + ["report", "handover"]:
            warm[key] = WarmKernel()
        threading.Thread(target=warm_exporter, daemon=True, name="warm-nbconvert").start()

    runs: list[StageRun] = []
    try:
        with ThreadPoolExecutor(max(1, min(workers, len(first) or 1)), thread_name_prefix="stage") as pool:
            futures = []
            for i, s in enumerate(first):
                futures.append(pool.submit(_run_stage, s, profile_path, profile, work, nb_dir, cell_timeout_s, None,
                                           time_budget_s))
                if i == 0 and s == 6 and len(first) > 1:
                    _wait_for_handoff(work, 6, HEAD_START_S)   # its kernel imports alone; the window opens sooner
            pending = len(futures)
            for future in as_completed(futures):
                run = future.result()
                watcher.done(run)
                runs.append(run)
                pending -= 1
                if pending <= 1:
                    prewarm()
        prewarm()
        for s in last:                      # the handover reads what the other stages found
            run = _run_stage(s, profile_path, profile, work, nb_dir, cell_timeout_s, warm.pop("7", None))
            watcher.done(run)
            runs.append(run)
        watcher.stop()
        timings["stages_s"] = round(time.perf_counter() - t, 2)

        findings: list[Finding] = []
        samples: list[Sample] = []
        traffic = {"requests_sent": 0, "state_changing_sent": 0, "refused_out_of_scope": []}
        for run in sorted(runs, key=lambda r: r.stage):
            findings.extend(_stage_findings(work, run, profile))
            handoff = read_handoff(work, run.stage)
            if handoff:
                samples.extend(Sample.from_row(r) for r in RunData(handoff.data).monitoring.get("samples", []))
                traffic["requests_sent"] += int(handoff.traffic.get("requests_sent", 0))
                traffic["state_changing_sent"] += int(handoff.traffic.get("state_changing_sent", 0))
                traffic["refused_out_of_scope"] += handoff.traffic.get("refused_out_of_scope", [])

        phase("writing findings")
        redactor = profile.redactor
        write_findings_files(work, profile.client, folder.run_id, findings, redactor)
        write_latency_csv(work / "latency.csv", samples)
        run_doc = run_metadata(profile, folder.run_id, started, selected, findings)
        run_doc["traffic"] = traffic
        if only is not None:
            run_doc["only"] = only
            run_doc["checks"] = [c for c in run_doc["checks"] if c in only]
        run_doc["stage_runs"] = [asdict(r) | {"title": stage_title(r.stage)} for r in sorted(runs, key=lambda r: r.stage)]
        run_doc["pipeline"] = {"workers": workers, "notebooks": str(nb_dir)}
        write_json(work / "run.json", redactor.value(run_doc))

        kit_problem = _write_kit(work, profile)
        phase("building reports")
        t = time.perf_counter()
        report_problems = build_reports(work, nb_dir, warm=(warm.pop("report", None), warm.pop("handover", None)))
        report_problems.update(kit_problem)
        timings["reports_s"] = round(time.perf_counter() - t, 2)
    except OSError as e:                # full disk, read-only folder…: a clear reason, not a traceback
        raise RunFolderError(explain_os_error(e, Path(e.filename) if e.filename else work)) from None
    finally:
        watcher.stop()
        for kernel in warm.values():
            kernel.close()
    run_doc["report_errors"] = report_problems
    run_doc["pipeline"]["timings"] = timings
    run_doc["finished"] = datetime.now(timezone.utc).isoformat()
    write_json(work / "run.json", redactor.value(run_doc))

    run_dir = folder.commit()
    return PipelineResult(run_dir, findings, run_doc, runs)


def _write_kit(work: Path, profile: Profile) -> dict[str, str]:
    """kit/: the founder's workflows from the profile (before the reports: the handover shows it). A kit that
    cannot be made is said, and the run keeps everything else."""
    try:
        write_kit(work / "kit", profile)
    except OSError:
        raise
    except Exception as e:  # noqa: BLE001 - our bug, said in run.json and on the terminal
        return {"kit/": f"the founder's kit could not be made: {type(e).__name__}: {e}"}
    return {}


def rebuild_reports(run_dir: Path | str) -> dict[str, str]:
    """``launch-audit report RUN_DIR``: new report.html and handover.html from the run's files, no probing."""
    run_dir = Path(run_dir)
    if not (run_dir / "findings.json").is_file():
        raise FileNotFoundError(f"{run_dir} is not a run folder (no findings.json)")
    return build_reports(run_dir)
