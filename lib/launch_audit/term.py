"""Terminal output: progress while checks run, a ranked summary after. Site text is made inert."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.text import Text

from .findings import Finding, Status, rank_risks, status_counts
from .redact import Redactor

# C0 controls but tab/newline, DEL, C1 controls: ANSI escapes from a hostile site die here
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_STYLE = {"pass": "green", "fail": "bold red", "warn": "yellow", "error": "magenta", "skip": "dim", "manual": "cyan"}

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def inert(text: str, redactor: Redactor | None = None, limit: int = 300) -> Text:
    """Text safe for a terminal: no control sequences, no rich markup, no secrets, bounded."""
    text = _CONTROL.sub("�", text)
    if redactor is not None:
        text = redactor.text(text)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return Text(text)


@contextmanager
def stage_progress(stages: list[int], titles: dict[int, str]) -> Iterator:
    """Yields (on_progress, on_phase) hooks for the pipeline: one bar per stage notebook."""
    progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TextColumn("{task.fields[state]}"), TimeElapsedColumn(), console=err,
                        disable=not err.is_terminal)
    tasks = {s: progress.add_task(f"Stage {s} {titles[s]}", total=None, state="waiting") for s in stages}

    def on_progress(stage: int, done: int, total: int, state: str) -> None:
        if state == "running":
            progress.update(tasks[stage], completed=done, total=total or None, state=state)
            return
        # finished: a stage with nothing automated yet still shows a full bar
        progress.update(tasks[stage], completed=max(done, 1) if not total else done, total=total or 1, state=state)
        progress.stop_task(tasks[stage])
        if not err.is_terminal:         # logs and CI: one line per finished stage
            err.print(Text(f"  stage {stage} {titles[stage]}: {state} ({done}/{total} checks)"))

    def on_phase(message: str) -> None:
        if err.is_terminal:
            progress.console.print(Text(f"  {message}…", style="dim"))
        else:
            err.print(Text(f"  {message}…"))

    with progress:
        yield on_progress, on_phase


@contextmanager
def count_progress(total: int, label: str) -> Iterator:
    """Yields ``advance(line)``: one bar over ``total`` items, and a line per finished item."""
    progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), console=err, disable=not err.is_terminal)
    task = progress.add_task(label, total=total)

    def advance(line: str) -> None:
        progress.advance(task)
        progress.console.print(inert(line, limit=1000))

    with progress:
        yield advance


def summary(findings: list[Finding], redactor: Redactor, top: int = 12) -> None:
    counts = status_counts(findings)
    line = Text("Findings: ")
    for status in Status:
        line.append(f"{counts[status.value]} {status.value}  ", style=_STYLE[status.value])
    out.print(line)
    risks = rank_risks(findings)
    if not risks:
        return
    out.print(Text(f"Top risks ({min(top, len(risks))} of {len(risks)}, most damaging first):", style="bold"))
    for f in risks[:top]:
        head = Text("  ")
        head.append(f"{f.status.value.upper():6}", style=_STYLE[f.status.value])
        head.append(f" {f.severity.value:8} {f.check_id:24} ")
        head.append_text(inert(f.target, redactor, 80))
        out.print(head, soft_wrap=True)
        out.print(Text("         ") + inert(f.evidence, redactor, 220), soft_wrap=True)


def result_line(status: str, name: str, message: str, ms: float, redactor: Redactor) -> None:
    """One line per test (``launch-audit smoke``): status, name, what was seen, how long."""
    line = Text()
    line.append(f"{status.upper():6}", style=_STYLE.get(status, ""))
    line.append(f"{name:24} ")
    line.append_text(inert(message, redactor, 400))
    line.append(f"  ({ms:.0f} ms)", style="dim")
    out.print(line, soft_wrap=True)


def fatal(message: str) -> None:
    err.print(Text("error: ", style="bold red") + inert(message, limit=2000))


def say(message: str) -> None:
    err.print(inert(message, limit=2000))
