"""The one network layer: resolver, HTTP, TLS, scope guard, pacing and budgets."""

from .errors import *  # noqa: F401,F403
from .http import HttpResponse, RedirectChain
from .layer import CheckNet, Network

__all__ = ["Network", "CheckNet", "HttpResponse", "RedirectChain"]
