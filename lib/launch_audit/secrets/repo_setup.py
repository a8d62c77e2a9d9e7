"""The scanner a repository asks for: the shipped rules plus what its gitleaks setup says.

A founder's `.gitleaks.toml` (or `--config FILE`) adds its rules, disables the shipped rules it names in
`[extend] disabledRules`, and its allowlists apply; `.gitleaksignore` fingerprints are skipped. An audit
is never narrowed to fewer rules than the shipped ones by the repository it audits: a configuration
without `[extend] useDefault` (which in gitleaks replaces the default rules) still runs beside them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .gitleaks_config import (Config, ignored, load_config, load_ignore, merged, repo_config,
                              without_disabled)
from .scanner import Scanner, default_rules, ordered
from .sources import Located


@dataclass
class ScanSetup:
    scanner: Scanner
    ignore: set[str] = field(default_factory=set)
    told: list[str] = field(default_factory=list)      # what of the repository's own setup was honoured

    def kept(self, found: list[Located]) -> list[Located]:
        """Without what `.gitleaksignore` lists (by `file:rule:line`, or with the commit for history)."""
        if not self.ignore:
            return found
        return [loc for loc in found
                if not ignored(self.ignore, loc.path, loc.match.rule_id, loc.match.line, loc.commit)]

    def summary(self) -> str:
        return f"; honoured {', '.join(self.told)}" if self.told else ""


def scanner_for(root: Path | None, config: Path | None = None) -> ScanSetup:
    """Raises RuleError (with the file and the rule) when the configuration is invalid."""
    rules, allowlists = default_rules()
    told: list[str] = []
    path = config or (repo_config(root) if root is not None and root.is_dir() else None)
    if path is not None:
        extra: Config = load_config(path)
        rules = ordered(merged(without_disabled(rules, extra.disabled), extra.rules))
        allowlists = allowlists + extra.allowlists
        parts = [f"{len(extra.rules)} rule(s)"] if extra.rules else []
        parts += [f"{len(extra.allowlists)} allowlist(s)"] if extra.allowlists else []
        parts += [f"{len(extra.disabled)} disabled rule(s)"] if extra.disabled else []
        told.append(f"{path.name} ({', '.join(parts) or 'nothing to add'})")
    ignore = load_ignore(root) if root is not None and root.is_dir() else set()
    if ignore:
        told.append(f".gitleaksignore ({len(ignore)} fingerprint(s))")
    return ScanSetup(Scanner(rules, allowlists), ignore, told)
