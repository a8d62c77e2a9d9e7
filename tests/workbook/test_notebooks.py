"""The committed notebooks are thin: one parameters cell, library calls and display, no outputs."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest
from launch_audit.checks import catalog
from launch_audit.workbook.stages import (
    HANDOVER_NOTEBOOK,
    NOTEBOOKS,
    REPORT_NOTEBOOK,
    SECTIONS,
)
from launch_audit.workspace import shipped_root

ALL = [*NOTEBOOKS.values(), REPORT_NOTEBOOK, HANDOVER_NOTEBOOK]


def notebooks_dir():
    return shipped_root() / "notebooks"


def test_an_editable_install_ships_the_checkouts_notebooks():
    assert notebooks_dir() == Path(__file__).resolve().parents[2] / "notebooks"
    assert sorted(p.name for p in notebooks_dir().glob("*.ipynb")) == sorted(ALL)


@pytest.mark.parametrize("name", ALL)
def test_notebook_is_thin_and_clean(name):
    nb = nbformat.read(notebooks_dir() / name, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged parameters"
    assert "run_dir" in tagged[0].source
    for cell in code:
        assert cell.outputs == [] and cell.execution_count is None, "committed without outputs"
        tree = ast.parse(cell.source)
        defs = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda))]
        assert not defs, f"logic belongs in lib/: {cell.source[:60]!r}"
        imports = [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
        for node in imports:
            module = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
            assert module.split(".")[0] in {"launch_audit", "plotly"}, f"unexpected import {module}"
    assert any("launch_audit.workbook" in c.source for c in code)
    if any("show()" in c.source for c in code):
        assert any('pio.renderers.default = "plotly_mimetype"' in c.source for c in code)


@pytest.mark.parametrize("stage", sorted(NOTEBOOKS))
def test_stage_notebook_shows_every_section(stage):
    nb = nbformat.read(notebooks_dir() / NOTEBOOKS[stage], as_version=4)
    source = "\n".join(c.source for c in nb.cells)
    assert re.search(rf"Stage\({stage}, profile, run_dir[,)]", source) and "stage.finish()" in source
    for section in SECTIONS[stage]:
        assert f"stage.section({section!r})" in source


def test_every_check_is_in_exactly_one_section_of_its_stage():
    placed = [(stage, cid) for stage, sections in SECTIONS.items() for ids in sections.values() for cid in ids]
    assert sorted(cid for _, cid in placed) == sorted(catalog.CATALOG)
    assert all(catalog.get(cid).stage == stage for stage, cid in placed)
