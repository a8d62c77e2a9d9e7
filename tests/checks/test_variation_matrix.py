"""No check tuned to one implementation: the demo shop built two other ways (ids, where the OpenAPI document
says what needs a login, error body shapes, chat field names, what a login limit counts, logins by username)
without changing which defects it has. In every style the hardened twin earns no fail or warn, and every
planted defect of stages 4 and 5 is found on the careless one."""

from __future__ import annotations

import pytest

from launch_audit.checks import catalog
from launch_audit.checks.runner import run_checks
from launch_audit.demo import DemoShop, Layout, Style
from launch_audit.findings import Status
from launch_audit.profile_loader import load_profile

from tests.checks.test_api_controls import EXPECTED_ON_DEMO, ORDER, STAGE4
from tests.checks.test_red_team import DEMO_FAILS, DEMO_HOLDS

# (limits="ip" is left out for now: S4.user_enumeration's six reset samples exceed a 5-a-minute per-client
# limit, and pacing checks to the profile's declared limits is issue 19's)
CORNERS = {
    "cookie-uuid-document-problem-answer-username": Style(sessions="cookie", ids="uuid", openapi="document",
                                                          errors="problem", chat_fields="answer", login_by="username"),
    "bearer-numeric-none-text-reply-email": Style(sessions="bearer", ids="numeric", openapi="none", errors="text",
                                                   chat_fields="reply", limits="account", login_by="email"),
}
STAGE5 = [c.id for c in catalog.for_stage(5)]


@pytest.mark.parametrize("hardened", [False, True], ids=["careless", "hardened"])
@pytest.mark.parametrize("corner", list(CORNERS))
async def test_every_style_gets_the_same_verdicts(tmp_path, corner, hardened):
    style = CORNERS[corner]
    prefix = f"127.0.{40 + 2 * list(CORNERS).index(corner) + int(hardened)}"
    with DemoShop(tmp_path / "shop", Layout(prefix=prefix), hardened=hardened, style=style) as shop:
        profile = load_profile(shop.write_profile())
        assert bool(profile.api.auth_cookie) == (style.sessions == "cookie")
        assert (profile.chat.reply_field == style.reply_field
                and ("{username}" in str(profile.api.endpoint("login").body)) == (style.login_by == "username"))
        # one stage after the other: the careless API's backtracking email check stalls it (by design), and
        # what falls into that stall is not judged
        findings = await run_checks(profile, [catalog.get(i) for i in STAGE4])
        findings += await run_checks(profile, [catalog.get(i) for i in STAGE5])
    shown = [(f.check_id, f.target, f.status.value, f.evidence[:160]) for f in findings
             if f.status in (Status.FAIL, Status.WARN, Status.ERROR)]
    if hardened:
        assert shown == []
        return
    assert not [s for s in shown if s[2] == "error"], shown
    worst: dict[str, Status] = {}
    for f in findings:
        if f.check_id in EXPECTED_ON_DEMO and f.status in ORDER:
            worst[f.check_id] = max(worst.get(f.check_id, Status.PASS), f.status, key=ORDER.index)
    assert worst == EXPECTED_ON_DEMO
    failed = {f.target for f in findings if f.check_id in STAGE5 and f.status is Status.FAIL}
    assert DEMO_FAILS <= failed, f"missed: {sorted(DEMO_FAILS - failed)}"
    assert not (DEMO_HOLDS & failed), f"false alarms: {sorted(DEMO_HOLDS & failed)}"
    by = {(f.check_id, f.target): f for f in findings}
    assert by[("S4.bola", "address_update")].status is Status.FAIL
    assert by[("S4.authn_required", "A's token signing key")].status is Status.FAIL
    assert by[("S1.unauth_access", "GET /api/internal/export-customers")].status is Status.FAIL
