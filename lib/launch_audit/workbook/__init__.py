"""The workbook: stage notebooks run by papermill, hand-offs, reports (nbconvert), batches.

Notebooks import from here: ``Stage`` for a stage notebook, ``Report`` and
``Handover`` for the report notebooks.
"""

from .handover_view import Handover
from .report_view import Report
from .stage_session import Stage

__all__ = ["Handover", "Report", "Stage"]
