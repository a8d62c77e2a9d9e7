"""gitleaks interop: a founder's .gitleaks.toml (rules, allowlists, [extend]), `--config FILE`, and
.gitleaksignore fingerprints, honoured by `launch-audit secrets` and the stage 1 checks alike."""

from __future__ import annotations

import random
import string
import subprocess
from pathlib import Path

import pytest
from launch_audit.cli import main
from launch_audit.redact import fingerprint
from launch_audit.secrets.gitleaks_config import load_config, parse_config, shipped_config
from launch_audit.secrets.repo_setup import scanner_for
from launch_audit.secrets.rules import RuleError
from launch_audit.secrets.sources import scan_paths

_rng = random.Random(21)


def r(n: int, alphabet: str = string.ascii_lowercase + string.digits) -> str:
    return "".join(_rng.choice(alphabet) for _ in range(n))


CUSTOM = '''
title = "shop rules"
[extend]
useDefault = true
disabledRules = ["generic-api-key"]

[[rules]]
id = "shop-internal-token"
description = "the shop's own service token"
regex = \'\'\'\\b(shopint_([a-z0-9]{24}))\\b\'\'\'
secretGroup = 2
keywords = ["shopint_"]

[[rules.allowlists]]
regexTarget = "line"
regexes = [\'\'\'# rotated\'\'\']

[[allowlists]]
description = "fixtures are fake"
paths = [\'\'\'(?:^|/)fixtures/\'\'\']
'''


def _repo(tmp_path: Path, files: dict[str, str], config: str | None = CUSTOM) -> Path:
    repo = tmp_path / "shop"
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    if config is not None:
        (repo / ".gitleaks.toml").write_text(config)
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "one"], check=True)
    return repo


def test_the_repositorys_rules_allowlists_and_extend_are_honoured(tmp_path, capsys):
    token = "shop" + "int_" + r(24)
    repo = _repo(tmp_path, {"src/client.py": f'TOKEN = "{token}"\n',
                            "src/old.py": f'TOKEN = "{"shop" + "int_" + r(24)}"  # rotated\n',
                            "fixtures/sample.py": f'TOKEN = "{"shop" + "int_" + r(24)}"\n'})
    setup = scanner_for(repo)
    found = setup.kept(scan_paths([repo], setup.scanner).found)
    assert [(f.path, f.match.rule_id) for f in found] == [("src/client.py", "shop-internal-token")]
    assert found[0].match.fingerprint == fingerprint(token[len("shopint_"):])      # secretGroup 2: the part after
    assert "generic-api-key" not in {r.id for r in setup.scanner.rules}          # disabledRules
    assert len(setup.scanner.rules) > 250                                         # never fewer than ours
    assert main(["secrets", str(repo), "--history"]) == 1
    out = capsys.readouterr().out
    assert "shop-internal-token" in out and "honoured .gitleaks.toml (1 rule(s), 1 allowlist(s), 1 disabled" in out


def test_gitleaksignore_fingerprints_skip_a_finding_in_tree_and_history(tmp_path, capsys):
    repo = _repo(tmp_path, {"deploy.sh": f'export NPM_TOKEN={"np" + "m_" + r(36)}\n'}, config=None)
    assert main(["secrets", str(repo), "--history"]) == 1
    commit = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    (repo / ".gitleaksignore").write_text(f"# reviewed\ndeploy.sh:npm-access-token:1\n{commit}:deploy.sh:npm-access-token:1\n")
    capsys.readouterr()
    assert main(["secrets", str(repo), "--history"]) == 0
    assert ".gitleaksignore (2 fingerprint(s))" in capsys.readouterr().out


def test_config_flag_names_a_file_outside_the_repository(tmp_path):
    repo = _repo(tmp_path, {"a.py": f'x = "{"shop" + "int_" + r(24)}"\n'}, config=None)
    assert main(["secrets", str(repo)]) == 0
    (tmp_path / "rules.toml").write_text(CUSTOM)
    assert main(["secrets", str(repo), "--config", str(tmp_path / "rules.toml")]) == 1


