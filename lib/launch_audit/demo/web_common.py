"""What every demo web server shares: request counting, headers, error pages."""

from __future__ import annotations

import time
import traceback

from aiohttp import web

from .state import ShopState

HARDENED_HEADERS = {
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "CF-Ray": "8e6f1c2d3a4b5c6d-AMS",      # the hardened shop sits behind Cloudflare's proxy
    "Server": "cloudflare",                 # what the proxy says instead of the origin's stack and version
}
# what an unhardened stack tells the world about itself
BANNERS = {"Server": "nginx/1.18.0 (Ubuntu)", "X-Powered-By": "Express 4.17.1"}


def host_of(request: web.Request) -> str:
    return (request.host or "").split(":")[0].lower()


def make_middleware(state: ShopState, *, tls: bool):
    @web.middleware
    async def middleware(request: web.Request, handler):
        state.hits[host_of(request)] += 1
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            state.state_changing[f"{request.method} {request.path}"] += 1
        state.request_log.append((time.monotonic(), host_of(request), request.headers.get("User-Agent", "")))
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            _add_headers(exc, state, tls)
            raise
        except Exception as exc:  # noqa: BLE001 - the demo shows what a debug build leaks
            if state.hardened:
                response = web.json_response({"error": "internal error"}, status=500)
            else:
                response = web.Response(status=500, content_type="text/plain", text=(
                    "Traceback (most recent call last):\n" + "".join(traceback.format_tb(exc.__traceback__))
                    + f"{type(exc).__name__}: {exc}\n  in /srv/brightbrew/app/api.py (DEBUG=True)\n"))
        _add_headers(response, state, tls)
        return response

    return middleware


def _add_headers(response: web.StreamResponse, state: ShopState, tls: bool) -> None:
    if state.hardened:
        headers = dict(HARDENED_HEADERS) if tls else {k: v for k, v in HARDENED_HEADERS.items()
                                                      if k != "Strict-Transport-Security"}
    else:
        headers = dict(BANNERS)
    for k, v in headers.items():
        response.headers.setdefault(k, v)
