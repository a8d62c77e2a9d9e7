"""nbconvert: an executed notebook → one self-contained HTML file (code hidden, plotly.js once, no CDN)."""

from __future__ import annotations

import itertools
import json
import secrets
from functools import lru_cache
from pathlib import Path

import nbformat

from .. import __version__
from ..atomic import write_atomic

TEMPLATES = Path(__file__).parent / "templates"
PLOTLY_MIME = "application/vnd.plotly.v1+json"


# plotly.js with only the trace types the reports draw (scatter and bar): 1.1 MB instead of 4.8, so the
# report stays light enough to mail; plotly/build.sh rebuilds it for another plotly.js version
PLOTLY_BUNDLE = Path(__file__).parent / "plotly" / "plotly-report.min.js"
DRAWN_TRACES = {"scatter", "bar"}


@lru_cache(maxsize=1)
def light_plotly_js() -> str:
    return PLOTLY_BUNDLE.read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _full_plotly_js() -> str:
    import plotly
    return (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_text(encoding="utf-8")


def undrawable_traces(nb: nbformat.NotebookNode) -> set[str]:
    """Trace types in the notebook's charts that the light bundle cannot draw (a chart someone added to a
    report notebook): such a file gets the full plotly.js, heavier but drawn."""
    return {str(trace.get("type", "scatter")) for cell in nb.cells if cell.cell_type == "code"
            for out in cell.get("outputs", []) for trace in out.get("data", {}).get(PLOTLY_MIME, {}).get("data", [])
            } - DRAWN_TRACES


def script_json(value: object) -> str:
    """JSON that is safe inside <script type="application/json">: no '<', '>' or '&' to close the tag."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


@lru_cache(maxsize=1)
def _exporter():
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    config = Config()
    config.TemplateExporter.exclude_input = True
    config.TemplateExporter.exclude_input_prompt = True
    config.TemplateExporter.exclude_output_prompt = True
    config.NbConvertBase.display_data_priority = [PLOTLY_MIME, "text/html", "image/svg+xml", "image/png",
                                                  "text/markdown", "text/plain"]
    exporter = HTMLExporter(config=config, template_name="launch_audit", extra_template_basedirs=[str(TEMPLATES)])
    exporter.register_filter("script_json", script_json)
    counter = itertools.count(1)
    exporter.register_filter("la_uid", lambda _output: str(next(counter)))   # unique chart ids per file
    return exporter


def warm_exporter() -> None:
    """Import nbconvert and build the exporter ahead of time (the run is waiting on the network anyway).
    A failure here is left to the export itself, which reports it for the run."""
    try:
        _exporter()
        light_plotly_js()
    except Exception:  # noqa: BLE001 - a background warm-up must never print a traceback mid-run
        pass


def _uses_plotly(nb: nbformat.NotebookNode) -> bool:
    return any(PLOTLY_MIME in out.get("data", {}) for cell in nb.cells if cell.cell_type == "code"
               for out in cell.get("outputs", []))


def export_html(notebook: Path, target: Path, title: str) -> Path:
    """Render ``notebook`` to ``target`` atomically."""
    nb = nbformat.read(notebook, as_version=4)
    resources = {
        "la_title": title, "la_version": __version__, "la_nonce": secrets.token_urlsafe(18),
        "la_css": (TEMPLATES / "launch_audit" / "report.css").read_text(encoding="utf-8"),
        "la_plotly_js": ("" if not _uses_plotly(nb)
                         else _full_plotly_js() if undrawable_traces(nb) else light_plotly_js()),
    }
    body, _ = _exporter().from_notebook_node(nb, resources=resources)
    return write_atomic(target, body)
