"""What a rule (or a whole configuration) says is not a secret, with gitleaks' meaning of an allowlist:
regexes against the secret, the whole match or the line; stop words inside the secret; paths; commits.
The checks of one allowlist are OR-ed, or AND-ed when its condition says so (then paths and commits
count among them; OR-ed, they exclude whole files before any regex runs)."""

from __future__ import annotations

from dataclasses import dataclass

import re2

from .rules import LazyRegex

TARGETS = ("secret", "match", "line")


@dataclass(frozen=True)
class Allowlist:
    regexes: tuple[str, ...] = ()
    target: str = "secret"
    stopwords: tuple[str, ...] = ()             # lower-case
    paths: tuple[str, ...] = ()
    commits: tuple[str, ...] = ()               # lower-case
    condition: str = "or"
    rules: tuple[str, ...] = ()                 # a configuration-wide list may name the rules it is for
    lazy: bool = False                          # compile on first use (the shipped lists, already tested)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_regex", _joined(self.regexes, self.lazy))
        object.__setattr__(self, "_path", _joined(self.paths, self.lazy))

    def applies_to(self, rule_id: str) -> bool:
        return not self.rules or rule_id in self.rules

    def skips_file(self, path: str, commit: str = "") -> bool:
        """An OR-list with paths or commits drops the whole file (or commit) for its rules."""
        if self.condition == "and":
            return False
        return self._path_allowed(path) or self._commit_allowed(commit)

    def allows(self, secret: str, match: str, line: str, path: str = "", commit: str = "") -> bool:
        text = {"secret": secret, "match": match, "line": line}[self.target]
        regex = self._regex is not None and bool(self._regex.search(text))        # type: ignore[attr-defined]
        stop = bool(self.stopwords) and any(w in secret.lower() for w in self.stopwords)
        if self.condition != "and":
            return regex or stop
        checks = []
        if self.commits:
            checks.append(self._commit_allowed(commit))
        if self.paths:
            checks.append(self._path_allowed(path))
        if self.regexes:
            checks.append(regex)
        if self.stopwords:
            checks.append(stop)
        return bool(checks) and all(checks)

    def _path_allowed(self, path: str) -> bool:
        return bool(path) and self._path is not None and bool(self._path.search(path))  # type: ignore[attr-defined]

    def _commit_allowed(self, commit: str) -> bool:
        return bool(commit) and commit.lower() in self.commits


def _joined(patterns: tuple[str, ...], lazy: bool = False):
    """One RE2 for a list of alternatives (each keeps its own flags inside its group)."""
    if not patterns:
        return None
    joined = "|".join(f"(?:{p})" for p in patterns)
    return LazyRegex(joined) if lazy else re2.compile(joined)
