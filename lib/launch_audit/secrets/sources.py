"""What the scanner reads: the files of a working tree (git's view when it is a repository), folders of
CI logs, and zip archives of logs (GitHub Actions' download), with binary and huge files skipped and
counted."""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..git import git
from .scanner import Scanner, SecretMatch

MAX_FILE_BYTES = 10_000_000                 # bigger files are data or builds, not configuration
MAX_ARCHIVE_BYTES = 200_000_000             # uncompressed total read from one archive
SKIP_DIRS = {".git", "node_modules", ".venv", "venv", "__pycache__", ".mypy_cache", ".pytest_cache", ".tox"}


def is_binary(head: bytes) -> bool:
    return b"\x00" in head[:8192]


@dataclass
class Located:
    """A match and where it is: a path (and, in history, the commit that first had it)."""

    path: str
    match: SecretMatch
    commit: str = ""
    author: str = ""
    date: str = ""


@dataclass
class ScanResult:
    found: list[Located] = field(default_factory=list)
    files: int = 0
    bytes: int = 0
    skipped_binary: int = 0
    skipped_large: int = 0
    seconds: float = 0.0

    def add(self, path: str, data: bytes, scanner: Scanner, **where: str) -> None:
        if len(data) > MAX_FILE_BYTES:
            self.skipped_large += 1
            return
        if is_binary(data):
            self.skipped_binary += 1
            return
        self.files += 1
        self.bytes += len(data)
        self.found += [Located(path, m, **where) for m in scanner.scan(data, path=path)]

    def summary(self) -> str:
        skipped = ""
        if self.skipped_binary or self.skipped_large:
            skipped = f"; skipped {self.skipped_binary} binary and {self.skipped_large} over {MAX_FILE_BYTES // 1_000_000} MB"
        return f"{self.files} files, {self.bytes / 1e6:.1f} MB{skipped}"


def tree_files(root: Path) -> Iterator[Path]:
    """A repository's tracked and untracked-but-not-ignored files (untracked ones not inside a virtualenv,
    node_modules or a cache: a local environment someone forgot to ignore, not the repository); else every file
    under ``root`` outside those folders."""
    if (root / ".git").exists():
        tracked = git(root, "ls-files", "-z", "--cached").split(b"\0")
        untracked = [rel for rel in git(root, "ls-files", "-z", "--others", "--exclude-standard").split(b"\0")
                     if not SKIP_DIRS & set(os.fsdecode(rel).split("/")[:-1])]
        for rel in dict.fromkeys(tracked + untracked):
            if rel:
                p = root / os.fsdecode(rel)
                if p.is_file() and not p.is_symlink():
                    yield p
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS]
        for name in filenames:
            p = Path(dirpath) / name
            if not p.is_symlink():
                yield p


def _read(path: Path) -> bytes | None:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return None
        return path.read_bytes()
    except OSError:
        return None


def scan_paths(paths: list[Path], scanner: Scanner | None = None, result: ScanResult | None = None) -> ScanResult:
    """Files and folders (a folder that is a repository: git's view of its working tree); zip archives
    are opened and their members scanned."""
    scanner = scanner or Scanner()
    result = result or ScanResult()
    for root in paths:
        files = [root] if root.is_file() else list(tree_files(root))
        for f in files:
            shown = str(f.relative_to(root)) if f != root else str(f)
            if f.suffix.lower() == ".zip":
                scan_zip(f, scanner, result, shown)
                continue
            data = _read(f)
            if data is None:
                result.skipped_large += 1
                continue
            result.add(shown, data, scanner)
    return result


def scan_zip(path: Path, scanner: Scanner, result: ScanResult, shown: str) -> None:
    """Every member of a zip archive (CI log downloads), read in memory, never extracted to disk."""
    total = 0
    try:
        with zipfile.ZipFile(path) as z:
            for info in z.infolist():
                if info.is_dir():
                    continue
                if info.file_size > MAX_FILE_BYTES or total + info.file_size > MAX_ARCHIVE_BYTES:
                    result.skipped_large += 1
                    continue
                total += info.file_size
                with z.open(info) as member:
                    data = member.read(MAX_FILE_BYTES + 1)
                result.add(f"{shown}!{info.filename}", data, scanner)
    except (zipfile.BadZipFile, OSError, EOFError):
        result.skipped_binary += 1
