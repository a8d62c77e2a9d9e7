"""The demo's findings before and after a change: same ids, statuses and targets (the proof a refactor asks
for). Runs `launch-audit demo` at a git revision (in a worktree, its own code) and in this checkout, each
``--runs`` times, one after the other, and compares the findings as (check id, status, target).

    python3 tests/tools/demo_findings_diff.py BASE_REV [--after REV] [--runs 2]
    python3 tests/tools/demo_findings_diff.py --files A.json B.json

What the demo varies by design is normalised or explained, never hidden:
  - commit ids of the demo repository (it is made afresh each run) and the random name of the soft-404 probe;
  - stage 5 probes lost to the outage the demo's own backtracking trap causes: a probe present in one run and
    missing in the other is explained only when the run that misses it says, in that check's
    "probes not judged" finding or in a skip that names the outage, that probes fell into it.
Exit 0 when every difference is explained, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
Key = tuple[str, str, str]


def normalised(target: str) -> str:
    target = re.sub(r" @ [0-9a-f]{12}\b", " @ <commit>", target)
    return re.sub(r"launch-audit-[0-9a-f]{6,}", "launch-audit-<random>", target)


def keys(findings: list[dict]) -> Counter[Key]:
    return Counter((f["check_id"], f["status"], normalised(f["target"])) for f in findings)


def lost_to_outage(findings: list[dict]) -> set[str]:
    """Checks whose run says probes fell into the outage our own probe caused."""
    return {f["check_id"] for f in findings
            if "not judged" in f["evidence"] or "fell into that outage" in f["evidence"]}


def compare(a: list[dict], b: list[dict]) -> tuple[int, list[str], list[str]]:
    """(keys in both, differences explained by the demo's outage, differences not explained)."""
    ka, kb = keys(a), keys(b)
    lost_a, lost_b = lost_to_outage(a), lost_to_outage(b)
    explained, unexplained = [], []
    for side, only, missing_in in (("only before", ka - kb, lost_b), ("only after", kb - ka, lost_a)):
        for (check, status, target), n in sorted(only.items()):
            line = f"{side}: {check} {status} {target}" + (f" ×{n}" if n > 1 else "")
            stage5 = check.startswith("S5.")
            outage = "not judged" in target or "outage" in target or status == "skip"
            (explained if stage5 and (check in missing_in or outage) else unexplained).append(line)
    return sum((ka & kb).values()), explained, unexplained


def run_demo(code: Path, workdir: Path) -> list[dict]:
    env = {**os.environ, "PYTHONPATH": str(code / "lib")}
    out = workdir / "outputs"
    done = subprocess.run([sys.executable, "-m", "launch_audit", "demo", "--out", str(out)], cwd=code, env=env,
                          capture_output=True, text=True, timeout=1200)
    if done.returncode not in (0, 1):
        sys.exit(f"launch-audit demo in {code} exited {done.returncode}:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    latest = sorted((out / "demo-shop").glob("20*"))[-1]
    return json.loads((latest / "findings.json").read_text())["findings"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("base", nargs="?", help="the revision before the change")
    ap.add_argument("--after", help="the revision after the change (default: this checkout as it is)")
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--files", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    args = ap.parse_args()
    if args.files:
        before = [json.loads(args.files[0].read_text())["findings"]]
        after = [json.loads(args.files[1].read_text())["findings"]]
    elif args.base:
        with tempfile.TemporaryDirectory(prefix="findings-diff-") as tmp:
            trees = {}
            for side, rev in (("before", args.base), ("after", args.after)):
                if rev:
                    trees[side] = Path(tmp) / side
                    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach", str(trees[side]),
                                    rev], check=True)
            try:
                before, after = [], []
                for i in range(args.runs):          # alternated, so drift on the machine hits both sides
                    before.append(run_demo(trees["before"], Path(tmp) / f"before-{i}"))
                    after.append(run_demo(trees.get("after", ROOT), Path(tmp) / f"after-{i}"))
            finally:
                for tree in trees.values():
                    subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False)
    else:
        ap.error("give BASE_REV or --files BEFORE AFTER")
    worst = 0
    pairs = [(f"before {i + 1}", b, f"after {j + 1}", a) for i, b in enumerate(before) for j, a in enumerate(after)]
    pairs += [(f"before {i + 1}", before[i], f"before {i + 2}", before[i + 1]) for i in range(len(before) - 1)]
    for name_a, a, name_b, b in pairs:
        same, explained, unexplained = compare(a, b)
        print(f"{name_a} ({len(a)} findings) vs {name_b} ({len(b)}): {same} the same, {len(explained)} explained "
              f"by the demo's outage, {len(unexplained)} not explained")
        for line in unexplained:
            print("  NOT EXPLAINED " + line)
        for line in explained:
            print("  outage        " + line)
        worst = max(worst, len(unexplained))
    return 1 if worst else 0


if __name__ == "__main__":
    sys.exit(main())
