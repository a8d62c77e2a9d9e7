"""S2.spf and S2.dmarc against every case of the benchmark's corpus, served by a real loopback DNS server:
each verdict must be the one RFC 7208 / RFC 7489 and the spec give (the case says why)."""

from __future__ import annotations

import pytest
from launch_audit.checks import catalog
from launch_audit.checks.runner import run_checks
from launch_audit.profile_loader import load_profile

from tests.checks.conftest import mail_corpus


def test_the_corpus_is_big_enough_and_covers_both_records():
    kinds = [c.kind for c in mail_corpus.CASES]
    assert len(kinds) >= 40 and kinds.count("spf") >= 30 and kinds.count("dmarc") >= 12
    assert len({c.name for c in mail_corpus.CASES}) == len(kinds)
    assert {c.expected for c in mail_corpus.CASES} == {"pass", "warn", "fail"}


@pytest.mark.parametrize("case", mail_corpus.CASES, ids=lambda c: c.name)
async def test_corpus_case(case, corpus_nameserver, tmp_path):
    domain = mail_corpus.audited_domain(case)
    path = tmp_path / "profile.yaml"
    path.write_text(mail_corpus.profile_yaml(domain, corpus_nameserver))
    [finding] = await run_checks(load_profile(path), [catalog.get(f"S2.{case.kind}")])
    assert finding.status.value == case.expected, f"{case.why}\n{finding.evidence}"
