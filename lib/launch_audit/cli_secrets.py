"""``launch-audit secrets``: the scanner on its own, for a consultant's laptop, a CI job or pre-commit.

Exit codes: 0 nothing new found (or only test/publishable keys without --strict), 1 a live secret or a
random value under a secret's name (with --strict: any), 2 bad input (missing path, not a repository for
--history, bad baseline, an invalid gitleaks configuration).

A repository's `.gitleaks.toml` and `.gitleaksignore` are honoured (secrets/repo_setup.py).
"""

from __future__ import annotations

import argparse
import json
import sys

from . import term
from .catalog_rows import BY_ID
from .findings import Finding, Status, finding_of
from .redact import Redactor
from .secrets.baseline import BaselineError, load_baseline, without_accepted, write_baseline
from .secrets.describe import describe
from .git import GitError
from .secrets.history import scan_history
from .secrets.repo_setup import scanner_for
from .secrets.rules import RuleError
from .secrets.sources import Located, ScanResult, scan_paths
from .writers.findings_json import findings_document
from .writers.sarif import sarif_document

EXIT_CLEAN, EXIT_FOUND, EXIT_BAD_INPUT = 0, 1, 2


def to_findings(tree: list[Located], history: list[Located]) -> list[Finding]:
    out = []
    for source, locs in (("S1.secrets_in_repo", tree), ("S1.secrets_in_history", history)):
        check = BY_ID[source]
        for loc in locs:
            status, evidence, location, details = describe(loc, history=source.endswith("history"))
            out.append(finding_of(check, status, f"{loc.path}:{loc.match.line}", evidence, location=location,
                                  details=details))
    return out


def _history_progress():
    if not sys.stderr.isatty():
        return None
    return lambda done, total: print(f"\r  history: {done}/{total} blobs", end="", file=sys.stderr, flush=True)


def run_secrets_command(args: argparse.Namespace) -> int:
    missing = [str(p) for p in args.paths if not p.exists()]
    if missing:
        term.fatal(f"no such file or folder: {', '.join(missing)}")
        return EXIT_BAD_INPUT
    try:
        accepted = load_baseline(args.baseline) if args.baseline else set()
    except BaselineError as e:
        term.fatal(str(e))
        return EXIT_BAD_INPUT
    tree = ScanResult()
    history: list[Located] = []
    history_summary = honoured = ""
    for path in args.paths:
        try:        # each repository's own gitleaks setup (or --config for all)
            setup = scanner_for(path, args.config)
        except RuleError as e:
            term.fatal(str(e))
            return EXIT_BAD_INPUT
        honoured = honoured or setup.summary()
        before = len(tree.found)
        scan_paths([path], setup.scanner, tree)
        tree.found[before:] = setup.kept(tree.found[before:])
        if args.history:
            try:
                found = scan_history(path, setup.scanner, progress=_history_progress())
            except GitError as e:
                term.fatal(f"--history: {e}")
                return EXIT_BAD_INPUT
            history += setup.kept(found.found)
            history_summary = f"; history: {found.summary()} in {found.seconds:.1f}s"
    if args.write_baseline:
        write_baseline(args.write_baseline, tree.found + history)
        term.say(f"baseline written: {args.write_baseline} ({len({(x.match.rule_id, x.match.fingerprint) for x in tree.found + history})} secrets accepted)")
        return EXIT_CLEAN
    tree_new, history_new = without_accepted(tree.found, accepted), without_accepted(history, accepted)
    findings = to_findings(tree_new, history_new)
    redactor = Redactor()
    if args.format == "json":
        text = json.dumps(findings_document("secrets", "", findings, redactor), indent=2, ensure_ascii=False)
    elif args.format == "sarif":
        text = json.dumps(sarif_document(findings, redactor), indent=2, ensure_ascii=False)
    else:
        lines = [f"{f.status.value.upper():4}  {f.target}  {f.evidence}" for f in findings]
        accepted_n = len(tree.found) + len(history) - len(tree_new) - len(history_new)
        lines.append(f"{len(findings)} secret(s) found ({sum(f.status is Status.FAIL for f in findings)} live)"
                     + (f", {accepted_n} accepted by the baseline" if accepted_n else "")
                     + f"; scanned {tree.summary()}{history_summary}{honoured}")
        text = "\n".join(lines)
    if args.output:
        args.output.write_text(text + "\n", encoding="utf-8")
    else:
        print(redactor.text(text))
    failing = [f for f in findings if f.status is Status.FAIL or args.strict]
    return EXIT_FOUND if failing else EXIT_CLEAN