@pytest.mark.parametrize("text,why", [
    ("[[rules]]\nid = 'x'\nregex = '''(?<=a)b'''\n", "does not compile in RE2"),
    ("[[rules]\n", "not TOML"),
    ("[[rules]]\nid = 'x'\nregex = '''(a)'''\nsecretGroup = 3\n", "secretGroup 3"),
    ("[[rules]]\nid = 'x'\n", "needs a regex"),
    ("[[rules]]\nid = 'x'\nregex = 'a'\n[[rules.allowlists]]\nregexTarget = 'file'\nregexes = ['a']\n", "regexTarget"),
])
def test_a_bad_configuration_is_a_clear_error_with_exit_2(text, why, tmp_path, capsys):
    (tmp_path / ".gitleaks.toml").write_text(text)
    assert main(["secrets", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert why in err and ".gitleaks.toml" in err and "Traceback" not in err


def test_the_shipped_rule_set_reads_as_gitleaks_configuration():
    config = shipped_config()
    assert len(config.rules) >= 220 and config.allowlists
    ids = {r.id for r in config.rules}
    assert {"npm-access-token", "pypi-upload-token", "generic-api-key", "telegram-bot-api-token"} <= ids
    assert all(r.regex is not None or r.path is not None for r in config.rules)
    # compiled on first use in a scan: every one must compile in RE2 here
    assert all(r.regex.groups >= 0 for r in config.rules if r.regex is not None)
    assert all(a._regex is None or a._regex.groups >= 0 for r in config.rules for a in r.allow + config.allowlists)


def test_an_allowlist_with_and_needs_every_part(tmp_path):
    doc = {"rules": [{"id": "t", "regex": r"\b(tok_[a-z0-9]{20})\b", "keywords": ["tok_"],
                      "allowlists": [{"condition": "AND", "paths": [r"tests/"], "regexTarget": "line",
                                      "regexes": ["fake"]}]}]}
    config = parse_config(doc, "inline")
    from launch_audit.secrets import Scanner

    scanner = Scanner(config.rules)
    value = "tok_" + r(20)
    assert scanner.scan(f"x = '{value}'  # fake\n".encode(), path="tests/a.py") == []
    assert scanner.scan(f"x = '{value}'  # fake\n".encode(), path="src/a.py") != []
    assert scanner.scan(f"x = '{value}'\n".encode(), path="tests/a.py") != []


async def test_the_stage_checks_honour_the_repositorys_setup(tmp_path, demo_profile):
    from launch_audit.checks import catalog
    from launch_audit.checks.runner import run_checks
    from launch_audit.findings import Status

    repo = _repo(tmp_path, {"fixtures/a.py": f'TOKEN = "{"shop" + "int_" + r(24)}"\n',
                            "src/b.py": f'TOKEN = "{"shop" + "int_" + r(24)}"\n'})
    profile = demo_profile.model_copy(update={"repo": demo_profile.repo.model_copy(
        update={"path": str(repo), "ci_logs": []})})
    found = await run_checks(profile, [catalog.get("S1.secrets_in_repo"), catalog.get("S1.secrets_in_history")])
    assert sorted((f.check_id, f.status, f.target.split(" ")[0].split(":")[0]) for f in found) == [
        ("S1.secrets_in_history", Status.FAIL, "src/b.py"), ("S1.secrets_in_repo", Status.FAIL, "src/b.py")]
    assert all(f.details["rule"] == "shop-internal-token" for f in found)


def test_load_config_reads_a_file(tmp_path):
    (tmp_path / "g.toml").write_text(CUSTOM)
    config = load_config(tmp_path / "g.toml")
    assert [r.id for r in config.rules] == ["shop-internal-token"] and config.use_default
    with pytest.raises(RuleError, match="cannot be read"):
        load_config(tmp_path / "missing.toml")


def test_a_baseline_entry_under_a_retired_rule_id_still_accepts_its_secret(tmp_path):
    import json

    token = "xo" + "xb-" + "".join(_rng.choice(string.digits) for _ in range(12)) + "-" + \
        "".join(_rng.choice(string.digits) for _ in range(12)) + "-" + r(24, string.ascii_letters)
    repo = _repo(tmp_path, {"bot.py": f'SLACK = "{token}"\n'}, config=None)
    assert main(["secrets", str(repo)]) == 1
    (tmp_path / "b.json").write_text(json.dumps({"version": 1, "accepted": [
        {"rule": "slack-token", "fingerprint": fingerprint(token)}]}))
    assert main(["secrets", str(repo), "--baseline", str(tmp_path / "b.json")]) == 0
