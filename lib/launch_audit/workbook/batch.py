"""``launch-audit batch``: many clients, each a full pipeline run; one client's failure never stops the others.

Locally the clients run in a process pool; with ``scheduler`` each client is a
task on a Dask distributed cluster (outputs must then be on a path every worker
can write). Invalid profiles are caught here, before anything is dispatched.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from ..findings import Severity, Status
from ..profile_loader import ProfileError, load_profile
from .execute import describe_failure

PROFILE_SUFFIXES = (".yaml", ".yml")


@dataclass
class ClientOutcome:
    profile: str
    client: str = ""
    status: str = ""              # complete | complete, with errors | stage broke | invalid | failed
    fails: dict[str, int] = field(default_factory=dict)     # severity -> failing findings
    errors: int = 0               # error findings (a check could not run)
    report: str = ""
    run_dir: str = ""
    message: str = ""             # why, for invalid / failed / broken
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status.startswith("complete")


def expand_profiles(paths: list[Path]) -> tuple[list[Path], list[ClientOutcome]]:
    """Profiles from files and folders (``*.yaml`` in a folder); missing paths become outcomes."""
    found: list[Path] = []
    missing: list[ClientOutcome] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.suffix in PROFILE_SUFFIXES and not p.name.startswith(".")))
        elif path.is_file():
            found.append(path)
        else:
            missing.append(ClientOutcome(str(path), status="invalid", message=f"{path}: no such file or folder"))
    return list(dict.fromkeys(found)), missing


def audit_one(profile_path: str, outputs_root: str, stages: list[int] | None,
              stage_workers: int | None) -> ClientOutcome:
    """One client, start to finish; never raises (it runs in a pool worker or on a Dask worker)."""
    from .pipeline import run_pipeline

    started = time.perf_counter()
    outcome = ClientOutcome(profile_path)
    try:
        profile = load_profile(Path(profile_path))
        outcome.client = profile.client
        result = run_pipeline(profile_path, outputs_root, stages=stages, workers=stage_workers, profile=profile)
    except ProfileError as e:
        outcome.status, outcome.message = "invalid", "; ".join(str(p) for p in e.problems)
        return outcome
    except Exception as e:  # noqa: BLE001 - one client's crash is reported, the batch goes on
        outcome.status, outcome.message = "failed", describe_failure(e)
        outcome.seconds = round(time.perf_counter() - started, 1)
        return outcome
    outcome.run_dir = str(result.run_dir)
    outcome.report = str(result.run_dir / "report.html")
    outcome.fails = {s.value: sum(1 for f in result.findings if f.status is Status.FAIL and f.severity is s)
                     for s in Severity if s is not Severity.INFO}
    outcome.errors = sum(1 for f in result.findings if f.status is Status.ERROR)
    if result.broken:
        outcome.status = "stage broke"
        outcome.message = "; ".join(f"stage {r.stage}: {r.error}" for r in result.broken)
    else:
        outcome.status = "complete, with errors" if outcome.errors else "complete"
    outcome.seconds = round(time.perf_counter() - started, 1)
    return outcome


def run_batch(paths: list[Path], outputs_root: Path, *, workers: int = 2, scheduler: str | None = None,
              stages: list[int] | None = None, stage_workers: int | None = None,
              on_done: Callable[[ClientOutcome], None] | None = None) -> list[ClientOutcome]:
    profiles, outcomes = expand_profiles(paths)
    runnable: list[Path] = []
    for path in profiles:
        try:
            load_profile(path)
            runnable.append(path)
        except ProfileError as e:
            outcomes.append(ClientOutcome(str(path), status="invalid",
                                          message="; ".join(str(p) for p in e.problems)))
    for outcome in outcomes:
        if on_done:
            on_done(outcome)
    args = [(str(p.resolve()), str(Path(outputs_root).resolve()), stages, stage_workers) for p in runnable]
    if not args:
        return outcomes
    run = _run_dask if scheduler else _run_local
    for outcome in run(args, workers, scheduler):
        outcomes.append(outcome)
        if on_done:
            on_done(outcome)
    return outcomes


def _run_local(args: list[tuple], workers: int, _scheduler: str | None):
    # spawn: the parent has threads (progress display), which fork would copy in a bad state
    with ProcessPoolExecutor(max_workers=max(1, min(workers, len(args))),
                             mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {pool.submit(audit_one, *a): a for a in args}
        for future in as_completed(futures):
            try:
                yield future.result()
            except Exception as e:  # noqa: BLE001 - a worker process died
                yield ClientOutcome(futures[future][0], status="failed", message=describe_failure(e))


def _run_dask(args: list[tuple], _workers: int, scheduler: str | None):
    from distributed import Client
    from distributed import as_completed as dask_completed

    with Client(scheduler, timeout="20s") as client:
        futures = {client.submit(audit_one, *a, pure=False): a for a in args}
        for future in dask_completed(list(futures)):
            try:
                yield future.result()
            except Exception as e:  # noqa: BLE001 - the task or its worker died
                yield ClientOutcome(futures[future][0], status="failed", message=describe_failure(e))
