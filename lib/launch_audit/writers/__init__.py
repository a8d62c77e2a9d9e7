"""Writers of a run's findings. Every string goes through the run's redactor first."""

from .findings_csv import write_findings_csv
from .findings_json import load_findings, write_findings_json
from .sarif import sarif_document, write_sarif

__all__ = ["write_findings_json", "load_findings", "write_findings_csv", "write_sarif", "sarif_document"]
