"""Do no harm: only declared operations are touched, nothing that could change state leaves the machine
without scope.allow_active, and a probe that makes the target stop answering is named while nothing seen
during the outage is judged. Against the demo shop, whose OpenAPI document lists a destructive setup GET
and whose email change validates with a backtracking pattern (the hardened twin has neither)."""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import replace

import pytest

from launch_audit.checks import catalog
from launch_audit.checks.api_calls import call
from launch_audit.checks.api_inventory import names_state_change, probe_refusal
from launch_audit.checks.runner import run_checks
from launch_audit.findings import Impact, Status
from launch_audit.net.watch import ProbeRecord, Stall, culprit, grows, stall_threshold_s, suspects
from launch_audit.net.watch_record import stall_notice
from launch_audit.profile import Endpoint
from launch_audit.profile_loader import load_profile

from tests.helpers import AiohttpThread, short_window_profile, target_profile


# ------------------------------------------------------------------ pure rules

@pytest.mark.parametrize("text, word", [
    ("/api/internal/bootstrap", "bootstrap"), ("populateDatabase", "populate"),
    ("Drop all tables and re-seed the demo data", "Drop"), ("/api/cache/flush", "flush"),
    ("resetPassword", "reset"), ("/logout", "logout"), ("Seeding data", "Seeding"), ("deleteUser", "delete"),
    ("/api/orders/{order}", None), ("/api/internal/export-customers", None), ("getUserSettings", None),
    ("/api/posts", None), ("List emails", None), ("/healthz", None),
])
def test_a_discovered_operation_that_names_a_state_change_is_recognised(text, word):
    assert names_state_change(text) == word


@pytest.mark.parametrize("method, path, words, never", [
    ("GET", "/api/internal/export-customers", "", None),
    ("GET", "/api/internal/bootstrap", "populateDatabase Drop all tables", "state change"),
    ("GET", "/api/things", "purgeThings", "state change"),
    ("POST", "/api/search", "search", "never sent"),
    ("DELETE", "/api/orders/{order}", "", "never sent"),
    ("GET", "/api/users/{user_id}", "", "placeholders"),
])
def test_which_discovered_operations_may_get_a_request(method, path, words, never):
    why = probe_refusal(method, path, words, {"email": "a@x.test", "order": "1"})
    assert (why is None) if never is None else (never in why)


@pytest.mark.parametrize("declared, method, kind, effects, writable", [
    (None, "GET", None, "none", True), (None, "POST", "login", "own_data", True),
    (None, "POST", "chat", "own_data", True), (None, "POST", None, "undeclared", False),
    (None, "POST", "checkout", "undeclared", False), ("shared_data", "POST", None, "shared_data", False),
    ("none", "POST", None, "none", True), ("own_data", "GET", None, "own_data", True),
])
def test_side_effects_default_by_method_and_kind(declared, method, kind, effects, writable):
    ep = Endpoint(name="e", method=method, path="/x", auth="user", kind=kind, side_effects=declared)
    assert ep.effects == effects and ep.writable is writable and ep.changes_state is (effects != "none")


def test_the_probe_in_flight_when_the_stall_began_is_its_cause():
    stall = Stall("s", "api.x", since=9.5, seen=10.2, until=13.0)
    probes = [ProbeRecord("early", "api.x", "S4.bola", "GET /a", "GET", "u", 0, 9.0, 9.1),      # done before
              ProbeRecord("big", "api.x", "S4.input_validation", "10 KB", "PUT", "u", 10_000, 9.8, 13.0),
              ProbeRecord("queued", "api.x", "S5.cost_abuse", "chat", "POST", "u", 50, 10.0, 13.0),
              ProbeRecord("other", "www.x", "S3.debug_exposure", "x", "GET", "u", 0, 9.7, 13.0)]
    assert culprit(stall, probes).id == "big"
    assert culprit(Stall("s", "api.x", since=1, seen=2, until=3), probes) is None
    never_up = Stall("s", "api.x", since=9.5, seen=10.2, until=13.0, answered_before=False)
    assert culprit(never_up, probes) is None            # a host that never answered was not stopped by us
    assert stall.overlaps(10.5, 10.6) and not stall.overlaps(13.5, 14)


