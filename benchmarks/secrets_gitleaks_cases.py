"""The secret scanner on gitleaks' own per-rule test cases: recall and false positives per provider.

    python3 benchmarks/gitleaks_corpus.py GITLEAKS_GIT_DIR /tmp/glcorpus      # once
    python3 benchmarks/secrets_gitleaks_cases.py /tmp/glcorpus [--misses N] [--markdown]

Each case is its own file, scanned alone (no case can mask another), through the same scanner the
`secrets` command uses, with its shipped rules, and again with gitleaks' rules alone (what gitleaks'
own rule set flags, read by our engine, where no gitleaks binary can be run). A true positive counts as found when any rule flags
the file with a live, test or publishable secret (gitleaks counts any of its rules the same way); a
false-positive case counts when anything at all is flagged. Prints one row per provider (a rule
id's first word) and the totals; `--misses N` lists N missed cases and N flagged false positives.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from pathlib import Path

from launch_audit.secrets import Scanner
from launch_audit.secrets.gitleaks_config import shipped_config

# gitleaks' figures on the same kind of corpus (issue 18: 374 false-positive cases, 31 flagged by gitleaks)
GITLEAKS_FP = (31, 374)


def provider(rule_id: str) -> str:
    return rule_id.split("-", 1)[0]


def _cases(folder: Path):
    """(file, rule id, the path it is scanned as): `<rule>/<n>.txt`, or `<rule>/<n>/<path>` for a case
    gitleaks tests under a file path."""
    for rule_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
        for path in sorted(rule_dir.rglob("*")):
            if path.is_file():
                rel = path.relative_to(rule_dir)
                yield path, rule_dir.name, ("" if len(rel.parts) == 1 else str(rel.relative_to(rel.parts[0])))


def scanner_for(which: str) -> Scanner:
    """All shipped rules, or only the provider rules (gitleaks' own rule set, read by our engine: what
    gitleaks' rules flag on the same files, where no gitleaks binary can be run)."""
    if which == "all":
        return Scanner()
    config = shipped_config()
    return Scanner(config.rules, config.allowlists)


def tally(corpus: Path, scanner: Scanner):
    """Per provider: [tp found, tp, fp flagged, fp]; the missed and flagged cases; bytes and seconds."""
    rows: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    missed, flagged = [], []
    started = time.perf_counter()
    size = 0
    for kind in ("tp", "fp"):
        for path, rule_id, name in _cases(corpus / kind):
            data = path.read_bytes()
            size += len(data)
            hits = scanner.scan(data, path=name)
            row = rows[provider(rule_id)]
            if kind == "tp":
                row[1] += 1
                row[0] += bool(hits)
                if not hits:
                    missed.append(path)
            else:
                row[3] += 1
                row[2] += bool(hits)
                if hits:
                    flagged.append((path, hits))
    return rows, missed, flagged, size, time.perf_counter() - started


def run(corpus: Path, misses: int, markdown: bool) -> None:
    ours, missed, flagged, size, took = tally(corpus, scanner_for("all"))
    theirs, *_ = tally(corpus, scanner_for("provider"))
    if markdown:
        print("| provider | true positives found: ours | gitleaks' rules | false-positive cases flagged: ours "
              "| gitleaks' rules |")
        print("|---|---:|---:|---:|---:|")
        for name in sorted(ours):
            (f, t, h, n), (gf, _, gh, _) = ours[name], theirs[name]
            print(f"| {name} | {f}/{t} | {gf}/{t} | {h}/{n} | {gh}/{n} |")
    else:
        print(f"{'provider':24} {'ours tp':>10} {'rules tp':>10} {'ours fp':>8} {'rules fp':>8}")
        for name in sorted(ours):
            (f, t, h, n), (gf, _, gh, _) = ours[name], theirs[name]
            print(f"{name:24} {f:>4}/{t:<5} {gf:>4}/{t:<5} {h:>3}/{n:<4} {gh:>3}/{n:<4}")
    for label, rows in (("ours (all shipped rules)", ours), ("gitleaks' rules alone, our engine", theirs)):
        found, tps, fp_hit, fps = (sum(r[i] for r in rows.values()) for i in range(4))
        print(f"{label}: recall {found}/{tps} = {found / max(tps, 1):.1%}; false-positive cases flagged "
              f"{fp_hit}/{fps}")
    print(f"gitleaks itself (issue 18): {GITLEAKS_FP[0]}/{GITLEAKS_FP[1]} false-positive cases flagged; "
          f"{size / 1e6:.1f} MB of cases scanned in {took:.2f} s")
    for path in missed[:misses]:
        print(f"MISSED {path.relative_to(corpus)}: {path.read_text()[:160]!r}")
    for path, hits in flagged[:misses]:
        print(f"FLAGGED {path.relative_to(corpus)} as {hits[0].rule_id}: {path.read_text()[:160]!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--misses", type=int, default=0)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    run(args.corpus, args.misses, args.markdown)


if __name__ == "__main__":
    main()
