"""JUnit XML for CI (the schema GitHub Actions, GitLab and Jenkins read): one testcase per smoke flow."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from ..atomic import atomic_open
from ..redact import Redactor
from .run import SmokeRun


def junit_xml(run: SmokeRun, suite: str, redactor: Redactor) -> str:
    counts = {s: sum(r.status == s for r in run.results) for s in ("fail", "error", "skip")}
    root = ET.Element("testsuites", name="launch-audit smoke", tests=str(len(run.results)),
                      failures=str(counts["fail"]), errors=str(counts["error"]), time=f"{run.seconds:.3f}")
    ts = ET.SubElement(root, "testsuite", name=suite, tests=str(len(run.results)), failures=str(counts["fail"]),
                       errors=str(counts["error"]), skipped=str(counts["skip"]), time=f"{run.seconds:.3f}")
    for r in run.results:
        case = ET.SubElement(ts, "testcase", classname=f"smoke.{suite}", name=r.name, time=f"{r.ms / 1000:.3f}")
        message = redactor.text(r.message)
        if r.status == "fail":
            ET.SubElement(case, "failure", message=message[:500], type="SmokeFailure").text = message
        elif r.status == "error":
            ET.SubElement(case, "error", message=message[:500], type="LaunchAuditError").text = message
        elif r.status == "skip":
            ET.SubElement(case, "skipped", message=message[:500])
        if r.requests:
            ET.SubElement(case, "system-out").text = redactor.text("\n".join(r.requests))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def write_junit(run: SmokeRun, path: Path, suite: str, redactor: Redactor) -> Path:
    with atomic_open(path) as fh:
        fh.write(junit_xml(run, suite, redactor))
    return path
