"""The house's layers (README, "Layout"): every module imports only its own area or the layers below it, so
there is no import cycle between areas, and `launch-audit secrets` loads no check."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "lib" / "launch_audit"

# lowest first; an area may import its own modules and any area of a lower layer
LAYERS = [
    {"(root)", "redact", "workspace", "atomic", "personal_data", "git"},
    {"findings"},
    {"catalog_rows", "profile"},
    {"profile_loader", "net"},
    {"mailauth", "monitoring", "secrets", "redteam", "writers", "reaudit", "term"},
    {"checks"},
    {"run_record", "run_folder", "smoke", "kit"},
    {"workbook"},
    {"mailer", "cli_secrets"},
    {"watch"},
    {"cli", "__main__", "demo"},
]
LEVEL = {area: i for i, layer in enumerate(LAYERS) for area in layer}


def _area(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "(root)"


def _imports(path: Path) -> set[str]:
    """Every launch_audit module ``path`` imports, at the top or inside a function."""
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    module = ".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)
    package = module if rel.name == "__init__" else module.rsplit(".", 1)[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("launch_audit"):
                out.add(target)
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("launch_audit")}
    return out


def _edges() -> list[tuple[str, str, str]]:
    """(module file, its area, imported area) for every import that crosses areas."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        area = _area(".".join(rel.parts)) if rel.name != "__init__" or len(rel.parts) > 2 else "(root)"
        for target in _imports(path):
            if _area(target) != area:
                found.append((str(path.relative_to(PACKAGE)), area, _area(target)))
    return found


def test_every_area_has_a_layer():
    areas = {a for _, a, b in _edges() for a in (a, b)}
    assert areas <= set(LEVEL), sorted(areas - set(LEVEL))


def upward(edges: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    return [(f, a, b) for f, a, b in edges if LEVEL[b] > LEVEL[a]]


def test_no_module_imports_a_layer_above_its_own():
    assert upward(_edges()) == []


def test_areas_of_one_layer_do_not_import_each_other_both_ways():
    pairs = {(a, b) for _, a, b in _edges()}
    assert not [(a, b) for a, b in pairs if (b, a) in pairs], "import cycle between areas"


@pytest.mark.parametrize("edge, reported", [
    (("secrets/command.py", "secrets", "checks"), True),       # the secrets command loading the catalog
    (("redteam/driver.py", "redteam", "checks"), True),
    (("writers/sarif.py", "writers", "catalog_rows"), False),
    (("checks/redteam.py", "checks", "redteam"), False),
])
def test_the_rule_reports_an_import_from_below(edge, reported):
    assert bool(upward([edge])) is reported


def test_the_secrets_command_loads_no_check(tmp_path):
    (tmp_path / "app.py").write_text("API_URL = 'https://example.test'\n")
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "launch_audit", "secrets", str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    loaded = [line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if "|" in line]
    assert "launch_audit.secrets.scanner" in loaded
    assert not [m for m in loaded if m.startswith(("launch_audit.checks", "httpx", "dkim"))]
