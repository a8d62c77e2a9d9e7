"""The exported HTML embeds only the plotly.js its charts need (issue 20, item 3): the light bundle of the
trace types the reports draw, or the full one for a notebook that draws something else."""

from __future__ import annotations

import nbformat
import plotly.graph_objects as go
from launch_audit.workbook.export import DRAWN_TRACES, PLOTLY_BUNDLE, PLOTLY_MIME, export_html, undrawable_traces


def _notebook(*figures: go.Figure) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    for fig in figures:
        cell = nbformat.v4.new_code_cell("figure.show()")
        cell.outputs = [nbformat.v4.new_output("display_data", data={PLOTLY_MIME: fig.to_plotly_json()})]
        nb.cells.append(cell)
    return nb


def test_the_reports_charts_need_only_the_light_bundle(tmp_path):
    line, bars = go.Figure(go.Scatter(x=[1, 2], y=[3, 4])), go.Figure(go.Bar(x=[1], y=[2]))
    nb = _notebook(line, bars)
    assert undrawable_traces(nb) == set() and DRAWN_TRACES == {"scatter", "bar"}
    nbformat.write(nb, tmp_path / "r.ipynb")
    html = export_html(tmp_path / "r.ipynb", tmp_path / "r.html", "t").read_text(encoding="utf-8")
    assert "scatter and bar only" in html and len(html) < PLOTLY_BUNDLE.stat().st_size + 50_000


def test_a_chart_the_bundle_cannot_draw_gets_the_full_plotly_js(tmp_path):
    nb = _notebook(go.Figure(go.Pie(values=[1, 2])))
    assert undrawable_traces(nb) == {"pie"}
    nbformat.write(nb, tmp_path / "p.ipynb")
    html = export_html(tmp_path / "p.ipynb", tmp_path / "p.html", "t").read_text(encoding="utf-8")
    assert "scatter and bar only" not in html and len(html) > 4_000_000
