"""The watchdog's shared record: every active request with its start and end, and every stall a health
ping saw, as JSON lines in the run folder that a run's stage processes append to and read back; and which
probe a stall is blamed on (net/watch.py does the watching)."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

PING_INTERVAL_S = 1.0
LARGE_BYTES = 1_000          # a request this large can carry work that grows with its input
WATCH_FOLDER = "target_watch"


@dataclass
class ProbeRecord:
    """One active or state-changing request: what was sent, by which check, and when."""

    id: str
    host: str
    check: str
    label: str
    method: str
    url: str
    bytes: int
    start: float                 # wall clock, seconds
    end: float | None = None
    pid: int = field(default_factory=os.getpid)


@dataclass
class Stall:
    """A window in which ``host`` answered its health ping slowly or not at all."""

    id: str
    host: str
    since: float                 # the last fast answer before it
    seen: float                  # the slow ping was sent then
    until: float | None = None   # the first fast answer after it
    given_up: bool = False       # no fast answer within scope.recovery_wait_s
    usual_ms: float = 0.0
    worst_ms: float = 0.0
    why: str = ""
    answered_before: bool = True  # a host that never answered a ping was not stopped by us
    retracted: bool = False       # the slow ping's own time was short: our process was slow, not the host

    @property
    def open(self) -> bool:
        return self.until is None and not self.given_up and not self.retracted

    def overlaps(self, start: float, end: float) -> bool:
        return end >= self.since and start <= (self.until if self.until is not None else float("inf"))

    @property
    def seconds(self) -> float | None:
        return None if self.until is None else self.until - self.since


def suspects(stall: Stall, probes: list[ProbeRecord]) -> list[ProbeRecord]:
    """Pure: the probes that may have caused ``stall``, most likely first. A suspect was in flight when the
    slow ping went out and, when the host answered again, was still held (or had only just been let go).
    Several are usually in flight at once, most of them only queued behind the one doing the harm, so they
    rank by: sent after the host's last fast answer (before it the host was still fine), then large before
    small (work that grows with the input is what freezes a server), then the first sent (a request sent
    after the one doing the harm was only queued behind it, however large)."""
    if not stall.answered_before:
        return []
    held = [p for p in probes if p.host == stall.host and p.start <= stall.seen
            and (p.end is None or p.end >= stall.seen)]
    if stall.until is not None:
        stuck = [p for p in held if p.end is None or p.end >= stall.until - PING_INTERVAL_S]
        held = stuck or held
    return sorted(held, key=lambda p: (p.start < stall.since - PING_INTERVAL_S, p.bytes < LARGE_BYTES, p.start))


def culprit(stall: Stall, probes: list[ProbeRecord]) -> ProbeRecord | None:
    """Pure: the probe most likely to have caused ``stall`` (the first of ``suspects``)."""
    found = suspects(stall, probes)
    return found[0] if found else None


def describe_probe(p: ProbeRecord) -> str:
    return f"{p.label} ({p.check})"


@dataclass
class Outage:
    """A stall and the probe of ours that most likely caused it."""

    stall: Stall
    probe: ProbeRecord | None
    others: list[ProbeRecord] = field(default_factory=list)   # the other suspects, most likely first

    def reason(self) -> str:
        if self.probe is None:
            return f"{self.stall.host} stopped answering (no probe of ours was in flight)"
        return f"target unavailable after {describe_probe(self.probe)}"


def stall_notice(stall: Stall, probe: ProbeRecord | None, told_open: bool) -> str:
    """Pure: the terminal's line about a stall (``told_open``: its start was already shown)."""
    after = f" after {describe_probe(probe)}" if probe else ""
    if stall.open:
        return f"{stall.host} stopped answering{after}: its active probes wait for it"
    if stall.given_up:
        return f"{stall.host} did not answer again{after}: its remaining active probes are skipped"
    took = f" for {stall.seconds:.1f} s" if stall.seconds is not None else ""
    if told_open:
        return f"{stall.host} answers again (it stopped{took}): probing goes on"
    return f"{stall.host} stopped answering{took}{after}"


class WatchStore:
    """Append-only JSON lines shared by the run's processes (or kept in memory); read incrementally."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._probes: dict[str, ProbeRecord] = {}
        self._stalls: dict[str, Stall] = {}
        self._offset = 0
        if folder is not None:
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError:
                self.folder = None

    @property
    def _path(self) -> Path | None:
        return self.folder / "events.jsonl" if self.folder is not None else None

    def _append(self, row: dict) -> None:
        if self._path is not None:
            line = (json.dumps(row, separators=(",", ":")) + "\n").encode()
            try:
                fd = os.open(self._path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                try:
                    os.write(fd, line)      # one write with O_APPEND: lines of processes never interleave
                finally:
                    os.close(fd)
                return
            except OSError:
                pass
        self._take(row)

    def _take(self, row: dict) -> None:
        if "probe" in row:
            p = ProbeRecord(**row["probe"])
            self._probes[p.id] = p              # the end line replaces the start line
        elif "stall" in row:
            s = Stall(**row["stall"])
            self._stalls[s.id] = s

    def _catch_up(self) -> None:
        """Read what the run's processes appended since the last look."""
        if self._path is None:
            return
        try:
            with open(self._path, "rb") as f:
                f.seek(self._offset)
                data = f.read()
        except OSError:
            return
        complete = data[:data.rfind(b"\n") + 1]
        self._offset += len(complete)
        for line in complete.splitlines():
            try:
                self._take(json.loads(line))
            except (ValueError, TypeError):
                continue                        # a line cut by a killed process

    def put_probe(self, p: ProbeRecord) -> None:
        self._append({"probe": asdict(p)})

    def put_stall(self, s: Stall) -> None:
        self._append({"stall": asdict(s)})

    def probes(self) -> list[ProbeRecord]:
        self._catch_up()
        return list(self._probes.values())

    def stalls(self) -> list[Stall]:
        """Every stall the run's watchdogs saw (copies), less those retracted."""
        self._catch_up()
        return [Stall(**asdict(s)) for s in self._stalls.values() if not s.retracted]
