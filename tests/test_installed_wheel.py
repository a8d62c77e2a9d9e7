"""Installed like a tool: a wheel built from the checkout (through its sdist, as a release is built), installed
in a fresh venv, used from folders that are not the checkout."""

from __future__ import annotations

import email
import json
import os
import site
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def _checkout_files() -> list[str]:
    """What a clean clone of this checkout holds: tracked files and new ones git does not ignore."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout
    return sorted({f for f in listed.split("\0") if f and (ROOT / f).is_file()})


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> dict[str, str]:
    """A fresh venv with only the wheel installed in it, its dependencies borrowed from the environment running
    the tests (they have no registry to install them from); the environment to run its `launch-audit` in."""
    base = tmp_path_factory.mktemp("wheel")
    src = base / "src"
    for name in _checkout_files():          # a copy: the build must not rely on files outside the sdist
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (src / name).write_bytes((ROOT / name).read_bytes())
    subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(base / "dist"), str(src)],
                   check=True, capture_output=True, text=True, timeout=300)
    wheel = next((base / "dist").glob("launch_audit-*.whl"))
    env_dir = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(env_dir)], check=True, timeout=120)
    # the dependencies come from this interpreter's environment (a venv or not), after the venv's own packages
    purelib = subprocess.run([str(env_dir / "bin" / "python"), "-c",
                              "import sysconfig; print(sysconfig.get_path('purelib'))"],
                             capture_output=True, text=True, check=True).stdout.strip()
    borrowed = [p for p in site.getsitepackages() + [site.getusersitepackages()] if Path(p).is_dir()]
    (Path(purelib) / "zz_borrowed_dependencies.pth").write_text(
        "import site; " + "; ".join(f"site.addsitedir({p!r})" for p in borrowed) + "\n")
    subprocess.run([str(env_dir / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-deps",
                    "--disable-pip-version-check", str(wheel)], check=True, timeout=300)
    env = {**os.environ, "PATH": f"{env_dir / 'bin'}{os.pathsep}{os.environ['PATH']}",
           "XDG_CACHE_HOME": str(base / "cache"),
           # nbconvert's own templates are data files of the interpreter whose packages the venv borrows; a venv
           # with its dependencies installed in it has them in its own share/jupyter
           "JUPYTER_PATH": str(Path(sys.prefix) / "share" / "jupyter")}
    env.pop("PYTHONPATH", None)
    where = subprocess.run([str(env_dir / "bin" / "python"), "-c", "import launch_audit; print(launch_audit.__file__)"],
                           cwd=base, env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert where.startswith(str(env_dir)), where        # the wheel, not the checkout's editable install
    return env


def _run(args: list[str], cwd: Path, env: dict[str, str], timeout: float = 240) -> subprocess.CompletedProcess:
    return subprocess.run(["launch-audit", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def _run_folder(proc: subprocess.CompletedProcess) -> Path:
    line = next(x for x in proc.stdout.splitlines() if x.startswith("Run folder:"))
    return Path(line.split(":", 1)[1].strip())


def test_demo_from_an_empty_folder(venv, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    proc = _run(["demo"], empty, venv)
    assert proc.returncode == 0, proc.stderr[-3000:]
    run_dir = _run_folder(proc)
    assert run_dir.parent == empty / "outputs" / "demo-shop"
    assert (run_dir / "report.html").stat().st_size > 100_000
    run = json.loads((run_dir / "run.json").read_text())
    assert "/site-packages/launch_audit/workspace/shipped/notebooks" in run["pipeline"]["notebooks"]
    assert not run["report_errors"]
    assert len(json.loads((run_dir / "findings.json").read_text())["findings"]) > 100
    # the demo's runtime files (its CA, planted secrets) went to the user's cache, not the folder it ran in
    assert sorted(p.name for p in empty.iterdir()) == ["outputs"]
    assert (Path(venv["XDG_CACHE_HOME"]) / "launch-audit" / "demo" / "credentials.env").is_file()
    # the founder email from the installed tool: inline chart, light
    mail = _run(["email", str(run_dir), "--to", "owner@brightbrew.test", "--dry-run"], empty, venv, timeout=120)
    assert mail.returncode == 0, mail.stderr[-2000:]
    eml = (run_dir / "email.eml").read_bytes()
    assert len(eml) <= 2_500_000
    parts = [p.get_content_type() for p in email.message_from_bytes(eml).walk()]
    assert "image/png" in parts


def test_init_a_workspace_and_run_it_against_the_served_demo(venv, tmp_path):
    init = _run(["init", "ws"], tmp_path, venv, timeout=60)
    assert init.returncode == 0, init.stderr
    ws = tmp_path / "ws"
    serve = subprocess.Popen(["launch-audit", "demo", "--serve"], cwd=ws, env=venv, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
    try:
        said = ""
        deadline = time.monotonic() + 60
        while "Press Ctrl-C" not in said and time.monotonic() < deadline and serve.poll() is None:
            said += serve.stdout.readline()
        assert "Press Ctrl-C" in said, said
        assert f"launch-audit run {ws / 'client_profiles' / 'demo.yaml'}" in said
        proc = _run(["run", "client_profiles/demo.yaml"], ws, venv)
    finally:
        serve.terminate()
        serve.wait(timeout=30)
    assert proc.returncode == 0, proc.stderr[-3000:]
    run_dir = _run_folder(proc)
    assert run_dir.parent == ws / "outputs" / "demo-shop"
    assert json.loads((run_dir / "run.json").read_text())["pipeline"]["notebooks"] == str(ws / "notebooks")
    assert (run_dir / "report.html").is_file() and (run_dir / "handover.html").is_file()
    assert (ws / ".demo" / "ca.pem").is_file()          # the served shop kept its files in the workspace
    # the other commands from inside the workspace
    assert _run(["validate", "client_profiles/demo.yaml"], ws, venv, timeout=60).returncode == 0
    assert _run(["report", str(run_dir)], ws, venv, timeout=120).returncode == 0
    schema = _run(["schema"], ws, venv, timeout=60)
    assert json.loads(schema.stdout) == json.loads((ws / "client_profiles" / "profile.schema.json").read_text())
