"""The shop's JSON API on api.brightbrew.test: login, reset, orders, admin refunds, webhook, chat."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import random
import re
import time

from aiohttp import web

from . import bot, email_check
from .layout import DOMAIN
from .mail import DkimKey, deliver, reset_email
from .state import ShopState, User
from .web_common import make_middleware

ALLOWED_ORIGINS = {f"https://www.{DOMAIN}", f"https://app.{DOMAIN}"}
WEBHOOK_TOLERANCE_S = 300


def _secured(paths: dict, how: str) -> dict:
    """The document's security in one of three styles: every operation says it ("per_operation"); the
    document says it once and public operations opt out ("document"); or nothing is said ("none")."""
    out = {}
    for path, ops in paths.items():
        out[path] = {}
        for method, op in ops.items():
            op = dict(op)
            public = op.get("security") == []
            if how == "per_operation" and not public:
                op["security"] = [{"bearer": []}]
            elif how == "none":
                op.pop("security", None)
            out[path][method] = op
    return out


def api(state: ShopState, dkim_key: DkimKey) -> web.Application:
    hardened, style = state.hardened, state.style

    def caller(request: web.Request) -> User | None:
        auth = request.headers.get("Authorization", "") if style.sessions == "bearer" else ""
        token = auth[7:] if auth.lower().startswith("bearer ") else request.cookies.get("bb_session", "")
        return state.verify(token) if token else None

    def need_user(request: web.Request) -> User:
        user = caller(request)
        if user is None:
            raise web.HTTPUnauthorized(text=json.dumps({"error": "login required"}), content_type="application/json")
        return user

    def refuse(status: int, message: str) -> web.HTTPException:
        cls = {400: web.HTTPBadRequest, 413: web.HTTPRequestEntityTooLarge, 415: web.HTTPUnsupportedMediaType}[status]
        kwargs = {"max_size": 0, "actual_size": 0} if status == 413 else {}
        return cls(text=json.dumps({"error": message}), content_type="application/json", **kwargs)

    async def body_json(request: web.Request) -> dict:
        if hardened and request.content_type != "application/json":
            raise refuse(415, "send application/json")
        try:
            data = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise refuse(400, "invalid JSON") from None
        except RecursionError:
            if not hardened:
                raise            # unhardened: the debug page shows the interpreter's own stack
            raise refuse(400, "invalid JSON") from None
        if not isinstance(data, dict):
            raise refuse(400, "expected an object")
        return data

    def text_field(data: dict, name: str, max_len: int) -> str:
        """Hardened: a string of bounded length with no control characters; unhardened: whatever came."""
        value = data.get(name, "")
        if not hardened:
            return str(value)
        if not isinstance(value, str) or "\x00" in value:
            raise refuse(400, f"{name} must be a string")
        if len(value) > max_len:
            raise refuse(413, f"{name} is longer than {max_len} characters")
        return value

    def too_many(request: web.Request, key: str) -> web.Response:
        """429 with the window's own Retry-After, logged with who asked (the shop's record of throttling)."""
        state.throttled.append((request.headers.get("User-Agent", ""), request.path))
        return web.json_response({"error": "too many requests"}, status=429,
                                 headers={"Retry-After": str(state.retry_after(key))})

    async def health(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def login(request: web.Request) -> web.Response:
        data = await body_json(request)
        # an email address or a username, whichever the client sends
        field = "username" if "username" in data and "email" not in data else "email"
        email, password = text_field(data, field, 254), text_field(data, "password", 200)
        who = email.lower() if style.limits == "account" else (request.remote or "?")
        if hardened and not state.allow(f"login:{who}", state.limits["login"]):   # per account or per client
            return too_many(request, f"login:{who}")
        user = next((u for u in state.users.values() if email and email in (u.email, u.username)), None)
        if user is None:
            # unhardened: tells an attacker which addresses have accounts
            return web.json_response({"error": "invalid credentials" if hardened else "no account with that email"},
                                     status=401)
        if not hmac.compare_digest(user.password, password):
            return web.json_response({"error": "invalid credentials" if hardened else "wrong password"}, status=401)
        token = state.token_for(user.id)
        response = web.json_response({"token": token})
        response.set_cookie("bb_session", token, secure=True, httponly=True, samesite="Lax" if hardened else None)
        return response

    async def password_reset(request: web.Request) -> web.Response:
        data = await body_json(request)
        email = text_field(data, "email", 254)
        if hardened and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
            raise refuse(400, "email must be an email address")
        who = email.lower() if style.limits == "account" else (request.remote or "?")
        if hardened and not state.allow(f"reset:{who}", state.limits["password_reset"]):   # no mail bombing
            return too_many(request, f"reset:{who}")
        user = next((u for u in state.users.values() if u.email == email), None)
        if user is not None:
            link = f"https://www.{DOMAIN}/reset?token={hashlib.sha256(email.encode()).hexdigest()[:24]}"
            raw = reset_email(email, link, dkim_key)
            loop = asyncio.get_running_loop()
            loop.run_in_executor(None, deliver, raw, state.layout.smtp_address, state.layout.smtp_port,
                                 f"no-reply@{DOMAIN}", email)
        elif not hardened:
            return web.json_response({"error": "unknown email"}, status=404)
        return web.json_response({"status": "if the account exists, a reset link is on its way"}, status=202)

    async def me(request: web.Request) -> web.Response:
        user = need_user(request)
        return web.json_response({"id": user.id, "username": user.username, "email": user.email, "name": user.name,
                                  "role": user.role, "staff": user.staff})

    async def order(request: web.Request) -> web.Response:
        user = need_user(request)
        order_id = request.match_info["order"]
        if not style.valid_id(order_id):
            if hardened:
                raise refuse(400, "not an order id")
            style.parse_id(order_id)        # unhardened: the ValueError becomes a debug page
        found = state.orders.get(order_id)
        # unhardened: no owner check (BOLA) — any signed-in customer reads any order
        if found is None or (hardened and found.owner != user.id and user.role != "admin"):
            return web.json_response({"error": "not found"}, status=404)
        return web.json_response({"id": found.id, "email": found.email, "items": found.items,
                                  "address": found.address, "total_cents": found.total_cents})

    async def refund(request: web.Request) -> web.Response:
        user = need_user(request)
        if user.role != "admin":
            return web.json_response({"error": "admins only"}, status=403)
        data = await body_json(request)
        if not isinstance(data.get("order_id"), str) or data["order_id"] not in state.orders:
            return web.json_response({"error": "order_id must name an order"}, status=400)
        state.refunds.append({"order_id": data["order_id"], "by": user.id})
        return web.json_response({"refunded": data["order_id"]})

    async def stripe_webhook(request: web.Request) -> web.Response:
        payload = await request.read()
        header = request.headers.get("Stripe-Signature", "")
        parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
        timestamp, signature = parts.get("t", ""), parts.get("v1", "")
        expected = hmac.new(state.secrets.stripe_webhook.encode(), f"{timestamp}.".encode() + payload,
                            hashlib.sha256).hexdigest()
        if not timestamp.isdigit() or not hmac.compare_digest(expected, signature):
            return web.json_response({"error": "bad signature"}, status=400)
        # unhardened: no timestamp tolerance, so a captured event can be replayed forever
        if hardened and abs(time.time() - int(timestamp)) > WEBHOOK_TOLERANCE_S:
            return web.json_response({"error": "timestamp outside tolerance"}, status=400)
        try:
            state.webhook_events.append(json.loads(payload))
        except json.JSONDecodeError:
            return web.json_response({"error": "invalid JSON"}, status=400)
        return web.json_response({"received": True})

    async def chat(request: web.Request) -> web.Response:
        user = need_user(request)
        if hardened and user.id not in state.chat_exempt and not state.allow(f"chat:{user.id}", state.limits["chat"]):
            return too_many(request, f"chat:{user.id}")
        data = await body_json(request)
        message = text_field(data, "message", 2000) if hardened else data.get("message")
        if not isinstance(message, str) or not message.strip():
            return web.json_response({"error": "message must be a non-empty string"}, status=400)
        result = bot.answer(message, user.id, state.orders, hardened=hardened, reviews=state.reviews)
        # model latency; the unhardened shop's order and shipping lookups run an unindexed query
        slow = not hardened and any(c["name"] in ("lookup_order", "track_shipment") for c in result.tool_calls)
        await asyncio.sleep(random.uniform(0.6, 0.9) if slow else random.uniform(0.02, 0.08))
        conversation = str(data.get("conversation_id") or f"c_{user.id}_{int(time.time())}")
        return web.json_response({style.reply_field: result.reply, style.tools_field: result.tool_calls,
                                  "conversation_id": conversation}, status=result.status)

    async def review(request: web.Request) -> web.Response:
        user = need_user(request)
        data = await body_json(request)
        product, text = text_field(data, "product", 40).lower(), text_field(data, "text", 2000)
        if product not in bot.PRODUCTS or not text.strip():
            raise refuse(400, f"product must be one of {', '.join(bot.PRODUCTS)} and text non-empty")
        state.reviews.setdefault(product, []).append(text if not hardened else text.replace("<", "&lt;"))
        return web.json_response({"stored": True, "by": user.id}, status=201)

    async def change_email(request: web.Request) -> web.Response:
        user = need_user(request)
        data = await body_json(request)
        email = data.get("email")
        if not isinstance(email, str):
            raise refuse(400, "email must be a string")
        if hardened and len(email) > email_check.MAX_LENGTH:
            raise refuse(413, f"email is longer than {email_check.MAX_LENGTH} characters")
        # the app server has one worker: while it validates, the API answers nobody else
        state.api_idle.clear()
        try:
            ok = await asyncio.get_running_loop().run_in_executor(None, state.email_worker().check, email,
                                                                  not state.redos_trap)
        finally:
            state.api_idle.set()
        if not ok:
            raise refuse(400, "email must be an email address")
        user.email = email
        if not hardened and "staff" in data:
            user.staff = bool(data["staff"])    # mass assignment: stored, and the answer does not show it
        return web.json_response({"id": user.id, "email": user.email})

    async def address(request: web.Request) -> web.Response:
        user = need_user(request)
        found = state.addresses.get(request.match_info["address"])
        if found is None or found.owner != user.id:
            return web.json_response({"error": "not found"}, status=404)
        return web.json_response({"id": found.id, "line1": found.line1, "city": found.city})

    async def update_address(request: web.Request) -> web.Response:
        user = need_user(request)
        found = state.addresses.get(request.match_info["address"])
        # unhardened: the read checks the owner, the write does not: any customer rewrites any address
        if found is None or (hardened and found.owner != user.id):
            return web.json_response({"error": "not found"}, status=404)
        data = await body_json(request)
        if hardened and set(data) - {"line1", "city"}:
            raise refuse(400, "only line1 and city may be changed")
        line1, city = text_field(data, "line1", 120), text_field(data, "city", 80)
        if not line1.strip() or not city.strip():
            raise refuse(400, "line1 and city are required")
        found.line1, found.city = line1, city
        return web.Response(status=204)

    async def admin_stats(request: web.Request) -> web.Response:
        user = need_user(request)
        if hardened and user.role != "admin":
            return web.json_response({"error": "admins only"}, status=403)
        # unhardened: no role check; the figures are per shop and a customer has none, so it crashes
        shop = {"u_admin": "brightbrew"}[user.id]
        return web.json_response({"shop": shop, "orders": len(state.orders), "refunds": len(state.refunds)})

    async def bootstrap(request: web.Request) -> web.Response:
        # unhardened: a setup route left in production, unauthenticated, that wipes and re-seeds the data
        if hardened:
            raise web.HTTPNotFound()
        state.reseed()
        return web.json_response({"status": "database dropped and re-populated"})

    async def openapi(request: web.Request) -> web.Response:
        paths = {
            "/healthz": {"get": {"security": []}},
            "/api/login": {"post": {"security": []}},
            "/api/password-reset": {"post": {"security": []}},
            "/api/me": {"get": {}},
            "/api/me/email": {"put": {"operationId": "changeEmail"}},
            "/api/orders/{order}": {"get": {}},
            "/api/addresses/{address}": {"get": {}, "put": {"operationId": "updateAddress"}},
            "/admin/stats": {"get": {}},
            "/api/chat": {"post": {}},
            "/api/reviews": {"post": {}},
            "/admin/refunds": {"post": {}},
            "/webhooks/stripe": {"post": {"security": []}},
        }
        paths = _secured(paths, style.openapi)
        if not hardened:
            paths["/api/internal/export-customers"] = {"get": {}}   # forgotten, not in the inventory
            # a setup route: a GET, no security, and it drops the database (a probe must never call it)
            paths["/api/internal/bootstrap"] = {"get": {"operationId": "populateDatabase",
                                                        "summary": "Drop all tables and re-seed the demo data"}}
        doc = {"openapi": "3.0.3", "info": {"title": "BrightBrew API", "version": "1.4.0"}, "paths": paths,
               "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}}}
        if style.openapi == "document":
            doc["security"] = [{"bearer": []}]
        return web.json_response(doc)

    async def export_customers(request: web.Request) -> web.Response:
        if hardened:
            raise web.HTTPNotFound()
        return web.json_response([{"email": u.email, "name": u.name} for u in state.users.values()])

    async def preflight(request: web.Request) -> web.Response:
        return web.Response(status=204)

    @web.middleware
    async def cors(request: web.Request, handler):
        origin = request.headers.get("Origin")
        if request.method == "OPTIONS":
            response = web.Response(status=204)
        else:
            response = await handler(request)
        if origin:
            if not hardened:
                # reflects any Origin, with credentials
                response.headers["Access-Control-Allow-Origin"] = origin
                response.headers["Access-Control-Allow-Credentials"] = "true"
            elif origin in ALLOWED_ORIGINS:
                response.headers["Access-Control-Allow-Origin"] = origin
                response.headers["Access-Control-Allow-Credentials"] = "true"
                response.headers["Vary"] = "Origin"
        return response

    @web.middleware
    async def one_worker(request: web.Request, handler):
        await state.api_idle.wait()         # queued behind a request the worker is still busy with
        return await handler(request)

    @web.middleware
    async def error_style(request: web.Request, handler):
        """Every {"error": …} answer in the style's shape (problem+json, plain text, or as written)."""
        try:
            response = await handler(request)
        except web.HTTPException as e:
            if style.errors == "json" or e.status < 400 or e.content_type != "application/json":
                raise
            response = e
        if style.errors == "json" or response.status < 400 or response.content_type != "application/json":
            return response
        try:
            message = json.loads(response.text or "").get("error")
        except (ValueError, AttributeError):
            message = None
        if not isinstance(message, str):
            if isinstance(response, web.HTTPException):
                raise response
            return response
        body, ctype = style.error_body(response.status, message)
        return web.Response(status=response.status, text=body, content_type=ctype.split(";")[0],
                            headers={k: v for k, v in response.headers.items() if k.lower() == "retry-after"})

    app = web.Application(middlewares=[make_middleware(state, tls=True), cors, error_style, one_worker],
                          client_max_size=64 * 1024 * 1024)
    app.add_routes([
        web.get("/healthz", health), web.post("/api/login", login), web.post("/api/password-reset", password_reset),
        web.get("/api/me", me), web.put("/api/me/email", change_email), web.get("/api/internal/bootstrap", bootstrap),
        web.get("/api/orders/{order}", order), web.post("/admin/refunds", refund),
        web.get("/api/addresses/{address}", address), web.put("/api/addresses/{address}", update_address),
        web.get("/admin/stats", admin_stats),
        web.post("/webhooks/stripe", stripe_webhook), web.post("/api/chat", chat), web.post("/api/reviews", review),
        web.get("/openapi.json", openapi), web.get("/api/internal/export-customers", export_customers),
        web.route("OPTIONS", "/{tail:.*}", preflight),
    ])
    return app
