"""`launch-audit watch` against real servers: the demo shop with a host taken down mid-run, its SMTP server,
a local Slack-compatible receiver; SIGKILL mid-run; the record and the report."""

from __future__ import annotations

import email
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from aiohttp import web
from launch_audit.demo import DemoShop, Layout
from launch_audit.demo.shop import SMTP_LOGIN

from tests.helpers import AiohttpThread

pytestmark = pytest.mark.slow
WWW = "www.brightbrew.test"


@pytest.fixture(scope="module")
def watched(tmp_path_factory):
    """A hardened shop of its own (its hosts are taken down here), and a webhook receiver."""
    with DemoShop(tmp_path_factory.mktemp("watched"), Layout(prefix="127.0.64"), hardened=True) as shop:
        posts: list[dict] = []

        async def hook(request):
            posts.append(await request.json())
            return web.json_response({"ok": True})

        app = web.Application()
        app.add_routes([web.post("/hook", hook)])
        receiver = AiohttpThread("127.0.65.1", app)
        yield shop, posts, f"http://127.0.65.1:{receiver.port}/hook"
        receiver.stop()


def _profile(shop: DemoShop, folder: Path, hook_env: str = "TEST_WATCH_HOOK") -> Path:
    text = shop.write_profile().read_text().replace("p95_budget_ms: 500", "p95_budget_ms: 5000")
    text += f"""
watch:
  interval_s: 1
  down_after: 2
  window_rounds: 4
  reminder_s: 3600
  email: {{to: [owner@brightbrew.test], smtp: "{shop.layout.smtp_address}:{shop.layout.smtp_port}",
           ca_bundle: {shop.state_dir / 'ca.pem'}}}
  slack_webhook_env: {hook_env}
"""
    path = folder / "watch.yaml"
    path.write_text(text)
    return path


def _env(hook: str) -> dict[str, str]:
    return {**os.environ, "TEST_WATCH_HOOK": hook, "LAUNCH_AUDIT_SMTP_USER": SMTP_LOGIN[0],
            "LAUNCH_AUDIT_SMTP_PASSWORD": SMTP_LOGIN[1]}


def _watch(profile: Path, db: Path, env: dict[str, str], *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "launch_audit.cli", "watch", str(profile), "--db", str(db), *extra],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _mails(shop: DemoShop, since: float) -> list[email.message.Message]:
    box = shop.state_dir / "mailbox"
    return [email.message_from_bytes(p.read_bytes()) for p in sorted(box.glob("*"))
            if p.is_file() and p.stat().st_mtime >= since and b"launch-audit watch" in p.read_bytes()]


