"""A run folder on a read-only file system or a full disk: one clear line and exit 3, never a traceback.
The folders are real tmpfs mounts (root on this machine and in CI), not mocked errors."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.helpers import short_window_profile


@pytest.fixture
def tmpfs(tmp_path):
    mount = tmp_path / "mnt"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", str(mount)], capture_output=True)
    if made.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.mark.parametrize("case, says", [("read-only", "the file system is read-only"), ("full", "the disk is full")])
def test_an_unwritable_run_folder_is_one_clear_line(case, says, tmpfs, shop, tmp_path):
    if case == "read-only":
        subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    profile = short_window_profile(shop, tmp_path, window_s=2, samples=4)
    done = subprocess.run([sys.executable, "-m", "launch_audit", "run", str(profile), "--out", str(tmpfs),
                           "--stages", "2"], capture_output=True, timeout=300)
    err = done.stderr.decode(errors="replace")
    assert done.returncode == 3, (done.returncode, err[-2000:])
    assert "Traceback" not in err and "Traceback" not in done.stdout.decode(errors="replace")
    lines = [line for line in err.splitlines() if says in line]
    assert len(lines) == 1, err[-2000:]
