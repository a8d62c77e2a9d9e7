"""The shop's web hosts: apex, www (the storefront), app, staging, and the http:// redirector."""

from __future__ import annotations

import json

from aiohttp import web

from .fakes import stripe_publishable
from .layout import DOMAIN
from .state import ShopState
from .web_common import host_of, make_middleware

WWW = f"www.{DOMAIN}"


def _page(title: str, body: str, *, head: str = "") -> str:
    return (f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{title}</title>{head}</head>"
            f"<body><header><a href='/'>BrightBrew</a> · <a href='/login'>Log in</a> · "
            f"<a href='/checkout'>Basket</a></header><main>{body}</main></body></html>")


def storefront(state: ShopState) -> web.Application:
    hardened = state.hardened
    js_secret = state.secrets.stripe_live if not hardened else None
    publishable = stripe_publishable()

    async def home(request: web.Request) -> web.Response:
        extra = "" if hardened else (
            # mixed content: an analytics script and a hero image over http://
            "<script src='http://cdn.brightbrew.test/analytics.js'></script>"
            "<img src='http://cdn.brightbrew.test/hero.jpg' alt='Fresh roast'>")
        return web.Response(content_type="text/html", text=_page(
            "BrightBrew — small-batch coffee",
            "<h1>Small-batch coffee, roasted weekly</h1><div id=chat></div>" + extra,
            head="<script src='/static/app.js' defer></script>"))

    async def login(request: web.Request) -> web.Response:
        return web.Response(content_type="text/html", text=_page("Log in", (
            "<form method=post action='https://api.brightbrew.test/api/login'>"
            "<input name=email><input name=password type=password><button>Log in</button></form>")))

    async def checkout(request: web.Request) -> web.Response:
        action = "https://api.brightbrew.test/api/checkout" if hardened else "http://api.brightbrew.test/api/checkout"
        return web.Response(content_type="text/html", text=_page("Checkout", (
            f"<form method=post action='{action}'><button>Pay</button></form>")))

    async def bundle(request: web.Request) -> web.Response:
        config = {"apiBase": "https://api.brightbrew.test", "stripeKey": publishable}
        if hardened:
            # error tracking wired up (a Sentry DSN's key is public by design)
            config["sentryDsn"] = f"https://{state.secrets.sentry_key}@o4507.ingest.sentry.io/4508112"
        if not hardened:
            config |= {"stripeSecret": js_secret, "adminApi": "http://10.0.3.12:8000/internal",
                       "stagingApi": f"https://staging.{DOMAIN}/api"}
        text = f"window.BB_CONFIG={json.dumps(config)};\n(function(){{/* chat widget */}})();\n"
        if not hardened:
            text += "//# sourceMappingURL=app.js.map\n"
        return web.Response(content_type="application/javascript", text=text)

    async def source_map(request: web.Request) -> web.Response:
        if hardened:
            raise web.HTTPNotFound()
        return web.json_response({"version": 3, "sources": ["src/config.ts", "src/chat.ts"],
                                  "sourcesContent": ["export const ADMIN = 'http://10.0.3.12:8000/internal'"],
                                  "mappings": "AAAA"})

    async def git_config(request: web.Request) -> web.Response:
        if hardened:
            raise web.HTTPNotFound()
        return web.Response(text="[core]\n\trepositoryformatversion = 0\n[remote \"origin\"]\n"
                                 "\turl = git@github.com:brightbrew/shop.git\n")

    async def robots(request: web.Request) -> web.Response:
        return web.Response(text=f"User-agent: *\nDisallow: /admin\nSitemap: https://{WWW}/sitemap.xml\n")

    async def sitemap(request: web.Request) -> web.Response:
        urls = "".join(f"<url><loc>https://{WWW}{p}</loc></url>" for p in ("/", "/login", "/checkout"))
        return web.Response(content_type="application/xml",
                            text=f"<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>{urls}</urlset>")

    app = web.Application(middlewares=[make_middleware(state, tls=True)])
    app.add_routes([web.get("/", home), web.get("/login", login), web.get("/checkout", checkout),
                    web.get("/static/app.js", bundle), web.get("/static/app.js.map", source_map),
                    web.get("/.git/config", git_config), web.get("/robots.txt", robots),
                    web.get("/sitemap.xml", sitemap)])
    return app


def apex(state: ShopState) -> web.Application:
    """The bare domain only sends visitors to the canonical www host."""

    async def to_www(request: web.Request) -> web.Response:
        # unhardened: every deep link lands on the home page (path and query dropped)
        target = f"https://{WWW}{request.path_qs}" if state.hardened else f"https://{WWW}/"
        raise web.HTTPMovedPermanently(target)

    app = web.Application(middlewares=[make_middleware(state, tls=True)])
    app.router.add_route("*", "/{tail:.*}", to_www)
    return app


def simple_site(state: ShopState, title: str, body: str) -> web.Application:
    async def page(request: web.Request) -> web.Response:
        return web.Response(content_type="text/html", text=_page(title, body))

    app = web.Application(middlewares=[make_middleware(state, tls=True)])
    app.router.add_get("/{tail:.*}", page)
    return app


def http_redirector(state: ShopState) -> web.Application:
    """Port 80 on every host."""

    async def redirect(request: web.Request) -> web.Response:
        host = host_of(request)
        target = f"https://{host}{request.path_qs}"
        if state.hardened or host in (DOMAIN, WWW):
            raise web.HTTPMovedPermanently(target)
        if host == f"app.{DOMAIN}":
            raise web.HTTPFound(target)              # temporary redirect: not cached, not trusted by crawlers
        return web.Response(text="BrightBrew API — use the JSON endpoints\n")   # api: plain http served

    app = web.Application(middlewares=[make_middleware(state, tls=False)])
    app.router.add_route("*", "/{tail:.*}", redirect)
    return app
