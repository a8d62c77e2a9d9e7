"""The SPF/DMARC corpus of benchmarks/ served by a real loopback DNS server, for the mail checks' tests."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from launch_audit.demo.dns_server import DemoDNS

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import mail_corpus  # noqa: E402 - the corpus lives with the benchmark that compares it with checkdmarc

CORPUS_DNS = ("127.0.22.53", 5353)


@pytest.fixture(scope="session")
def corpus_nameserver():
    server = DemoDNS(*CORPUS_DNS, mail_corpus.zone_text())
    server.start()
    yield f"{CORPUS_DNS[0]}:{CORPUS_DNS[1]}"
    server.stop()
