"""Progress in a notebook: one line that updates in place while a stage's checks run."""

from __future__ import annotations

import time
from collections import Counter

from ..checks.base import Check
from ..findings import Finding
from .display import badge, esc


class NotebookProgress:
    """An EventHook for the runner (called from the worker thread); ``refresh`` draws from the kernel's thread."""

    def __init__(self, title: str, checks: list[Check]) -> None:
        self.title = title
        self.total = len(checks)
        self.running: set[str] = set()
        self.waiting: set[str] = set()
        self.done = 0
        self.counts: Counter[str] = Counter()
        self.started = time.monotonic()
        self._handle = None
        try:
            from IPython import get_ipython
            from IPython.display import HTML, display
            if get_ipython() is not None:
                self._HTML = HTML
                self._handle = display(HTML(self._html()), display_id=True)
        except ImportError:
            pass

    def __call__(self, event: str, check: Check, findings: list[Finding]) -> None:
        if event == "waiting":              # a rate-limit burst waits for the run's other stages
            self.waiting.add(check.id)
        elif event == "ready":
            self.waiting.discard(check.id)
        elif event == "start":
            self.waiting.discard(check.id)
            self.running.add(check.id)
        else:
            self.running.discard(check.id)
            self.done += 1
            self.counts.update(f.status.value for f in findings)

    def _html(self) -> str:
        elapsed = time.monotonic() - self.started
        tally = " ".join(f"{badge(s)} {n}" for s, n in sorted(self.counts.items()))
        now = ", ".join(sorted(self.running))
        bar = int(100 * self.done / self.total) if self.total else 100
        return (f'<div class="la-progress"><b>{esc(self.title)}</b>: {self.done}/{self.total} checks '
                f'<span style="display:inline-block;width:120px;height:8px;background:#eee;vertical-align:middle">'
                f'<span style="display:block;width:{bar}%;height:8px;background:#1a73e8"></span></span> '
                f'{elapsed:.1f} s {tally}' + (f' <span class="la-note">running: {esc(now)}</span>' if now else "")
                + (f' <span class="la-note">waiting for the run\'s other stages to finish with the shop\'s '
                   f'limited endpoints: {esc(", ".join(sorted(self.waiting)))}</span>' if self.waiting else "")
                + "</div>")

    def refresh(self) -> None:
        if self._handle is not None:
            self._handle.update(self._HTML(self._html()))
