"""S2.mixed_content: the HTML reader as a table, and the check against both demo shops."""

from __future__ import annotations

import pytest
from launch_audit.checks import catalog
from launch_audit.checks.mixed_content import find_mixed_content, judge_mixed_content
from launch_audit.checks.runner import run_checks
from launch_audit.demo.layout import DOMAIN
from launch_audit.findings import Status

PAGE = "https://www.shop.test/p/"


@pytest.mark.parametrize("html, expected", [
    ("<script src='http://cdn.test/a.js'></script>", [("active", "script src", "http://cdn.test/a.js")]),
    ("<SCRIPT SRC=http://cdn.test/a.js></SCRIPT>", [("active", "script src", "http://cdn.test/a.js")]),
    ("<link rel='stylesheet' href='http://cdn.test/a.css'>", [("active", "link stylesheet", "http://cdn.test/a.css")]),
    ("<link rel='preload' as='script' href='http://cdn.test/a.js'>", [("active", "link preload", "http://cdn.test/a.js")]),
    ("<iframe src='http://pay.test/'></iframe>", [("active", "iframe src", "http://pay.test/")]),
    ("<form action='http://api.test/pay'></form>", [("active", "form action", "http://api.test/pay")]),
    ("<button formaction='http://api.test/x'>", [("active", "button formaction", "http://api.test/x")]),
    ("<img src='http://cdn.test/a.png'>", [("passive", "img src", "http://cdn.test/a.png")]),
    ("<img srcset='https://c.test/1.png 1x, http://c.test/2.png 2x'>", [("passive", "img srcset", "http://c.test/2.png")]),
    ("<video poster='http://c.test/p.jpg'></video>", [("passive", "video poster", "http://c.test/p.jpg")]),
    ("<div style=\"background: url('http://c.test/bg.png')\"></div>", [("passive", "div style url()", "http://c.test/bg.png")]),
    ("<style>@import 'http://c.test/x.css'; b{background:url(http://c.test/y.png)}</style>",
     [("active", "style @import", "http://c.test/x.css"), ("passive", "style url()", "http://c.test/y.png")]),
    ("<base href='http://www.shop.test/'><script src='/app.js'></script>",        # a http:// base makes relatives http
     [("active", "script src", "http://www.shop.test/app.js")]),
    ("<script src='//cdn.test/a.js'></script><img src='/a.png'><a href='http://x.test/'>link</a>", []),
    ("<form action='javascript:void(0)'></form><img src='data:image/png;base64,AA'>", []),
    ("<p>http://not-a-resource.test/ in text</p><!-- <script src='http://c.test/x.js'> -->", []),
    ("<script src='http://cdn.test/a.js'></script><script src='http://cdn.test/a.js'></script>",
     [("active", "script src", "http://cdn.test/a.js")]),                          # counted once
])
def test_find_mixed_content(html, expected):
    assert [(r.kind, r.what, r.url) for r in find_mixed_content(html, PAGE)] == expected


def test_judge_mixed_content():
    active = find_mixed_content("<script src='http://c.test/a.js'></script><img src='http://c.test/i.png'>", PAGE)
    assert judge_mixed_content(active)[0] is Status.FAIL
    assert judge_mixed_content(active[1:])[0] is Status.WARN
    assert judge_mixed_content([])[0] is Status.PASS


async def test_on_the_demo_home_and_checkout_fail(demo_profile):
    findings = await run_checks(demo_profile, [catalog.get("S2.mixed_content")])
    by = {f.target: f for f in findings}
    home, checkout, login = (by[f"https://www.{DOMAIN}{p}"] for p in ("/", "/checkout", "/login"))
    assert home.status is Status.FAIL and "http://cdn.brightbrew.test/analytics.js" in home.evidence
    assert {r["kind"] for r in home.details["references"]} == {"active", "passive"}
    assert checkout.status is Status.FAIL and "form action http://api.brightbrew.test/api/checkout" in checkout.evidence
    assert login.status is Status.PASS


async def test_on_the_hardened_twin_pages_are_clean(hardened_profile):
    findings = await run_checks(hardened_profile, [catalog.get("S2.mixed_content")])
    assert len(findings) == 3 and {f.status for f in findings} == {Status.PASS}
