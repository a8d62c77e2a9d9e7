"""Every blob of a git repository scanned once: all objects reachable from all refs (deleted files
included), read through one ``git cat-file --batch`` stream, each secret reported once with the commit,
path and author where it first appeared."""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path

from ..git import GitError, git
from .scanner import Scanner
from .sources import MAX_FILE_BYTES, Located, ScanResult, is_binary




def first_appearance(repo: Path) -> dict[str, tuple[str, str, str, str]]:
    """blob id -> (commit, path, author, date) of the oldest commit that added or changed it."""
    out = git(repo, "log", "--all", "--reverse", "--raw", "--no-abbrev", "--no-renames",
               "--format=commit %H%x09%an <%ae>%x09%aI")
    seen: dict[str, tuple[str, str, str, str]] = {}
    commit = author = date = ""
    for raw in out.decode("utf-8", "replace").splitlines():
        if raw.startswith("commit "):
            commit, author, date = (raw[7:].split("\t") + ["", ""])[:3]
        elif raw.startswith(":"):
            meta, _, path = raw.partition("\t")
            fields = meta.split()
            if len(fields) >= 5 and fields[4] != "D" and fields[3] not in seen:
                seen[fields[3]] = (commit, path, author, date)
    return seen


def reachable_blobs(repo: Path) -> list[tuple[str, str, int]]:
    """(blob id, a path it had, size) for every blob reachable from any ref."""
    listing = git(repo, "rev-list", "--objects", "--all").decode("utf-8", "replace").splitlines()
    paths = {}
    for line in listing:
        sha, _, path = line.partition(" ")
        paths[sha] = path
    if not paths:
        return []
    checked = git(repo, "cat-file", "--batch-check=%(objectname) %(objecttype) %(objectsize)",
                  stdin="\n".join(paths).encode() + b"\n")
    blobs = []
    for line in checked.decode().splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] == "blob":
            blobs.append((parts[0], paths.get(parts[0], ""), int(parts[2])))
    return blobs


def scan_history(repo: Path, scanner: Scanner | None = None, progress=None) -> ScanResult:
    """Scan every distinct blob once. ``progress(done, total)`` is called as blobs are read."""
    scanner = scanner or Scanner()
    started = time.perf_counter()
    if not (repo / ".git").exists() and git(repo, "rev-parse", "--is-bare-repository").strip() != b"true":
        raise GitError(f"{repo} is not a git repository")
    blobs = reachable_blobs(repo)
    origin = first_appearance(repo)
    result = ScanResult()
    wanted = []
    for sha, path, size in blobs:
        if size > MAX_FILE_BYTES:
            result.skipped_large += 1
        else:
            wanted.append((sha, path))
    proc = subprocess.Popen(["git", "-C", str(repo), "cat-file", "--batch"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert proc.stdin is not None and proc.stdout is not None

    def feed() -> None:                 # a writer thread, so git never blocks on a full pipe
        try:
            for sha, _ in wanted:
                proc.stdin.write(sha.encode() + b"\n")  # type: ignore[union-attr]
            proc.stdin.close()  # type: ignore[union-attr]
        except BrokenPipeError:
            pass

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    found: dict[tuple[str, str], Located] = {}
    try:
        for i, (sha, path) in enumerate(wanted):
            header = proc.stdout.readline().split()
            if len(header) < 3:
                raise GitError(f"git cat-file stopped at blob {sha}")
            data = proc.stdout.read(int(header[2]))
            proc.stdout.read(1)                     # the newline after each object
            if progress and i % 500 == 0:
                progress(i, len(wanted))
            if is_binary(data):
                result.skipped_binary += 1
                continue
            result.files += 1
            result.bytes += len(data)
            commit, first_path, author, date = origin.get(sha, ("", path, "", ""))
            matches = scanner.scan(data, path=path, commit=commit)
            if not matches:
                continue
            for m in matches:
                key = (m.rule_id, m.fingerprint)
                if key not in found or (date and (not found[key].date or date < found[key].date)):
                    found[key] = Located(first_path or path, m, commit=commit, author=author, date=date)
    finally:
        proc.stdout.close()
        proc.wait()
        writer.join(timeout=5)
    if progress:
        progress(len(wanted), len(wanted))
    result.found = sorted(found.values(), key=lambda loc: (loc.date, loc.path))
    result.seconds = time.perf_counter() - started
    return result
