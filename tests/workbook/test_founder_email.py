"""The founder email from a real demo run: the .eml parses with both alternatives, a real PNG of the latency
chart embedded by Content-ID, both reports attached and no secret; sent through the demo's SMTP server
with STARTTLS (demo CA) and a login; a refused login and a dead server give a clear error, exit 3, .eml kept."""

from __future__ import annotations

import email
import struct
import zlib
from email import policy

import pytest
from launch_audit.cli import main
from launch_audit.demo.shop import SMTP_LOGIN

TO = "owner@brightbrew.test"


def parts_of(raw: bytes):
    msg = email.message_from_bytes(raw, policy=policy.default)
    return msg, list(msg.walk())


def png_facts(png: bytes) -> tuple[int, int, int]:
    """(width, height, distinct byte values of the decompressed image data): a blank PNG has very few."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    idat, pos = b"", 8
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        if kind == b"IDAT":
            idat += png[pos + 8:pos + 8 + length]
        pos += 12 + length
    return width, height, len(set(zlib.decompress(idat)))


def test_dry_run_writes_a_complete_email(demo_run, shop):
    _, _, run_dir = demo_run
    assert main(["email", str(run_dir), "--to", TO, "--dry-run"]) == 0
    raw = (run_dir / "email.eml").read_bytes()
    msg, parts = parts_of(raw)
    assert msg["To"] == TO and "brightbrew.test" in msg["Subject"]
    types = [p.get_content_type() for p in parts]
    assert types[:4] == ["multipart/mixed", "multipart/alternative", "text/plain", "multipart/related"]
    html = next(p for p in parts if p.get_content_type() == "text/html" and not p.get_filename()).get_content()
    image = next(p for p in parts if p.get_content_type() == "image/png")
    assert f"cid:{image['Content-ID'][1:-1]}" in html                     # the HTML shows the embedded chart
    width, height, variety = png_facts(image.get_payload(decode=True))
    assert width == 900 and height >= 420 and variety > 50               # a drawn chart, not a blank image
    assert {p.get_filename() for p in parts if p.get_filename() and p.get_content_type() == "text/html"} == {
        "report.html", "handover.html"}
    assert "<script" not in html.lower() and "Fix these first" in html
    # light enough for any mailbox and a phone: the report embeds only the plotly.js its charts need
    assert (run_dir / "report.html").stat().st_size <= 1_500_000 and len(raw) <= 2_500_000
    decoded = b" ".join(p.get_payload(decode=True) or b"" for p in parts if not p.is_multipart())
    leaked = [s[:6] for s in shop.known_secrets() if s.encode() in decoded or s.encode() in raw]
    assert not leaked


def test_sent_through_smtp_with_starttls_and_login(demo_run, shop, monkeypatch):
    _, _, run_dir = demo_run
    monkeypatch.setenv("LAUNCH_AUDIT_SMTP_USER", SMTP_LOGIN[0])
    monkeypatch.setenv("LAUNCH_AUDIT_SMTP_PASSWORD", SMTP_LOGIN[1])
    before = len(shop.smtp.messages)
    smtp = f"{shop.layout.smtp_address}:{shop.layout.smtp_port}"
    assert main(["email", str(run_dir), "--to", TO, "--smtp", smtp, "--ca-bundle", str(shop.state_dir / "ca.pem")]) == 0
    assert len(shop.smtp.messages) == before + 1
    msg, parts = parts_of(shop.smtp.messages[-1])
    assert msg["To"] == TO and any(p.get_content_type() == "image/png" for p in parts)


@pytest.mark.parametrize("case", ["wrong login", "dead server", "untrusted certificate"])
def test_send_failures_are_clear_and_keep_the_eml(demo_run, shop, monkeypatch, capsys, case):
    _, _, run_dir = demo_run
    (run_dir / "email.eml").unlink(missing_ok=True)
    monkeypatch.setenv("LAUNCH_AUDIT_SMTP_USER", SMTP_LOGIN[0])
    monkeypatch.setenv("LAUNCH_AUDIT_SMTP_PASSWORD", "wrong" if case == "wrong login" else SMTP_LOGIN[1])
    smtp = f"{shop.layout.smtp_address}:{shop.layout.smtp_port}" if case != "dead server" else f"{shop.layout.ip(199)}:2525"
    ca = [] if case == "untrusted certificate" else ["--ca-bundle", str(shop.state_dir / "ca.pem")]
    assert main(["email", str(run_dir), "--to", TO, "--smtp", smtp, *ca]) == 3
    err = capsys.readouterr().err
    assert "not sent" in err and "email.eml" in err
    assert {"wrong login": "refused the login", "dead server": "cannot connect",
            "untrusted certificate": "TLS failed"}[case] in err
    assert (run_dir / "email.eml").is_file()


def test_bad_input(tmp_path, capsys):
    assert main(["email", str(tmp_path), "--to", TO, "--dry-run"]) == 2
    assert "not a run folder" in capsys.readouterr().err
