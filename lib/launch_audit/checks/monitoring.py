"""S6.availability, S6.latency_p95, S6.error_rate: one sampling window, three verdicts.

The three checks share one set of samples (taken once per run by whichever
check asks first); the samples go to the run's latency.csv and the charts.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from ..findings import Status
from ..monitoring import Sample, plan_series, sample_all, summarize
from ..monitoring.percentiles import METHOD
from .base import CheckContext

AVAILABILITY_BAR = 99.9     # percent of probes that must be 2xx
ERROR_RATE_BAR = 1.0        # percent of answers that may be 5xx


def _codes(samples: list[Sample]) -> str:
    counts = Counter(str(s.status) for s in samples)
    return ", ".join(f"{code} ×{n}" for code, n in sorted(counts.items()))


def judge_availability(samples: list[Sample], window_s: float) -> tuple[Status, str, dict[str, Any]]:
    """Pure: one series' probes against the 99.9 % bar; details hold the figures reports show."""
    if not samples:
        return Status.ERROR, "no probes were sent", {}
    ok = sum(s.ok for s in samples)
    answered = [s for s in samples if s.status != "error"]
    if not answered:
        why = samples[-1].error or "no answer"
        return Status.ERROR, f"no probe got an answer ({len(samples)} tried): {why}", {"probes": len(samples)}
    share = 100 * ok / len(samples)
    details = {"ok": ok, "probes": len(samples), "ok_percent": round(share, 3)}
    text = f"{ok} of {len(samples)} probes 2xx ({share:.1f} %) over {window_s:g} s; answers: {_codes(samples)}"
    if share < AVAILABILITY_BAR:
        return Status.FAIL, text + f" — under the {AVAILABILITY_BAR} % bar", details
    return Status.PASS, text, details


def judge_latency(samples: list[Sample], budget_ms: float) -> tuple[Status, str, dict[str, Any]]:
    """Pure: p95 of the 2xx chat replies against the budget. Throttled or failed requests are not latencies."""
    good = [s.ms for s in samples if s.ok and s.ms is not None]
    left_out = [s for s in samples if not (s.ok and s.ms is not None)]
    aside = f"; left out (not 2xx): {_codes(left_out)}" if left_out else ""
    summary = summarize(good)
    if summary is None:
        return Status.ERROR, f"no 2xx chat reply to measure ({_codes(samples) or 'no samples'})", {}
    details = {"summary": summary.as_dict(), "budget_ms": budget_ms, "method": METHOD}
    text = summary.describe() + f"; budget {budget_ms:g} ms{aside}"
    if summary.p95 > budget_ms:
        return Status.FAIL, text, details
    return Status.PASS, text, details


def judge_error_rate(samples: list[Sample]) -> tuple[Status, str]:
    """Pure: share of 5xx among the answers over the window."""
    answered = [s for s in samples if s.status != "error"]
    if not answered:
        return Status.ERROR, f"no answers to count ({len(samples)} requests failed to connect or timed out)"
    bad = [s for s in answered if s.is_5xx]
    rate = 100 * len(bad) / len(answered)
    text = f"{len(bad)} of {len(answered)} answers were 5xx ({rate:.2f} %)"
    unanswered = len(samples) - len(answered)
    if unanswered:
        text += f"; {unanswered} requests got no answer (counted by S6.availability)"
    if bad:
        text += f"; 5xx from: {', '.join(sorted({s.series for s in bad}))}"
    return (Status.FAIL if rate > ERROR_RATE_BAR else Status.PASS), text


async def _collect(ctx: CheckContext) -> dict[str, Any]:
    assert ctx.net is not None
    mon = ctx.profile.monitoring
    plans, notes = await plan_series(ctx.profile, ctx.net, ctx.net.budget.left)
    samples = await sample_all(ctx.net, plans, mon.window_s, mon.concurrency)
    data = {"plans": [{"name": p.name, "kind": p.kind, "method": p.method, "url": p.url, "n": p.n, "note": p.note}
                      for p in plans], "notes": notes, "window_s": mon.window_s,
            "budget_ms": mon.p95_budget_ms, "samples": [s.as_row() for s in samples]}
    ctx.run.monitoring = data
    return data


async def shared_samples(ctx: CheckContext) -> tuple[list[Sample], dict[str, Any]]:
    """The run's samples, taken once: the first check to ask starts the window, the others wait for it.
    Samples lost to an outage one of our own probes caused are left out (``lost_note`` says so)."""
    data = await ctx.once("stage6-window", _collect)
    judged = [s for s in map(Sample.from_row, data["samples"]) if s.judged]
    ctx.observe("samples", len(judged))          # taken once for the run, read by each caller
    return judged, data


def lost_note(data: dict[str, Any], series: str | None = None) -> str:
    """Pure: what the verdict leaves out because our own probe had made the target stop answering."""
    lost = [Sample.from_row(r) for r in data["samples"]]
    lost = [s for s in lost if not s.judged and (series is None or s.series == series)]
    if not lost:
        return ""
    return f"; {len(lost)} requests not judged ({lost[0].error})"


def _by_series(samples: list[Sample]) -> dict[str, list[Sample]]:
    out: dict[str, list[Sample]] = defaultdict(list)
    for s in samples:
        out[s.series].append(s)
    return out


async def check_availability(ctx: CheckContext):
    samples, data = await shared_samples(ctx)
    series = _by_series(samples)
    if not any(p["kind"] != "chat" for p in data["plans"]):
        yield ctx.finding(Status.SKIP, ctx.profile.domain, "nothing to sample")
        return
    urls = {p["name"]: p["url"] for p in data["plans"]}
    for plan in data["plans"]:            # a series whose every sample fell into an outage we caused
        if plan["kind"] != "chat" and plan["name"] not in series and lost_note(data, plan["name"]):
            yield ctx.finding(Status.SKIP, f"GET {plan['url']}", "nothing to judge" + lost_note(data, plan["name"]))
    for name, rows in series.items():
        if name == "chat":
            continue
        status, text, figures = judge_availability(rows, data["window_s"])
        text += lost_note(data, name)
        ok = [s.ms for s in rows if s.ok and s.ms is not None]
        summary = summarize(ok)
        yield ctx.finding(status, f"GET {urls.get(name, name)}", text,
                          details={"series": name, "summary": summary.as_dict() if summary else None,
                                   "notes": data["notes"], **figures})


async def check_latency_p95(ctx: CheckContext):
    samples, data = await shared_samples(ctx)
    chat = [s for s in samples if s.series == "chat"]
    plan = next((p for p in data["plans"] if p["kind"] == "chat"), None)
    if plan is None:
        notes = "; ".join(n for n in data["notes"] if n.startswith("chat")) or "no chat series"
        yield ctx.finding(Status.SKIP, ctx.profile.domain, notes)
        return
    status, text, details = judge_latency(chat, data["budget_ms"])
    text += lost_note(data, "chat")
    notes = [n for n in data["notes"] if n.startswith("chat")]
    if notes:
        text += " (" + "; ".join(notes) + ")"
    target = f"{plan['method']} {plan['url']}" + (f" ({plan['note']})" if plan["note"] else "")
    yield ctx.finding(status, target, text, details=details | {"series": "chat"})


async def check_error_rate(ctx: CheckContext):
    samples, data = await shared_samples(ctx)
    if not samples:
        yield ctx.finding(Status.SKIP, ctx.profile.domain, "nothing was sampled")
        return
    status, text = judge_error_rate(samples)
    text += lost_note(data)
    yield ctx.finding(status, f"{len(_by_series(samples))} series over {data['window_s']:g} s", text,
                      details={"requests": len(samples)})
