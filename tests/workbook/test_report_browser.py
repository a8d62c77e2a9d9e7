"""report.html and handover.html in real headless Chromium, with the network off."""

from __future__ import annotations

from tests.browser import ARTIFACTS, open_offline, skip_without_chromium

skip_without_chromium()


def test_report_renders_offline_with_scorecard_and_charts(browser, demo_run):
    _, _, run_dir = demo_run
    page, problems, outside = open_offline(browser, run_dir / "report.html")
    page.wait_for_selector(".la-plot .main-svg", timeout=15000)
    assert problems == [] and outside == []
    rows = page.locator("#scorecard tbody tr")
    assert rows.count() == 5
    states = [rows.nth(i).locator(".la-badge").inner_text() for i in range(5)]
    assert set(states) <= {"MET", "NOT MET", "UNKNOWN"} and "NOT MET" in states
    # the latency charts are drawn: plotly made SVG with traces in them
    drawn = page.evaluate("""() => [...document.querySelectorAll('.la-plot')].map(
        d => d.querySelectorAll('.scatterlayer .trace, .barlayer .trace').length)""")
    assert len(drawn) >= 3 and sum(1 for n in drawn if n > 0) >= 3
    titles = page.evaluate("() => [...document.querySelectorAll('.la-plot .gtitle')].map(t => t.textContent)")
    assert any("Latency percentiles" in t for t in titles) and any("distribution" in t for t in titles)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
    assert (ARTIFACTS / "report.png").stat().st_size > 50_000


def test_the_founder_reads_problems_first_and_every_place_stays_below(browser, demo_run):
    # one row per check and fix, however many probes found it; every instance is still in the report
    from launch_audit.findings import Status, rank_risks
    from launch_audit.workbook.problems import group_problems
    from launch_audit.workbook.run_view import load_run

    _, _, run_dir = demo_run
    findings = load_run(run_dir).findings
    leaks = [f for f in findings if f.check_id == "S5.cross_customer_leak" and f.status is Status.FAIL]
    assert len(leaks) >= 5                              # the demo bot leaks to many probes
    page, problems, outside = open_offline(browser, run_dir / "report.html")
    assert problems == [] and outside == []
    rows = page.locator("#fix-first tbody tr")
    to_fix = [p for p in group_problems(findings) if p.worst.status in (Status.FAIL, Status.WARN)]
    assert rows.count() == min(15, len(to_fix)) and len(to_fix) < len(rank_risks(findings)) / 2
    texts = [rows.nth(i).inner_text() for i in range(rows.count())]
    leak_rows = [t for t in texts if "S5.cross_customer_leak" in t]
    assert len(leak_rows) == 1 and f"seen in {len(leaks)} places" in leak_rows[0], leak_rows
    assert all(("Who" not in t) for t in texts) and "developer" in " ".join(texts)
    assert page.locator(".la-stage-summary li").count() == 7
    # the full list: every finding needing attention, collapsed per problem, opened for print
    details = page.locator("#every-problem details")
    assert page.locator("#every-problem .la-instances li").count() == len(rank_risks(findings))
    assert details.count() == len(group_problems(findings))
    assert not page.evaluate("() => [...document.querySelectorAll('#every-problem details')].some(d => d.open)")
    page.emulate_media(media="print")
    page.evaluate("() => dispatchEvent(new Event('beforeprint'))")
    assert page.evaluate("() => [...document.querySelectorAll('#every-problem details')].every(d => d.open)")


def test_handover_renders_offline(browser, demo_run, shop):
    _, _, run_dir = demo_run
    page, problems, outside = open_offline(browser, run_dir / "handover.html")
    assert problems == [] and outside == []
    assert "Handover: brightbrew.test" in page.locator("h1").inner_text()
    assert page.locator("table.la-dns tbody tr").count() >= 4       # the domain map from stage 2
    text = page.locator("body").inner_text()
    # the live names stage 1 found, with the dangling one and the undeclared one called out
    assert "Names live under the domain" in text and "staging.brightbrew.test" in text
    assert "legacy.brightbrew.test" in text and "nothing (dangling)" in text
    # the mail setup stage 2 judged: SPF over its lookup limit with its tree, the weak DKIM key, DMARC
    assert "11 of 10 lookups" in text and "include:spf.crm.test" in text
    assert "rsa 1024" in text and "p=none" in text
    # how each host is reached, deployment, and every secret with its provider's rotation steps
    assert "CDN and redirects" in text and "redirects with temporary 302" in text
    assert "Deployment and rollback" in text and "not attested" in text
    assert "Secrets found" in text and "sk_live_" in text and "Roll key" in text and "Create access key" in text
    assert "SENDGRID_API_KEY" in text and "not in the inventory" in text
    for secret in shop.known_secrets():
        assert secret not in text
    page.screenshot(path=str(ARTIFACTS / "handover.png"), full_page=True)


HOSTILE = ("<script>document.title='pwned';console.log('pwned')</script>"
           "<img src=x onerror=\"document.title='pwned'\">[click](javascript:alert(1)) \x1b[31mred")


def test_hostile_evidence_is_inert_in_the_report(browser, tmp_path):
    # Given a run folder whose findings carry markup and script from a hostile site
    from launch_audit.checks import catalog
    from launch_audit.findings import Finding, Status
    from launch_audit.redact import Redactor
    from launch_audit.workbook.pipeline import rebuild_reports
    from launch_audit.writers import write_findings_json

    check = catalog.get("S2.https_redirect")
    findings = [Finding(check.id, 2, check.title, Status.FAIL, check.severity, check.impact,
                        target=f"http://evil.test/{HOSTILE}", evidence=HOSTILE, remediation="fix")]
    write_findings_json(tmp_path / "findings.json", "evil", "r1", findings, Redactor())
    (tmp_path / "run.json").write_text('{"stages": [2], "profile_summary": {"domain": "<b>evil</b>.test"}}')
    # When the reports are built and opened
    assert rebuild_reports(tmp_path) == {}
    page, problems, outside = open_offline(browser, tmp_path / "report.html")
    page.wait_for_timeout(500)
    # Then nothing ran: the title is ours, no console output, no request, and the text shows as text
    assert page.title() == "Launch readiness report"
    assert problems == [] and outside == []
    assert page.locator("img[src=x]").count() == 0 and page.locator("a[href^=javascript]").count() == 0
    assert "<script>document.title" in page.locator("body").inner_text()
