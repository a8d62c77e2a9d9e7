"""What one real message proves about the domain's mail authentication: its DKIM signatures verified
against the published keys, SPF for the IP it came from, DMARC alignment of From with both (RFC 7489
§3.1, §4.2), and what the receiving server wrote in Authentication-Results (RFC 8601)."""

from __future__ import annotations

import email.parser
import email.policy
import email.utils
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import dkim

from .domains import aligned
from .spf import SpfResult

_RECEIVED_IP = re.compile(r"\[(?:IPv6:)?([0-9A-Fa-f:.]+)\]")
_RECEIVED_HELO = re.compile(r"^\s*from\s+(\S+)", re.I)
_AR_METHOD = re.compile(r"\b(spf|dkim|dmarc)\s*=\s*([A-Za-z]+)", re.I)
_TAG = re.compile(r"\b([a-z])\s*=\s*([^;]*)")


@dataclass
class Facts:
    """The header facts of a message, read without trusting any of them."""

    from_domains: list[str]
    mail_from: str | None               # the envelope sender the receiver recorded (Return-Path)
    client_ip: str | None               # the IP the receiving server saw (its Received header)
    helo: str | None
    provider_results: dict[str, str]    # method -> result, from the topmost Authentication-Results
    signatures: list[dict[str, str]]    # d= and s= of each DKIM-Signature

    @property
    def mail_from_domain(self) -> str | None:
        return self.mail_from.rpartition("@")[2].lower() if self.mail_from and "@" in self.mail_from else None


def read_facts(raw: bytes) -> Facts:
    """Pure: the headers a verdict needs. The topmost Received and Authentication-Results are the ones
    the final receiving server added; anything below could have been written by the sender."""
    msg = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(raw)
    from_domains = [addr.rpartition("@")[2].lower().rstrip(">") for _, addr in
                    email.utils.getaddresses([str(v) for v in msg.get_all("From", [])]) if "@" in addr]
    return_path = email.utils.parseaddr(str(msg.get("Return-Path", "")))[1] or None
    received = [str(v) for v in msg.get_all("Received", [])]
    client_ip = helo = None
    if received:
        m = _RECEIVED_IP.search(received[0])
        client_ip = m.group(1) if m else None
        h = _RECEIVED_HELO.search(received[0])
        helo = h.group(1) if h else None
    results: dict[str, str] = {}
    ar = msg.get_all("Authentication-Results", [])
    if ar:
        for method, result in _AR_METHOD.findall(str(ar[0])):
            results.setdefault(method.lower(), result.lower())
    signatures = []
    for sig in msg.get_all("DKIM-Signature", []):
        tags = {k: re.sub(r"\s+", "", v) for k, v in _TAG.findall(re.sub(r"\s+", " ", str(sig)))}
        signatures.append({"d": tags.get("d", "").lower(), "s": tags.get("s", "")})
    return Facts(from_domains, return_path, client_ip, helo, results, signatures)


@dataclass
class DkimOutcome:
    domain: str
    selector: str
    ok: bool
    reason: str = ""
    key_bits: int | None = None


def verify_dkim(raw: bytes, txt_lookup: Callable[[str], bytes | None]) -> list[DkimOutcome]:
    """Every DKIM-Signature verified with dkimpy, the key fetched by ``txt_lookup`` (our resolver).
    Blocking: run it in a thread. A DNS failure other than "no such key" propagates."""
    count = len(email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(raw)
                .get_all("DKIM-Signature", []))
    outcomes = []
    for idx in range(count):
        signer = dkim.DKIM(raw, minkey=1024)
        try:
            ok = signer.verify(idx=idx, dnsfunc=lambda name, timeout=5: txt_lookup(name.decode().rstrip(".")))
            reason = "" if ok else ("no usable key published at the selector, or the signature does not match "
                                    "(the message was changed after signing)")
        except dkim.DKIMException as e:
            ok, reason = False, str(e)
        outcomes.append(DkimOutcome(_text(signer.domain).lower(), _text(signer.selector),
                                    bool(ok), reason, getattr(signer, "keysize", None) if ok else None))
    return outcomes


