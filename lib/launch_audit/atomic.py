"""One way to write a file so no reader ever sees half of it: write beside it, then rename over it (a rename
within a folder is atomic). The temporary name carries the process id: stage kernels write in parallel."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any


def _tmp(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


@contextmanager
def atomic_open(path: Path | str, newline: str | None = None) -> Iterator[IO[str]]:
    """A text file handle whose content replaces ``path`` only when the block ends without an error."""
    path = Path(path)
    tmp = _tmp(path)
    try:
        with tmp.open("w", encoding="utf-8", newline=newline) as fh:
            yield fh
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_atomic(path: Path | str, data: str | bytes) -> Path:
    path = Path(path)
    tmp = _tmp(path)
    try:
        if isinstance(data, bytes):
            tmp.write_bytes(data)
        else:
            tmp.write_text(data, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def write_json_atomic(path: Path | str, data: Any, *, indent: int | None = 2, **dumps: Any) -> Path:
    text = json.dumps(data, indent=indent, ensure_ascii=False, **dumps)
    return write_atomic(path, text + "\n" if indent is not None else text)
