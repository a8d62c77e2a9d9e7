"""The founder's post-deploy smoke test (``launch-audit smoke``): health, login, chat, webhook receipt and the
critical URLs, concurrently, through the audit's network layer; JUnit XML for CI."""

from .flows import FlowResult
from .junit import junit_xml, write_junit
from .run import SmokeRun, run_smoke

__all__ = ["FlowResult", "SmokeRun", "junit_xml", "run_smoke", "write_junit"]