def _text(value: bytes | str | None) -> str:
    """dkimpy leaves a signature's d= and s= as bytes, or as str when it gave up parsing early."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value or ""


@dataclass
class SampleVerdict:
    status: str                         # pass / warn / fail / error
    summary: str
    lines: list[str] = field(default_factory=list)

    @property
    def evidence(self) -> str:
        return "\n".join([self.summary, *self.lines])


def judge_sample(facts: Facts, dkim_outcomes: list[DkimOutcome], spf: SpfResult | None,
                 dmarc_tags: dict[str, str] | None) -> SampleVerdict:
    """Pure: SPF, DKIM and DMARC alignment of one message. ``spf`` is None when the sample does not
    say which IP it came from; ``dmarc_tags`` None when the From domain publishes no DMARC."""
    domains = sorted(set(facts.from_domains))
    if len(domains) != 1:
        return SampleVerdict("fail", f"From holds {len(domains) or 'no'} domain(s) {', '.join(domains)}: "
                                     "receivers cannot apply DMARC (RFC 7489 §6.6.1)")
    from_domain = domains[0]
    tags = dmarc_tags or {}
    adkim, aspf = tags.get("adkim", "r").lower(), tags.get("aspf", "r").lower()
    lines, problems = [], []

    if not dkim_outcomes:
        problems.append("not DKIM-signed")
    for o in dkim_outcomes:
        where = f"d={o.domain} s={o.selector}"
        if o.ok:
            al = aligned(o.domain, from_domain, adkim)
            lines.append(f"DKIM {where}: verified" + (f" (RSA {o.key_bits})" if o.key_bits else "")
                         + (", aligned with From" if al else f", not aligned with From {from_domain} (adkim={adkim})"))
        else:
            problems.append(f"DKIM {where} fails: {o.reason}")
            lines.append(f"DKIM {where}: FAILS — {o.reason}")
    dkim_aligned = any(o.ok and aligned(o.domain, from_domain, adkim) for o in dkim_outcomes)

    mf = facts.mail_from_domain
    spf_aligned = False
    if spf is None:
        lines.append("SPF: not evaluated (the sample has no Received header with the sender's IP, or no Return-Path)")
    else:
        spf_aligned = spf.result == "pass" and aligned(spf.domain, from_domain, aspf)
        lines.append(f"SPF {spf.result} for {facts.client_ip} sending as {spf.domain} ({spf.mechanism})"
                     + (", aligned with From" if spf_aligned else
                        "" if spf.result != "pass" else f", not aligned with From {from_domain} (aspf={aspf})"))
        if spf.result in ("fail", "softfail", "permerror"):
            problems.append(f"SPF {spf.result} for {facts.client_ip} as {mf}")
        elif spf.result == "temperror":
            return SampleVerdict("error", f"SPF could not be evaluated: {spf.mechanism}", lines)

    policy = f"p={tags['p']}" if "p" in tags else "no DMARC record"
    if dkim_aligned or spf_aligned:
        lines.append(f"DMARC pass for {from_domain} ({policy}) via "
                     + " and ".join(x for x, ok in (("DKIM", dkim_aligned), ("SPF", spf_aligned)) if ok))
    else:
        verified = ", ".join(o.domain for o in dkim_outcomes if o.ok) or "none"
        problems.append(f"DMARC fails: neither a verified DKIM domain ({verified}) nor the SPF domain "
                        f"({mf or 'unknown'}) aligns with From {from_domain}")
        lines.append(f"DMARC FAILS for {from_domain} ({policy})")
    if facts.provider_results:
        said = " ".join(f"{k}={v}" for k, v in sorted(facts.provider_results.items()))
        lines.append(f"The receiving server said: {said}")
    if problems:
        return SampleVerdict("fail", "; ".join(problems), lines)
    return SampleVerdict("pass", f"SPF, DKIM and DMARC pass and align for {from_domain}", lines)
