"""``launch-audit watch``: the founder's uptime watch. Rounds of stage 6's sampler from one or more vantage
points, kept in SQLite (WAL), judged by majority, alerting by email and Slack-compatible webhooks."""

from .alerts import routes_of
from .loop import DaskVantages, LocalVantage, WatchRun, run_watch
from .report import write_report
from .store import WatchStore

__all__ = ["DaskVantages", "LocalVantage", "WatchRun", "WatchStore", "routes_of", "run_watch", "write_report"]
