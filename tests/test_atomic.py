"""The one atomic write: a reader sees the old file or the new one, never half of either, and nothing is
left behind when writing fails."""

from __future__ import annotations

import json

import pytest

from launch_audit.atomic import atomic_open, write_atomic, write_json_atomic


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "findings.csv"
    path.write_text("old\n")
    with pytest.raises(RuntimeError):
        with atomic_open(path) as fh:
            fh.write("half a ")
            raise RuntimeError("disk full")
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["findings.csv"]


def test_text_bytes_and_json_replace_the_file(tmp_path):
    assert write_atomic(tmp_path / "a.txt", "new").read_text() == "new"
    assert write_atomic(tmp_path / "b.eml", b"\x00mail").read_bytes() == b"\x00mail"
    assert json.loads(write_json_atomic(tmp_path / "c.json", {"é": 1}).read_text(encoding="utf-8")) == {"é": 1}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.eml", "c.json"]
