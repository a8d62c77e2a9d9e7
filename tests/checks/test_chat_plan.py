"""Stage 5's conversation budget (issue 19, item 4), as a pure plan: probes spread over the accounts the
profile allows under a per-account chat limit, never a B-marker probe as B, the most damaging categories
kept when a time budget cuts, and an estimate the run prints before it starts."""

from __future__ import annotations

import pytest
from launch_audit.redteam.plan import PRIORITY, WINDOW_S, messages_of, plan_conversations
from launch_audit.redteam.probes import CATEGORIES, Probe, for_check

STAGE5 = [p for check in CATEGORIES.values() for p in for_check(check)]


def _probe(pid: str, category: str = "system_prompt_leak", turns: int = 1, detectors=("prompt_leak",)) -> Probe:
    return Probe(pid, category, CATEGORIES[category], "t", tuple(f"turn {i}" for i in range(turns)), detectors)


def test_probes_are_spread_over_the_accounts_and_never_look_for_b_as_b():
    plan = plan_conversations(STAGE5, ["red_team", "a", "b"], 30, fixed={"a": 8})
    total = sum(messages_of(p) for p in STAGE5) + 8
    assert sum(plan.load.values()) == total and max(plan.load.values()) - min(plan.load.values()) <= 10
    as_b = [p for p in STAGE5 if plan.assigned[p.id] == "b"]
    assert as_b and not any("b_markers" in p.detectors for p in as_b)
    assert not plan.skipped
    # whole windows: the busiest account's messages past its first 30
    busiest = max(plan.load.values())
    assert plan.expected_s >= ((busiest - 1) // 30) * WINDOW_S
    assert plan.line().startswith(f"stage 5: {len(STAGE5)} probes, chat limit 30/min per account, 3 accounts: about")


@pytest.mark.parametrize("accounts, per_minute, exempt, senders, limited", [
    (["red_team", "a", "b"], 30, ["red_team"], ["red_team"], None),   # the shop lifted the red team's limit
    (["red_team", "a", "b"], None, [], ["red_team"], None),           # no limit: one account, as always
    (["a", "b"], 30, ["red_team"], ["a", "b"], 30),                   # exempt, but no red-team token set
    (["a"], 10, [], ["a"], 10),
])
def test_who_sends(accounts, per_minute, exempt, senders, limited):
    plan = plan_conversations(STAGE5, accounts, per_minute, exempt=exempt)
    assert plan.accounts == senders and plan.per_minute == limited
    assert set(plan.assigned.values()) <= set(senders) and not plan.skipped


def test_a_time_budget_keeps_the_most_damaging_probes_and_lists_the_rest():
    probes = [_probe(f"esc-{i}", "human_escalation") for i in range(10)] + \
             [_probe(f"leak-{i}", "cross_customer_leak", detectors=("b_markers",)) for i in range(10)]
    plan = plan_conversations(probes, ["a"], 12, budget_s=30)      # one window fits: 12 messages
    assert sum(plan.load.values()) == 12
    assert [p for p in plan.assigned if p.startswith("leak")] == [f"leak-{i}" for i in range(10)]
    assert plan.skipped == {"S5.human_escalation": [f"esc-{i}" for i in range(2, 10)]}
    assert "(8 of 20 left out to fit the 30 s time budget)" in plan.line()
    # two windows fit 24: nothing left out
    assert not plan_conversations(probes, ["a"], 12, budget_s=70).skipped


def test_a_multi_turn_probe_counts_each_message_and_max_turns_caps_it():
    assert messages_of(_probe("x", turns=5)) == 5 and messages_of(_probe("x", turns=5), max_turns=2) == 2
    plan = plan_conversations([_probe("x", turns=5), _probe("y", turns=5)], ["a", "b"], 5, budget_s=10)
    assert plan.load == {"a": 5, "b": 5} and not plan.skipped


def test_priority_names_every_category():
    assert sorted(PRIORITY) == sorted(CATEGORIES)
