"""S2.spf and S2.dmarc against checkdmarc on the same corpus, served by one loopback DNS server.

    pip install -e '.[bench]'        # checkdmarc
    python3 benchmarks/spf_dmarc_accuracy.py [repeats]

Prints every case's verdict from both tools (pass/warn/fail by the rules of spec/checks.md; for
checkdmarc: invalid → fail, the spec's weak settings or any warning it gives → warn), the cases where they differ with
the clause that decides, and wall times: checkdmarc one domain after another (it is synchronous),
ours one after another and all at once (as a batch does), with the DNS server answering at once and
after 20 ms (a resolver's round trip on the internet).
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import mail_corpus  # noqa: E402

from launch_audit.checks import catalog  # noqa: E402
from launch_audit.checks.runner import run_checks  # noqa: E402
from launch_audit.demo.dns_server import DemoDNS  # noqa: E402
from launch_audit.profile_loader import load_profile  # noqa: E402

DNS = ("127.0.32.53", 5353)          # its own address: the benchmark shops use 127.0.30.53
NAMESERVER = f"{DNS[0]}:{DNS[1]}"


# ------------------------------------------------------------------ checkdmarc, mapped to our statuses

def peer_verdict(case: mail_corpus.Case) -> tuple[str, str]:
    """checkdmarc's answer as a status: invalid → fail; the spec's weak settings or any warning → warn."""
    import dns.nameserver
    from checkdmarc.dmarc import check_dmarc
    from checkdmarc.spf import check_spf

    ns = [dns.nameserver.Do53Nameserver(*DNS)]
    domain = mail_corpus.audited_domain(case)
    if case.kind == "spf":
        r = check_spf(domain, nameservers=ns, timeout=3)
        if not r.get("valid"):
            return "fail", str(r.get("error", ""))[:110]
        all_q = (r.get("parsed") or {}).get("all")
        if (r.get("dns_lookups") or 0) > 10 or all_q in ("pass", "neutral"):
            return "fail", f"all={all_q}, {r.get('dns_lookups')} lookups"
        weak = (["all=softfail"] if all_q == "softfail" else []) + list(r.get("warnings") or [])
        return ("warn", "; ".join(weak)[:110]) if weak else ("pass", f"all={all_q}, {r.get('dns_lookups')} lookups")
    r = check_dmarc(domain, nameservers=ns, timeout=3)
    if not r.get("valid"):
        return "fail", str(r.get("error", ""))[:110]
    tags = r.get("tags") or {}
    p = (tags.get("p") or {}).get("value")
    weak = (["p=none"] if p == "none" else []) + (["no rua"] if not tags.get("rua") else [])
    weak += list(r.get("warnings") or [])
    return ("warn", "; ".join(weak)[:110]) if weak else ("pass", f"p={p}")


# ------------------------------------------------------------------ ours

def profiles(folder: Path) -> dict[str, object]:
    out = {}
    for case in mail_corpus.CASES:
        path = folder / f"{case.name}.yaml"
        path.write_text(mail_corpus.profile_yaml(mail_corpus.audited_domain(case), NAMESERVER))
        out[case.name] = load_profile(path)
    return out


async def ours_one(case: mail_corpus.Case, profile) -> tuple[str, str, float]:
    started = time.perf_counter()
    [finding] = await run_checks(profile, [catalog.get(f"S2.{case.kind}")])
    return finding.status.value, finding.evidence.splitlines()[0][:110], time.perf_counter() - started


async def ours_all(loaded: dict) -> tuple[dict[str, tuple[str, str, float]], float]:
    started = time.perf_counter()
    results = await asyncio.gather(*(ours_one(c, loaded[c.name]) for c in mail_corpus.CASES))
    return {c.name: r for c, r in zip(mail_corpus.CASES, results)}, time.perf_counter() - started


async def ours_sequential(loaded: dict) -> list[float]:
    return [(await ours_one(c, loaded[c.name]))[2] for c in mail_corpus.CASES]


def measure(repeats: int, delay_ms: float) -> tuple[dict, dict, dict[str, list[float]]]:
    """Verdicts of both tools and timings: per-domain lists and whole-corpus walls."""
    server = DemoDNS(*DNS, mail_corpus.zone_text(), delay_s=delay_ms / 1000)
    server.start()
    times: dict[str, list[float]] = {"peer_domain": [], "ours_domain": [], "peer_total": [], "ours_total": [],
                                     "ours_at_once": []}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            loaded = profiles(Path(tmp))
            ours, peer = {}, {}
            for _ in range(repeats):
                ours, wall = asyncio.run(ours_all(loaded))
                times["ours_at_once"].append(wall)
                seq = asyncio.run(ours_sequential(loaded))
                times["ours_domain"] += seq
                times["ours_total"].append(sum(seq))
                total = 0.0
                for case in mail_corpus.CASES:
                    t0 = time.perf_counter()
                    peer[case.name] = peer_verdict(case)
                    took = time.perf_counter() - t0
                    times["peer_domain"].append(took)
                    total += took
                times["peer_total"].append(total)
    finally:
        server.stop()
    return ours, peer, times


def main(repeats: int) -> None:
    n = len(mail_corpus.CASES)
    ours, peer, times = measure(repeats, 0)
    print(f"{n} cases ({sum(c.kind == 'spf' for c in mail_corpus.CASES)} SPF, "
          f"{sum(c.kind == 'dmarc' for c in mail_corpus.CASES)} DMARC), served by {NAMESERVER}\n")
    print(f"{'case':30} {'expected':8} {'ours':5} {'checkdmarc':10}")
    differ = []
    for case in mail_corpus.CASES:
        o, p = ours[case.name][0], peer[case.name][0]
        mark = "" if o == p else "  <- differs"
        print(f"{case.name:30} {case.expected:8} {o:5} {p:10}{mark}")
        if o != p:
            differ.append(case)
    right_ours = sum(ours[c.name][0] == c.expected for c in mail_corpus.CASES)
    right_peer = sum(peer[c.name][0] == c.expected for c in mail_corpus.CASES)
    print(f"\nagree on {n - len(differ)}/{n}; the corpus's expected verdict (spec rule, then RFC): "
          f"ours {right_ours}/{n}, checkdmarc {right_peer}/{n}")
    if differ:
        print("\nwhere they differ (expected verdict and the clause that decides):")
        for case in differ:
            print(f"- {case.name}: expected {case.expected} — {case.why}")
            print(f"    ours:       {ours[case.name][0]}: {ours[case.name][1]}")
            print(f"    checkdmarc: {peer[case.name][0]}: {peer[case.name][1]}")

    med = statistics.median
    for delay_ms in (0, 20):
        if delay_ms:
            _, _, times = measure(repeats, delay_ms)
        print(f"\nwall time with {delay_ms} ms per DNS answer, median of {repeats} runs of {n} domains:")
        print(f"  checkdmarc, one domain after another: {med(times['peer_total']):6.2f} s "
              f"(median {med(times['peer_domain']) * 1000:6.1f} ms per domain)")
        print(f"  ours, one domain after another:       {med(times['ours_total']):6.2f} s "
              f"(median {med(times['ours_domain']) * 1000:6.1f} ms per domain)")
        print(f"  ours, all domains at once:            {med(times['ours_at_once']):6.2f} s")
        print(f"  per domain, checkdmarc / ours: {med(times['peer_domain']) / med(times['ours_domain']):.1f}x; "
              f"whole corpus, checkdmarc / ours at once: {med(times['peer_total']) / med(times['ours_at_once']):.1f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