def test_of_many_requests_in_flight_the_large_one_sent_after_the_last_fast_answer_is_blamed():
    # as seen on the demo: slow chat answers sent first were only queued behind a 100,000-character message
    stall = Stall("s", "api.x", since=8.8, seen=10.0, until=11.07)
    probes = [ProbeRecord("slow-chat", "api.x", "S5.cross_customer_leak", "chat", "POST", "u", 91, 9.36, 11.07),
              ProbeRecord("stale", "api.x", "S5.cost_abuse", "old", "POST", "u", 200_000, 7.0, 11.07),
              ProbeRecord("huge", "api.x", "S5.cost_abuse", "100,000 chars", "POST", "u", 100_059, 9.96, 11.11),
              ProbeRecord("next", "api.x", "S5.injection_via_content", "chat", "POST", "u", 60, 10.0, 11.14),
              ProbeRecord("let-go", "api.x", "S4.cors", "GET", "GET", "u", 0, 9.9, 10.01)]
    assert [p.id for p in suspects(stall, probes)] == ["huge", "slow-chat", "next", "stale"]
    assert culprit(stall, probes).id == "huge"


def test_a_larger_request_queued_behind_the_culprit_is_not_blamed():
    # a 200,000-character chat message sent while the 10,000-character email froze the API waits its turn
    stall = Stall("s", "api.x", since=1.1, seen=2.1, until=5.7)
    probes = [ProbeRecord("email", "api.x", "S4.input_validation", "10 KB email", "PUT", "u", 10_013, 1.42, 5.68),
              ProbeRecord("queued", "api.x", "S5.cost_abuse", "200K chat", "POST", "u", 200_059, 1.6, 5.75),
              ProbeRecord("small", "api.x", "S5.injection_via_content", "chat", "POST", "u", 46, 1.44, 5.73)]
    assert [p.id for p in suspects(stall, probes)] == ["email", "queued", "small"]


def test_the_terminal_is_told_when_a_host_stops_and_answers_again():
    probe = ProbeRecord("big", "api.x", "S4.input_validation", "a 10,000-character `email`", "PUT", "u", 10_013, 9.8)
    stall = Stall("s", "api.x", since=9.5, seen=10.2)
    assert stall_notice(stall, probe, False) == ("api.x stopped answering after a 10,000-character `email` "
                                                 "(S4.input_validation): its active probes wait for it")
    stall.until = 13.0
    assert stall_notice(stall, probe, True) == "api.x answers again (it stopped for 3.5 s): probing goes on"
    assert stall_notice(stall, None, False) == "api.x stopped answering for 3.5 s"
    stall.until, stall.given_up = None, True
    assert "remaining active probes are skipped" in stall_notice(stall, probe, True)


def test_stall_and_growth_thresholds():
    assert stall_threshold_s([]) == 1.0 and stall_threshold_s([300, 300, 300]) == 3.0
    assert grows(30, 3200) and not grows(30, 120) and not grows(400, 800)


# ------------------------------------------------------------------ against the demo shop

def _passive(shop, folder):
    """The demo profile with allow_active: false and a short sampling window."""
    path = short_window_profile(shop, folder, window_s=3, samples=4)
    path.write_text(path.read_text().replace("allow_active: true", "allow_active: false"))
    return load_profile(path)


@pytest.mark.slow
async def test_without_allow_active_no_check_of_the_catalog_sends_a_state_changing_request(shop, tmp_path):
    # Given the shop's own count of every request that is not GET, HEAD or OPTIONS
    profile = _passive(shop, tmp_path)
    before, reseeds = sum(shop.state.state_changing.values()), shop.state.reseeds
    # When every automated check of the catalog runs
    findings = await run_checks(profile, catalog.automated())
    # Then nothing that could change state reached it, and the destructive setup route was never called
    assert sum(shop.state.state_changing.values()) == before, shop.state.state_changing
    assert shop.state.reseeds == reseeds
    unauth = [f for f in findings if f.check_id == "S1.unauth_access"]
    assert any(f.status is Status.SKIP and "could change state" in f.evidence for f in unauth)
    latency = next(f for f in findings if f.check_id == "S6.latency_p95")
    assert latency.status is Status.SKIP and "allow_active is false" in latency.evidence


