"""The watch's rules as a table: down per host, slow per URL, 5xx for the site, always by majority of the
vantage points that could judge; reminders that back off."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from launch_audit.monitoring import Sample
from launch_audit.profile import Watch
from launch_audit.watch.rules import changes, conditions, reminder_due
from launch_audit.watch.store import Incident, Round

WWW, API = "https://www.shop.test/", "https://api.shop.test/healthz"
CFG = Watch(down_after=2, window_rounds=4, error_rate=0.25, reminder_s=60)


def _round(i: int, seen: dict[str, dict[str, tuple[int | str, float | None]]]) -> Round:
    """seen: vantage -> {url: (status, ms)}"""
    samples = tuple((v, Sample(url, f"2026-12-02T10:00:{i:02d}+00:00", ms, status))
                    for v, urls in seen.items() for url, (status, ms) in urls.items())
    return Round(i, f"r{i}", tuple(seen), samples)


UP, DOWN, SLOW, ERR = (200, 80.0), ("error", None), (200, 900.0), (503, 40.0)


def _rounds(*per_round: dict) -> list[Round]:
    return [_round(i, seen) for i, seen in enumerate(per_round)]


@pytest.mark.parametrize("name, rounds, expected", [
    ("all up", _rounds(*[{"a": {WWW: UP, API: UP}}] * 4), []),
    ("down two rounds", _rounds({"a": {WWW: UP, API: UP}}, {"a": {WWW: DOWN, API: UP}}, {"a": {WWW: DOWN, API: UP}}),
     [("down", "www.shop.test")]),
    ("down once is not an incident", _rounds({"a": {WWW: UP}}, {"a": {WWW: UP}}, {"a": {WWW: DOWN}}), []),
    ("a 404 is an answer", _rounds(*[{"a": {WWW: (404, 30.0)}}] * 3), []),
    ("one of two vantage points is no majority",
     _rounds(*[{"a": {WWW: UP}, "b": {WWW: DOWN}}] * 3), []),
    ("two of three are", _rounds(*[{"a": {WWW: DOWN}, "b": {WWW: DOWN}, "c": {WWW: UP}}] * 3),
     [("down", "www.shop.test")]),
    ("a vantage point that did not report has no vote",
     _rounds({"a": {WWW: DOWN}, "b": {WWW: UP}}, {"a": {WWW: DOWN}}, {"a": {WWW: DOWN}}), [("down", "www.shop.test")]),
    ("slow over the window", _rounds(*[{"a": {WWW: SLOW, API: UP}}] * 4), [("latency", WWW)]),
    ("too few answers for a p95", _rounds({"a": {WWW: SLOW}}), []),
    ("5xx share over the threshold",
     _rounds(*[{"a": {WWW: UP, API: ERR}}] * 2, *[{"a": {WWW: UP, API: UP}}] * 2), [("errors", "all targets")]),
])
def test_conditions(name, rounds, expected):
    assert [(c.kind, c.target) for c in conditions(rounds, CFG, 500)] == expected, name


def test_an_incident_opens_once_reminds_with_backoff_and_closes():
    t0 = datetime(2026, 12, 2, 10, tzinfo=timezone.utc)
    holding = conditions(_rounds(*[{"a": {WWW: DOWN}}] * 2), CFG, 500)
    assert [c.action for c in changes(holding, [], t0, CFG)] == ["open"]
    incident = Incident(1, "down", "www.shop.test", t0.isoformat(), None, "x", "", 0, t0.isoformat())
    assert changes(holding, [incident], t0 + timedelta(seconds=30), CFG) == []          # still down: quiet
    assert [c.action for c in changes(holding, [incident], t0 + timedelta(seconds=61), CFG)] == ["remind"]
    later = Incident(1, "down", "www.shop.test", t0.isoformat(), None, "x", "", 3, t0.isoformat())
    assert not reminder_due(later, t0 + timedelta(seconds=60 * 7), CFG)                 # 60 s × 2³ apart now
    assert reminder_due(later, t0 + timedelta(seconds=60 * 8), CFG)
    many = Incident(1, "down", "www.shop.test", t0.isoformat(), None, "x", "", 30, t0.isoformat())
    assert reminder_due(many, t0 + timedelta(days=1), CFG)                              # at most a day apart
    assert [c.action for c in changes([], [incident], t0, CFG)] == ["close"]
