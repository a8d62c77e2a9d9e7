"""The watch's record: rounds and their samples, incidents and every alert delivery, in one SQLite file.

WAL journal and synchronous=FULL: a round is one transaction, so a restart or a SIGKILL loses no round that was
recorded (only the one in flight). Incidents carry their notification state, so a watch restarted mid-incident
neither forgets it nor alerts twice."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..monitoring import Sample

SCHEMA = """
CREATE TABLE IF NOT EXISTS rounds (
  id INTEGER PRIMARY KEY, started TEXT NOT NULL, finished TEXT NOT NULL, vantages TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS samples (
  round_id INTEGER NOT NULL REFERENCES rounds(id), vantage TEXT NOT NULL, target TEXT NOT NULL,
  started_at TEXT NOT NULL, ms REAL, status TEXT NOT NULL, error TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS samples_round ON samples(round_id);
CREATE TABLE IF NOT EXISTS incidents (
  id INTEGER PRIMARY KEY, kind TEXT NOT NULL, target TEXT NOT NULL, opened_at TEXT NOT NULL,
  closed_at TEXT, detail TEXT NOT NULL, recovery TEXT NOT NULL DEFAULT '', reminders INTEGER NOT NULL DEFAULT 0,
  last_notice_at TEXT);
CREATE TABLE IF NOT EXISTS deliveries (
  id INTEGER PRIMARY KEY, incident_id INTEGER NOT NULL REFERENCES incidents(id), notice TEXT NOT NULL,
  route TEXT NOT NULL, at TEXT NOT NULL, ok INTEGER NOT NULL, error TEXT NOT NULL DEFAULT '');
"""


@dataclass(frozen=True)
class Round:
    id: int
    started: str
    vantages: tuple[str, ...]
    samples: tuple[tuple[str, Sample], ...]       # (vantage, sample)


@dataclass
class Incident:
    id: int
    kind: str               # down | latency | errors
    target: str
    opened_at: str
    closed_at: str | None
    detail: str
    recovery: str
    reminders: int
    last_notice_at: str | None

    @property
    def open(self) -> bool:
        return self.closed_at is None


class WatchStore:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    # -- rounds ----------------------------------------------------------------
    def add_round(self, started: str, finished: str, vantages: Iterable[str],
                  samples: Iterable[tuple[str, Sample]]) -> int:
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            cur = self.db.execute("INSERT INTO rounds(started, finished, vantages) VALUES (?, ?, ?)",
                                  (started, finished, ",".join(vantages)))
            round_id = int(cur.lastrowid)
            self.db.executemany(
                "INSERT INTO samples(round_id, vantage, target, started_at, ms, status, error) VALUES (?,?,?,?,?,?,?)",
                [(round_id, v, s.series, s.started_at, s.ms, str(s.status), s.error) for v, s in samples])
        return round_id

    def last_rounds(self, n: int) -> list[Round]:
        """The last ``n`` rounds, oldest first."""
        rows = self.db.execute("SELECT id, started, vantages FROM rounds ORDER BY id DESC LIMIT ?", (n,)).fetchall()
        return self._rounds(rows[::-1])

    def all_rounds(self) -> list[Round]:
        return self._rounds(self.db.execute("SELECT id, started, vantages FROM rounds ORDER BY id").fetchall())

    def round_count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM rounds").fetchone()[0])

    def _rounds(self, rows: list[tuple[int, str, str]]) -> list[Round]:
        """Rounds with their samples, read in one query (a month of rounds is tens of thousands)."""
        if not rows:
            return []
        by_round: dict[int, list[tuple[str, Sample]]] = {}
        for round_id, v, t, at, ms, st, err in self.db.execute(
                "SELECT round_id, vantage, target, started_at, ms, status, error FROM samples "
                "WHERE round_id BETWEEN ? AND ? ORDER BY rowid", (rows[0][0], rows[-1][0])):
            sample = Sample.from_row({"series": t, "started_at": at, "ms": ms, "status": st, "error": err})
            by_round.setdefault(round_id, []).append((v, sample))
        return [Round(round_id, started, tuple(x for x in vantages.split(",") if x), tuple(by_round.get(round_id, ())))
                for round_id, started, vantages in rows]

    # -- incidents -------------------------------------------------------------
    def incidents(self, open_only: bool = False) -> list[Incident]:
        sql = "SELECT * FROM incidents" + (" WHERE closed_at IS NULL" if open_only else "") + " ORDER BY id"
        return [Incident(*row) for row in self.db.execute(sql)]

    def open_incident(self, kind: str, target: str, at: str, detail: str) -> int:
        with self.db:
            cur = self.db.execute("INSERT INTO incidents(kind, target, opened_at, detail) VALUES (?,?,?,?)",
                                  (kind, target, at, detail))
        return int(cur.lastrowid)

    def close_incident(self, incident_id: int, at: str, recovery: str) -> None:
        with self.db:
            self.db.execute("UPDATE incidents SET closed_at = ?, recovery = ? WHERE id = ?",
                            (at, recovery, incident_id))

    def noticed(self, incident_id: int, at: str, reminder: bool) -> None:
        with self.db:
            self.db.execute("UPDATE incidents SET last_notice_at = ?, reminders = reminders + ? WHERE id = ?",
                            (at, 1 if reminder else 0, incident_id))

    # -- deliveries ------------------------------------------------------------
    def delivered(self, incident_id: int, notice: str, route: str) -> bool:
        return self.db.execute("SELECT 1 FROM deliveries WHERE incident_id = ? AND notice = ? AND route = ? AND ok = 1",
                               (incident_id, notice, route)).fetchone() is not None

    def record_delivery(self, incident_id: int, notice: str, route: str, at: str, ok: bool, error: str = "") -> None:
        with self.db:
            self.db.execute("INSERT INTO deliveries(incident_id, notice, route, at, ok, error) VALUES (?,?,?,?,?,?)",
                            (incident_id, notice, route, at, int(ok), error[:500]))

    def deliveries(self) -> list[tuple[int, str, str, str, bool, str]]:
        return [(i, n, r, at, bool(ok), e) for i, n, r, at, ok, e in
                self.db.execute("SELECT incident_id, notice, route, at, ok, error FROM deliveries ORDER BY id")]
