"""One full `launch-audit run` (and the founder email) against the hostile site, as a consultant types it.

The run must end within its timeouts; each misbehaving host gets `error` or `fail` findings that say why;
nothing reaches the out-of-scope host; budgets and pacing hold; and nothing the site served runs in the
report, the handover or the email, or rewrites the consultant's terminal.
"""

from __future__ import annotations

import email
import email.policy
import json
import re
import subprocess
import sys
import time

import pytest

from tests.browser import open_offline
from tests.hostile.hostile_site import DOMAIN, HostileSite, within_pace, requests_per_check

RUN_LIMIT_S = 180           # measured about 50 s on 2 cores; a hung check would take its 300 s check timeout


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    with HostileSite(folder / "site") as site:
        out = folder / "out"
        started = time.monotonic()
        run = subprocess.run([sys.executable, "-m", "launch_audit", "run", str(site.profile_path), "--out", str(out)],
                             capture_output=True, timeout=RUN_LIMIT_S + 120)
        took = time.monotonic() - started
        run_dir = (out / "hostile-site" / "latest").resolve()
        mail = subprocess.run([sys.executable, "-m", "launch_audit", "email", str(run_dir), "--to",
                               f"eve@{DOMAIN}", "--dry-run"], capture_output=True, timeout=120)
        yield {"site": site, "run": run, "took": took, "run_dir": run_dir, "mail": mail,
               "findings": json.loads((run_dir / "findings.json").read_text())["findings"]}


def test_the_run_ends_within_its_timeouts_with_every_stage_complete(hostile):
    assert hostile["run"].returncode == 0, hostile["run"].stderr.decode(errors="replace")[-2000:]
    assert hostile["took"] < RUN_LIMIT_S, f"took {hostile['took']:.0f}s"
    record = json.loads((hostile["run_dir"] / "run.json").read_text())
    assert [s["state"] for s in record["stage_runs"]] == ["complete"] * 7, record["stage_runs"]
    assert record["report_errors"] == {}
    assert hostile["mail"].returncode == 0, hostile["mail"].stderr.decode(errors="replace")


def test_no_finding_is_our_own_bug_and_every_error_says_why(hostile):
    findings = hostile["findings"]
    bugs = [(f["check_id"], f["evidence"][:200]) for f in findings if f.get("error_kind") == "tool"]
    assert bugs == []
    for f in findings:
        if f["status"] == "error":      # names what went wrong, not just that something did
            assert WHY.search(f["evidence"]), f


# the words an error's evidence uses to say why (a cause, a status code, what could not be done)
WHY = re.compile(r"timed out|timeout|refused|reset|closed|dropped|not valid|TLS|certificate|DNS|SERVFAIL|NXDOMAIN"
                 r"|no such|\b[1-5]\d\d\b|no (answer|probe|complete)|not answer|throttled|cannot|could not|did not"
                 r"|loop|too (many|large|long)|not JSON|unreachable|does not|unknown|garbage|invalid|no \w+ (record|reply)",
                 re.I)


# host -> (check, statuses, what the evidence must say)
EXPECTED = {
    "silent": [("S2.tls_certificate", {"error"}, "timed out"), ("S6.availability", {"error"}, "no probe got an answer")],
    "trickle": [("S2.https_redirect", {"error"}, r"Timeout|no complete answer")],
    "endless": [("S2.https_redirect", {"fail"}, "without redirecting"), ("S2.tls_certificate", {"error"}, "does not speak TLS")],
    "reset": [("S2.tls_certificate", {"error"}, r"does not speak TLS|closed the connection|reset")],
    "garbage": [("S2.https_redirect", {"error"}, "not valid HTTP"), ("S2.tls_protocols", {"error"}, "does not speak TLS")],
    "badcert": [("S2.tls_certificate", {"error"}, "certificate is malformed"),
                ("S2.tls_protocols", {"error"}, "certificate is malformed")],
    "chain": [("S2.redirect_chain", {"fail"}, "more than 6 hops")],
    "loop": [("S2.redirect_chain", {"fail"}, "redirect loop")],
    "offsite": [("S2.redirect_chain", {"fail"}, "leaves the audited hosts for https://outside.test/")],
    "fileurl": [("S2.redirect_chain", {"fail"}, "non-web URL file:///etc/passwd")],
    "gopher": [("S2.redirect_chain", {"fail"}, "non-web URL gopher://")],
    "app": [("S2.dns_records", {"error"}, "CNAME chain loops"), ("S1.subdomain_inventory", {"error"}, "CNAME loop")],
}


