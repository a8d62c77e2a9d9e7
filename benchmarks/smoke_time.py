"""`launch-audit smoke` end to end (a new process each time, as CI runs it) against the hardened demo twin
(127.0.38.x) and the demo (127.0.37.x): exit code, failing flows, wall time. Medians.

    python3 benchmarks/smoke_time.py [repeats]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from launch_audit.demo import DemoShop, Layout  # noqa: E402


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    for name, prefix, hardened in (("hardened twin", "127.0.38", True), ("demo", "127.0.37", False)):
        with tempfile.TemporaryDirectory() as tmp, \
                DemoShop(Path(tmp), Layout(prefix=prefix), hardened=hardened) as shop:
            profile = shop.write_profile()
            times, codes, failing = [], set(), set()
            for _ in range(repeats):
                start = time.monotonic()
                done = subprocess.run([sys.executable, "-m", "launch_audit.cli", "smoke", str(profile)],
                                      capture_output=True, text=True)
                times.append(time.monotonic() - start)
                codes.add(done.returncode)
                failing |= {line.split()[1] + " " + line.split()[2] for line in done.stdout.splitlines()
                            if line.startswith("FAIL")}
            print(f"{name}: exit {sorted(codes)}, {len(done.stdout.splitlines())} flows, failing: "
                  f"{', '.join(sorted(failing)) or 'none'}; wall time median {statistics.median(times):.2f} s "
                  f"(min {min(times):.2f}, max {max(times):.2f}) over {repeats}, process start included")


if __name__ == "__main__":
    main()