async def test_discovered_operations_are_inventoried_and_the_destructive_one_is_never_called(shop, demo_profile):
    reseeds = shop.state.reseeds
    findings = await run_checks(demo_profile, [catalog.get("S1.endpoint_inventory"), catalog.get("S1.unauth_access")])
    assert shop.state.reseeds == reseeds
    inventory = {f.target: f for f in findings if f.check_id == "S1.endpoint_inventory"}
    assert "names a state change" in inventory["GET /api/internal/bootstrap"].evidence
    assert "sends it one request" in inventory["GET /api/internal/export-customers"].evidence
    unauth = {f.target: f for f in findings if f.check_id == "S1.unauth_access"}
    assert unauth["GET /api/internal/export-customers"].status is Status.FAIL
    assert "GET /api/internal/bootstrap" not in unauth
    # a declared admin write gets {} from the anonymous caller, never the declared refund
    assert unauth["POST /admin/refunds"].status is Status.PASS
    assert not shop.state.refunds


async def test_without_probe_discovered_undeclared_operations_get_no_request(shop, tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(shop.write_profile().read_text().replace("probe_discovered: true", "probe_discovered: false"))
    profile = load_profile(path)
    findings = await run_checks(profile, [catalog.get("S1.unauth_access")])
    assert not any("export-customers" in f.target for f in findings)


async def _freeze(ctx):
    """One 10,000-character address to the email change: the unhardened shop's pattern backtracks."""
    ep = ctx.profile.api.endpoint("email_change")
    resp = await call(ctx, ep, token=ctx.profile.secret(ctx.profile.api.users.a.token_env),
                      body={"email": "A" * 10_000}, label="a 10,000-character `email` to PUT /api/me/email")
    yield ctx.finding(Status.PASS, "freeze", f"answered {resp.status} in {resp.latency_ms:.0f} ms")


async def _meanwhile(ctx):
    """A check that reads the API while the probe above runs, and would call anything it saw a pass."""
    await asyncio.sleep(0.4)
    seen = []
    for _ in range(3):
        resp = await ctx.net.get(ctx.profile.api.url("/healthz"), active=True)
        seen.append(resp.status)
    yield ctx.finding(Status.PASS, "meanwhile", f"answers {seen}")


@pytest.mark.slow
async def test_a_probe_that_freezes_the_target_is_named_and_nothing_seen_meanwhile_is_judged(shop, demo_profile):
    freeze = replace(catalog.get("S4.input_validation"), run=_freeze)
    meanwhile = replace(catalog.get("S4.cors"), run=_meanwhile)
    findings = await run_checks(demo_profile, [freeze, meanwhile])
    outage = [f for f in findings if f.details.get("outage")]
    assert len(outage) == 1, [f.evidence for f in findings]
    o = outage[0]
    assert o.check_id == "S4.input_validation" and o.status is Status.FAIL and o.impact is Impact.DOWNTIME
    assert "10,000-character `email` to PUT /api/me/email" in o.evidence and "Replay: PUT" in o.evidence
    assert o.details["outage"]["recovered"] and o.details["outage"]["seconds"] >= 2, o.evidence
    later = next(f for f in findings if f.check_id == "S4.cors")
    assert later.status is Status.SKIP and "target unavailable after a 10,000-character" in later.evidence


async def test_the_hardened_twin_bounds_the_input_and_keeps_answering(hardened_shop, hardened_profile):
    freeze = replace(catalog.get("S4.input_validation"), run=_freeze)
    meanwhile = replace(catalog.get("S4.cors"), run=_meanwhile)
    findings = await run_checks(hardened_profile, [freeze, meanwhile])
    assert not any(f.details.get("outage") for f in findings)
    assert next(f for f in findings if f.check_id == "S4.cors").status is Status.PASS


@pytest.mark.slow
async def test_input_validation_grows_stepwise_and_stops_at_the_slow_size(shop, demo_profile):
    findings = await run_checks(demo_profile, [catalog.get("S4.input_validation")])
    growth = next(f for f in findings if f.target == "email_change input size")
    assert growth.status is Status.FAIL and growth.impact is Impact.DOWNTIME
    # a slower machine may take past the timeout for 10,000 characters: no answer is the longest answer of all
    assert re.search(r"a 1,000-character `email` answered in \d+ ms, a 10,000-character one (in \d|got no answer)",
                     growth.evidence)
    assert "100,000 characters were not sent" in growth.evidence
    # the declared shared-data endpoint got no variant, and the test account's address is still its own
    assert next(f for f in findings if f.target == "review").status is Status.SKIP
    me = shop.state.users["u_a"]
    assert me.email == demo_profile.api.users.a.email
    # no other endpoint was blamed for the stall
    assert [f.target for f in findings if f.target.endswith("input size")] == ["email_change input size"]


def test_the_demo_openapi_document_lists_the_traps_only_when_unhardened(shop, hardened_shop):
    async def doc(profile):
        from launch_audit.checks.api_inventory import _document
        from launch_audit.checks.base import CheckContext
        from launch_audit.net import Network
        async with Network(profile) as net:
            ctx = CheckContext(catalog.get("S1.endpoint_inventory"), profile, net.for_check(), {})
            return (await _document(ctx))[1]

    plain = asyncio.run(doc(load_profile(shop.write_profile())))
    fixed = asyncio.run(doc(load_profile(hardened_shop.write_profile())))
    assert "/api/internal/bootstrap" in plain["paths"] and "/api/internal/bootstrap" not in fixed["paths"]
    assert json.dumps(plain).count("populateDatabase") == 1


# ------------------------------------------------------------------ a target that does not come back

class FreezingAPI:
    """An API on its own loopback address that stops answering for good after ``PUT /freeze``."""

    ADDRESS = "127.0.24.1"

    def __init__(self) -> None:
        from aiohttp import web

        self.frozen = False

        async def health(request):
            while self.frozen:
                await asyncio.sleep(0.05)
            return web.json_response({"status": "ok"})

        async def freeze(request):
            self.frozen = True
            return await health(request)

        app = web.Application()
        app.add_routes([web.get("/healthz", health), web.put("/freeze", freeze)])
        self._server = AiohttpThread(self.ADDRESS, app)
        self.port = self._server.port

    def stop(self) -> None:
        self.frozen = False                  # the hanging handlers finish, then the server goes
        self._server.stop()


@pytest.fixture
def freezing_api():
    api = FreezingAPI()
    yield api
    api.stop()


@pytest.mark.slow
async def test_a_target_that_does_not_recover_gets_no_more_probes(freezing_api, tmp_path):
    base = f"http://{FreezingAPI.ADDRESS}:{freezing_api.port}"
    profile = load_profile(target_profile(tmp_path, "freeze", FreezingAPI.ADDRESS, timeout_s=1,
                                          scope=", recovery_wait_s: 3", body=f"""api:
  base_url: {base}
  health_path: /healthz
  endpoints:
    - {{name: freeze, method: PUT, path: /freeze, auth: public, body: {{x: "1"}}, side_effects: own_data}}
"""))

    async def freeze(ctx):
        await ctx.net.get(base + "/healthz", active=True)     # the watchdog learns the usual answer time
        await asyncio.sleep(1.5)
        try:
            await call(ctx, ctx.profile.api.endpoint("freeze"), label="a PUT /freeze")
        except Exception as e:  # noqa: BLE001 - the probe's own timeout is its check's business
            yield ctx.from_error("freeze", e)

    async def later(ctx):
        await asyncio.sleep(7)              # after recovery_wait_s has run out
        resp = await ctx.net.get(base + "/healthz", active=True)
        yield ctx.finding(Status.PASS, "later", f"answered {resp.status}")

    findings = await run_checks(profile, [replace(catalog.get("S4.input_validation"), run=freeze),
                                          replace(catalog.get("S4.cors"), run=later)], timeout_s=30)
    outage = next(f for f in findings if f.details.get("outage"))
    assert outage.status is Status.FAIL and not outage.details["outage"]["recovered"]
    assert "a PUT /freeze made 127.0.24.1 stop answering" in outage.evidence
    skipped = next(f for f in findings if f.check_id == "S4.cors")
    assert skipped.status is Status.SKIP and "target unavailable after a PUT /freeze" in skipped.evidence
    assert "no more probes are sent" in skipped.evidence


@pytest.mark.slow
async def test_input_validation_never_passes_an_endpoint_whose_variants_went_unanswered(tmp_path):
    """An endpoint that refuses every malformed body with 400 but never answers the privileged fields or a
    10,000-character string: the growth is its own finding, and the endpoint is not passed."""
    from aiohttp import web

    release = asyncio.Event()           # set from the server's own loop when the test ends

    async def things(request):
        raw = await request.read()
        if b"A" * 5000 in raw or b"is_admin" in raw:
            await release.wait()
        return web.json_response({"error": "bad"}, status=400)

    app = web.Application()
    app.add_routes([web.post("/things", things)])
    server = AiohttpThread("127.0.24.2", app)
    port = server.port
    try:
        path = target_profile(tmp_path, "slow", "127.0.24.2", timeout_s=1, body=f"""api:
  base_url: http://127.0.24.2:{port}
  endpoints:
    - {{name: things, method: POST, path: /things, auth: public, body: {{name: "x"}}, side_effects: own_data}}
""")
        findings = await run_checks(load_profile(path), [catalog.get("S4.input_validation")], timeout_s=60)
    finally:
        server.loop.call_soon_threadsafe(release.set)
        server.stop()
    by_target = {f.target: f for f in findings}
    growth = by_target["things input size"]
    assert growth.status is Status.FAIL and "a 10,000-character one got no answer" in growth.evidence
    main = by_target["things"]
    assert main.status is Status.ERROR, main.evidence
    assert "1 variants could not be judged (privileged fields:" in main.evidence


async def test_a_server_error_is_never_read_as_a_refusal(tmp_path, monkeypatch):
    """An API that answers 500 to forged tokens and to another user's id, and whose login fails: S4.authn_required,
    S4.bola and S4.csrf say they cannot tell, never pass."""
    from aiohttp import web

    def good(request):
        return request.headers.get("Authorization") == "Bearer good-token-a"

    async def me(request):
        return web.json_response({"id": "a"}) if good(request) else web.json_response({"error": "boom"}, status=500)

    async def order(request):
        if good(request) and request.match_info["order"] == "1":
            return web.json_response({"id": "1", "owner": "a"})
        return web.json_response({"error": "boom"}, status=500)

    async def login(request):
        return web.json_response({"error": "invalid credentials"}, status=401)

    app = web.Application()
    app.add_routes([web.get("/me", me), web.get("/orders/{order}", order), web.post("/login", login)])
    server = AiohttpThread("127.0.24.3", app)
    port = server.port
    for name, value in {"LA_T_A": "good-token-a", "LA_T_B": "good-token-b", "LA_T_PW": "pw-a"}.items():
        monkeypatch.setenv(name, value)
    try:
        path = target_profile(tmp_path, "broken", "127.0.24.3", body=f"""api:
  base_url: http://127.0.24.3:{port}
  users:
    a: {{token_env: LA_T_A, password_env: LA_T_PW, email: a@x.test, owns: {{order: ["1"]}}}}
    b: {{token_env: LA_T_B, email: b@x.test, owns: {{order: ["2"]}}}}
  endpoints:
    - {{name: me, method: GET, path: /me, auth: user}}
    - {{name: order, method: GET, path: "/orders/{{order}}", auth: user, resource: order}}
    - {{name: login, method: POST, path: /login, auth: public, kind: login,
       body: {{email: "{{email}}", password: "{{password}}"}}}}
""")
        findings = await run_checks(load_profile(path), [catalog.get(c) for c in
                                                         ("S4.authn_required", "S4.bola", "S4.csrf")])
    finally:
        server.stop()
    got = {(f.check_id, f.target): f for f in findings}
    assert got[("S4.authn_required", "me")].status is Status.ERROR, got[("S4.authn_required", "me")].evidence
    assert "no token → 500" in got[("S4.authn_required", "me")].evidence
    assert got[("S4.bola", "order")].status is Status.ERROR and "→ 500" in got[("S4.bola", "order")].evidence
    csrf = [f for f in findings if f.check_id == "S4.csrf"]
    assert [f.status for f in csrf] == [Status.ERROR] and "login answers 401" in csrf[0].evidence
    assert not any(f.status is Status.PASS for f in findings), [(f.check_id, f.evidence) for f in findings]
