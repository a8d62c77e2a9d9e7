"""The run folder (spec/outputs.md), written atomically.

Work happens in ``outputs/<client>/.<run_id>.partial``; only a finished run is
renamed to ``outputs/<client>/<run_id>`` and only then does ``latest`` move.
An interrupted run leaves a ``.partial`` folder that nothing mistakes for a result.
"""

from __future__ import annotations

import errno
import os
from datetime import datetime, timezone
from pathlib import Path


class RunFolderError(Exception):
    """The run folder cannot be written (read-only, full disk…): a clear reason, not a traceback."""


def new_run_id(now: datetime | None = None) -> str:
    return (now or datetime.now(timezone.utc)).strftime("%Y-%m-%dT%H-%M-%SZ")


def explain_os_error(e: OSError, path: Path) -> str:
    reasons = {errno.ENOSPC: "the disk is full", errno.EROFS: "the file system is read-only",
               errno.EACCES: "permission denied", errno.EPERM: "permission denied",
               errno.EDQUOT: "disk quota exceeded"}
    return f"cannot write {path}: {reasons.get(e.errno or 0, e.strerror or str(e))}"


class RunFolder:
    def __init__(self, outputs_root: Path, client: str, run_id: str | None = None) -> None:
        self.client_dir = Path(outputs_root) / client
        self.run_id = run_id or new_run_id()
        self.final = self.client_dir / self.run_id
        self.work = self.client_dir / f".{self.run_id}.partial"

    def open(self) -> Path:
        try:
            self.client_dir.mkdir(parents=True, exist_ok=True)
            n = 1
            while self.final.exists() or self.work.exists():     # two runs in the same second
                n += 1
                self.run_id = f"{self.run_id.split('.')[0]}.{n}"
                self.final = self.client_dir / self.run_id
                self.work = self.client_dir / f".{self.run_id}.partial"
            self.work.mkdir()
        except OSError as e:
            raise RunFolderError(explain_os_error(e, self.client_dir)) from None
        return self.work

    def commit(self) -> Path:
        """Publish the finished run and point ``latest`` at it."""
        try:
            os.rename(self.work, self.final)
            link_tmp = self.client_dir / f".latest.{os.getpid()}"
            if link_tmp.is_symlink() or link_tmp.exists():
                link_tmp.unlink()
            link_tmp.symlink_to(self.run_id, target_is_directory=True)
            os.replace(link_tmp, self.client_dir / "latest")
        except OSError as e:
            raise RunFolderError(explain_os_error(e, self.final)) from None
        return self.final
