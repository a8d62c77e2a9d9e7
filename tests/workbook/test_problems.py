"""Problems, not instances (issue 20, item 4): the pure grouping behind "Fix these first"."""

from __future__ import annotations

from launch_audit.findings import Finding, Impact, Severity, Status
from launch_audit.checks import catalog
from launch_audit.workbook.problems import EFFORT_BY_CHECK, WHO_BY_CHECK, group_problems, stage_sentence

FIX = "Scope the bot's order tool to the signed-in customer."


def _f(check: str, target: str, status=Status.FAIL, severity=Severity.HIGH, impact=Impact.DATA_EXPOSURE,
       fix: str = FIX, title: str = "t", stage: int = 5) -> Finding:
    return Finding(check, stage, title, status, severity, impact, target, "evidence", fix)


def test_instances_of_one_check_and_fix_are_one_problem_ranked_by_impact_then_severity():
    leaks = [_f("S5.cross_customer_leak", f"ccl-{i}") for i in range(12)]
    spam = _f("S2.dmarc", "brightbrew.test", severity=Severity.CRITICAL, impact=Impact.SPAM, fix="p=reject",
              stage=2)
    other_fix = _f("S5.cross_customer_leak", "ccl-x", fix="Another root cause")
    passed = _f("S4.cors", "api", status=Status.PASS)
    problems = group_problems([spam, *leaks, other_fix, passed])
    assert [(p.check_id, p.count) for p in problems] == [
        ("S5.cross_customer_leak", 12), ("S5.cross_customer_leak", 1), ("S2.dmarc", 1)]   # data exposure first
    top = problems[0]
    assert [f.target for f in top.examples] == ["ccl-0", "ccl-1"] and top.fix == FIX
    assert top.who == "developer" and "a day" in top.effort
    assert problems[2].who == "DNS/hosting panel"


def test_failures_and_warnings_before_what_could_not_be_tested():
    broke = _f("S4.bola", "orders", status=Status.ERROR, severity=Severity.CRITICAL, stage=4)
    warned = _f("S2.hsts", "www", status=Status.WARN, severity=Severity.LOW, impact=Impact.SPAM, stage=2)
    assert [p.check_id for p in group_problems([broke, warned])] == ["S2.hsts", "S4.bola"]


def test_one_sentence_per_stage():
    findings = [_f("S5.cross_customer_leak", "a"), _f("S5.cross_customer_leak", "b"),
                _f("S5.human_escalation", "c", status=Status.PASS), _f("S5.cost_abuse", "d", status=Status.SKIP)]
    assert stage_sentence(5, "Chatbot red teaming", findings) == (
        "Stage 5 (Chatbot red teaming): 1 problem to fix, the worst high; 1 check passed; "
        "1 result could not be tested (see the stage).")
    assert stage_sentence(2, "Domain", findings) == "Stage 2 (Domain): not run."


def test_who_and_effort_name_only_checks_of_the_catalog():
    assert set(WHO_BY_CHECK) | set(EFFORT_BY_CHECK) <= set(catalog.CATALOG)