def _count(db: Path, sql: str = "SELECT COUNT(*) FROM rounds") -> int:
    """A count from the watch's record as another reader sees it (0 before the watch made it)."""
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=10) as con:
            return int(con.execute(sql).fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def _wait_for(predicate, timeout: float) -> float | None:
    """Seconds until ``predicate()`` held, or None."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if predicate():
            return time.monotonic() - start
        time.sleep(0.2)
    return None


def test_a_host_that_stops_gets_one_alert_per_route_then_a_recovery(watched, tmp_path):
    shop, posts, hook = watched
    posts.clear()
    since = time.time() - 1
    db = tmp_path / "watch.sqlite"
    proc = _watch(_profile(shop, tmp_path), db, _env(hook), "--for", "60s")
    try:
        assert _wait_for(lambda: _count(db) >= 3, 30), "no rounds recorded"
        assert posts == [] and _mails(shop, since) == []           # a healthy shop pages nobody
        shop.stop_host(WWW)
        took = _wait_for(lambda: len(posts) >= 1 and len(_mails(shop, since)) >= 1, 20)
        assert took is not None, (posts, proc.stdout)
        assert took < 2 * 2 + 8          # down_after 2 rounds of 1 s, plus delivery: within the threshold
        rounds = _count(db)              # three more rounds while it is down, each one a chance to page again
        assert _wait_for(lambda: _count(db) >= rounds + 3, 20), "the watch stopped recording rounds"
        alerts = [p["text"] for p in posts]
        assert len(alerts) == 1 and alerts[0].startswith(f"[launch-audit] DOWN: {WWW}"), alerts
        mails = _mails(shop, since)
        assert len(mails) == 1 and mails[0]["Subject"] == f"[launch-audit] DOWN: {WWW}"
        assert mails[0]["To"] == "owner@brightbrew.test"
        shop.start_host(WWW)
        assert _wait_for(lambda: len(posts) == 2 and len(_mails(shop, since)) == 2, 20), posts
        assert posts[1]["text"].startswith(f"[launch-audit] RECOVERED: {WWW}")
        assert _mails(shop, since)[1]["Subject"].startswith(f"[launch-audit] RECOVERED: {WWW}")
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
        shop.start_host(WWW) if _down(shop) else None
    assert proc.returncode == 0, out
    # the record: one incident, opened and closed, and the four deliveries
    con = sqlite3.connect(db)
    incidents = con.execute("SELECT kind, target, closed_at IS NOT NULL FROM incidents").fetchall()
    assert incidents == [("down", WWW, 1)]
    assert sorted(con.execute("SELECT notice, ok FROM deliveries").fetchall()) == [("alert", 1), ("alert", 1),
                                                                                    ("recovery", 1), ("recovery", 1)]
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def _down(shop: DemoShop) -> bool:
    import socket
    try:
        socket.create_connection((shop.layout.hosts[WWW], shop.layout.https_port), timeout=1).close()
        return False
    except OSError:
        return True


def test_sigkill_loses_no_recorded_round(watched, tmp_path):
    shop, _, hook = watched
    db = tmp_path / "watch.sqlite"
    proc = _watch(_profile(shop, tmp_path), db, _env(hook))
    assert _wait_for(lambda: _count(db) >= 4, 40)
    # the rounds the watch said it recorded, then a kill without warning
    proc.kill()
    out, _ = proc.communicate(timeout=30)
    said = [line for line in out.splitlines() if line.startswith("round ")]
    con = sqlite3.connect(db)
    rounds = con.execute("SELECT COUNT(*) FROM rounds").fetchone()[0]
    assert rounds >= len(said) >= 4                      # every round it reported is in the record
    assert con.execute("SELECT COUNT(DISTINCT round_id) FROM samples").fetchone()[0] == rounds
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # a restart goes on from the record
    again = _watch(_profile(shop, tmp_path), db, _env(hook), "--for", "2s")
    out, _ = again.communicate(timeout=60)
    assert again.returncode == 0, out
    assert f"round {rounds + 1}:" in out


def test_the_report_shows_uptime_incidents_and_latency(watched, tmp_path):
    shop, _, hook = watched
    db = tmp_path / "watch.sqlite"
    proc = _watch(_profile(shop, tmp_path), db, _env(hook), "--for", "3s")
    proc.communicate(timeout=60)
    report = tmp_path / "uptime.html"
    done = subprocess.run([sys.executable, "-m", "launch_audit.cli", "watch", str(_profile(shop, tmp_path)),
                           "--db", str(db), "--report", str(report)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    html = report.read_text()
    assert "<h2>Uptime</h2>" in html and f"https://{WWW}/" in html and "100.00 %" in html
    assert "No incident." in html and 'id="fig-0"' in html and "Plotly.newPlot" in html
    figure = json.loads(html.split('id="fig-0">', 1)[1].split("</script>", 1)[0])
    assert figure["data"] and figure["data"][0]["type"] == "scatter"
    assert any(axis.get("title", {}).get("text") == "seconds since the first round"
               for key, axis in figure["layout"].items() if key.startswith("xaxis"))


@pytest.fixture
def two_vantage_points(watched):
    """A Dask scheduler and two workers in their own processes: vantage-a, and vantage-b whose path to the
    shop's addresses is broken."""
    from distributed import LocalCluster
    shop = watched[0]
    cluster = LocalCluster(n_workers=0, host="127.0.66.1", scheduler_port=0, dashboard_address=None)
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root), "LAUNCH_AUDIT_TEST_BAD_PATH": shop.layout.prefix}
    workers = []
    for name, preload in (("vantage-a", []), ("vantage-b", ["--preload", "tests.watch.bad_path"])):
        workers.append(subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_worker", cluster.scheduler_address, "--name", name,
             "--nthreads", "1", "--no-nanny", "--host", "127.0.66.1", "--no-dashboard", *preload],
            env=env, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    from distributed import Client
    with Client(cluster.scheduler_address) as client:
        client.wait_for_workers(2, timeout=60)
    yield cluster.scheduler_address
    for w in workers:
        w.terminate()
        w.wait(timeout=30)
    cluster.close()


def test_one_bad_vantage_point_raises_no_incident_but_two_agreeing_do(watched, two_vantage_points, tmp_path):
    shop, posts, hook = watched
    posts.clear()
    db = tmp_path / "watch.sqlite"
    proc = _watch(_profile(shop, tmp_path), db, _env(hook), "--scheduler", two_vantage_points, "--for", "90s")
    try:
        assert _wait_for(lambda: _count(db, "SELECT COUNT(*) FROM rounds WHERE vantages = 'vantage-a,vantage-b'")
                         >= 4, 60), proc
        con = sqlite3.connect(db, timeout=10)
        # vantage-b sees nothing answer, vantage-a sees everything up: no incident, nobody paged
        by_vantage = dict(con.execute("SELECT vantage, SUM(ms IS NOT NULL) FROM samples GROUP BY vantage").fetchall())
        assert by_vantage["vantage-b"] == 0 and by_vantage["vantage-a"] > 0, by_vantage
        assert con.execute("SELECT COUNT(*) FROM incidents").fetchone()[0] == 0 and posts == []
        # when the host really stops, both agree: one incident, one alert
        shop.stop_host(WWW)
        assert _wait_for(lambda: len(posts) >= 1, 30), posts
        assert posts[0]["text"].startswith(f"[launch-audit] DOWN: {WWW}")
        assert "2 of 2 vantage points" in posts[0]["text"]
    finally:
        if _down(shop):
            shop.start_host(WWW)
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out