@pytest.mark.parametrize("name", EXPECTED)
def test_each_misbehaving_host_gets_error_or_fail_findings_that_say_why(hostile, name):
    host = f"{name}.{DOMAIN}"
    mine = [f for f in hostile["findings"] if host in f["target"] or host in f["evidence"][:300]]
    assert mine, f"no finding names {host}"
    for check_id, statuses, says in EXPECTED[name]:
        found = [f for f in mine if f["check_id"] == check_id]
        assert found, f"{check_id} has no finding for {host}"
        assert any(f["status"] in statuses and re.search(says, f["evidence"]) for f in found), \
            [(f["status"], f["evidence"][:200]) for f in found]


def test_dns_answers_that_are_huge_or_hostile_are_judged(hostile):
    dkim = {f["target"].split(".")[0]: f for f in hostile["findings"] if f["check_id"] == "S2.dkim"}
    # a 64 KB TXT (fetched over TCP after a truncated UDP answer): read and judged, not a timeout
    assert dkim["s1"]["status"] == "fail" and "timed out" not in dkim["s1"]["evidence"], dkim["s1"]
    assert dkim["s2"]["status"] == "fail", dkim["s2"]
    assert len(dkim["s1"]["evidence"]) < 5000


def test_nothing_reaches_the_host_out_of_scope(hostile):
    assert hostile["site"].outside_connections == 0


def test_every_check_stays_within_its_budget_and_every_host_within_the_pace(hostile):
    log = hostile["site"].traffic.log
    assert len(log) > 200
    per_check = requests_per_check(log)
    assert "?" not in per_check, "a request did not say which check sent it"
    assert max(per_check.values()) <= 120, per_check.most_common(3)      # the profile's max_requests_per_check
    # the profile allows 10 a second, paced across the run's six stage processes
    assert within_pace(log, 10) == {}


def test_report_and_handover_show_the_payloads_inert_in_chromium(hostile, browser):
    for name in ("report.html", "handover.html"):
        page, problems, outside = open_offline(browser, hostile["run_dir"] / name)
        page.wait_for_timeout(300)                       # let any injected onerror or timer fire
        assert problems == [] and outside == [], (name, problems, outside)
        assert "pwned" not in page.title()
        if name == "report.html":
            text = page.locator("body").inner_text()
            # shown as text: the payload is in the report, escaped, not dropped
            assert "document.title='pwned-script'" in text
            assert page.evaluate("""() => [...document.querySelectorAll('*')].filter(e => [...e.attributes].some(
                a => a.name.startsWith('on') || a.value.trim().toLowerCase().startsWith('javascript:'))).length""") == 0


def _email(hostile):
    raw = (hostile["run_dir"] / "email.eml").read_bytes()
    return email.message_from_bytes(raw, policy=email.policy.default)


def test_the_email_shows_the_payloads_inert(hostile, browser):
    msg = _email(hostile)
    html = msg.get_body(("html",)).get_content()
    assert "<script" not in html.lower() and "onerror=" not in html.lower() and "javascript:" not in html.lower()
    # the chart is a cid: image of the message itself; a browser outside a mail client cannot load it
    page, problems, outside = open_offline(browser, html=html.replace('src="cid:', 'src="data:,'))
    page.wait_for_timeout(300)
    assert problems == [] and outside == []
    text = msg.get_body(("plain",)).get_content()
    assert "\x1b" not in text and "\x07" not in text


def test_the_terminal_shows_no_escape_codes_and_no_endless_lines(hostile):
    for stream in (hostile["run"].stdout, hostile["run"].stderr, hostile["mail"].stdout, hostile["mail"].stderr):
        controls = {c for c in stream if c < 32 and c not in (9, 10, 13)}
        assert controls == set(), controls              # no ESC (colours, screen clears, title changes), no BEL
        assert max((len(line) for line in stream.split(b"\n")), default=0) < 2000
    assert b"Report:" in hostile["run"].stdout


def test_findings_stay_small_though_the_site_serves_10_mb_lines(hostile):
    assert (hostile["run_dir"] / "findings.json").stat().st_size < 3_000_000
    assert max(len(f["evidence"]) for f in hostile["findings"]) < 20_000


def test_no_secret_of_the_site_appears_in_any_output(hostile):
    site, run_dir = hostile["site"], hostile["run_dir"]
    texts = {p.relative_to(run_dir).as_posix(): p.read_bytes().decode("utf-8", "replace")
             for p in run_dir.rglob("*") if p.is_file()}
    for part in _email(hostile).walk():                 # attachments are base64 in the .eml: decode them
        if not part.is_multipart() and part.get_content_maintype() == "text":
            texts[f"email part {part.get_content_type()} {part.get_filename() or ''}"] = part.get_content()
    for label, stream in (("run terminal", hostile["run"]), ("email terminal", hostile["mail"])):
        texts[label] = (stream.stdout + stream.stderr).decode("utf-8", "replace")
    assert len(texts) > 10
    for secret in site.known_secrets():
        leaked = [label for label, text in texts.items() if secret in text]
        assert leaked == [], f"{secret[:6]}… appears in {leaked}"
