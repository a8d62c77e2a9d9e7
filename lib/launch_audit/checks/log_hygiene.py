"""S1.log_hygiene: log samples hold no tokens, API keys, passwords, card numbers or full customer messages;
emails and phone numbers beyond a threshold are `warn`. Evidence is counts per kind and redacted examples."""

from __future__ import annotations

import asyncio
import json
import re
from collections import Counter
from pathlib import Path

from ..findings import Status
from ..secrets.scanner import Scanner
from .base import CheckContext

MAX_SAMPLE_BYTES = 50_000_000
_BEARER = re.compile(r"(?i)\bbearer\s+([A-Za-z0-9._~+/=-]{16,})")
_CARD = re.compile(r"(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])")
_EMAIL = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b")
_PHONE = re.compile(r"(?<![\w+])\+?\d{1,3}[ .-]?\(?\d{2,4}\)?[ .-]?\d{3,4}[ .-]?\d{3,4}(?!\w)")
_SECRET_FIELD = re.compile(r"(?i)^(?:pass(?:word|wd)?|pwd|secret|token|access_token|refresh_token|api_?key|"
                           r"authorization|cookie|session|cvc|cvv)$")      # card numbers have their own (Luhn) detector
_MASKED = re.compile(r"^(?:\*+|\[?redacted\]?|x+|•+|<redacted>|\[filtered\]|\*{3}.*)$", re.I)
FAIL_KINDS = ("api key", "bearer token", "secret field", "card number", "customer message")


WINDOW = 65536            # a 10 MB log line is matched a window at a time
_OVERLAP = 1024           # longer than anything the patterns match


def windowed(pattern: re.Pattern, text: str):
    """``pattern.finditer(text)`` in windows: one C call on a 10 MB line holds the GIL for a second and
    stalls the run's event loop (every other check's timers) — windows keep each call short. A match
    is kept by the window it starts in, so none is lost at a boundary or counted twice."""
    if len(text) <= WINDOW + _OVERLAP:
        yield from pattern.finditer(text)
        return
    for start in range(0, len(text), WINDOW):
        for m in pattern.finditer(text, start, start + WINDOW + _OVERLAP):
            if m.start() < start + WINDOW:
                yield m


def luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def card_numbers(text: str) -> list[str]:
    """Pure: Luhn-valid 13-19 digit numbers (spaces and dashes allowed), as their last four digits."""
    out = []
    for m in windowed(_CARD, text):
        digits = re.sub(r"\D", "", m.group(0))
        if 13 <= len(digits) <= 19 and len(set(digits)) > 1 and luhn(digits):
            out.append(f"card …{digits[-4:]} ({len(digits)} digits)")
    return out


def _walk(value, path: str = ""):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _walk(v, f"{path}.{k}" if path else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _walk(v, f"{path}[{i}]")
    else:
        yield path, value


def inspect_log(text: str, scanner: Scanner, message_fields: list[str]) -> tuple[Counter, dict[str, list[str]], set, set]:
    """Pure over the text: (counts per kind, examples per kind, distinct emails, distinct phones)."""
    counts: Counter = Counter()
    examples: dict[str, list[str]] = {}
    fields = {f.lower() for f in message_fields}

    def hit(kind: str, example: str, line: int) -> None:
        counts[kind] += 1
        examples.setdefault(kind, [])
        if len(examples[kind]) < 3:
            examples[kind].append(f"{example} (line {line})")

    secret_lines: set[int] = set()
    for m in scanner.scan(text.encode("utf-8", "replace")):
        if m.kind == "publishable":
            continue
        if m.rule_id.startswith("generic") or m.rule_id == "jwt-signing-secret":
            secret_lines.add(m.line)        # a password=… assignment: the field walk below may see it too
            hit("secret field", f"assignment {m.preview}", m.line)
        else:
            hit("api key", f"{m.provider} {m.preview}", m.line)
    emails: set[str] = set()
    phones: set[str] = set()
    for n, line in enumerate(text.splitlines(), 1):
        for b in windowed(_BEARER, line):
            hit("bearer token", f"Bearer …({len(b.group(1))})", n)
        for c in card_numbers(line):
            hit("card number", c, n)
        emails.update(e.group(0).lower() for e in windowed(_EMAIL, line))
        phones.update(re.sub(r"\D", "", p.group(0)) for p in windowed(_PHONE, line)
                      if len(re.sub(r"\D", "", p.group(0))) >= 9)
        try:
            record = json.loads(line) if line.lstrip().startswith("{") else None
        except ValueError:
            record = None
        for path, value in _walk(record) if isinstance(record, dict) else ():
            key = path.rsplit(".", 1)[-1].split("[")[0]
            if not isinstance(value, str) or not value.strip() or _MASKED.match(value.strip()):
                continue
            if _SECRET_FIELD.match(key):
                if n not in secret_lines:
                    hit("secret field", f"{path}=…({len(value)})", n)
            elif key.lower() in fields and len(value) >= 40 and len(value.split()) >= 6:
                hit("customer message", f"{path}: {len(value)} characters of what a customer wrote", n)
    return counts, examples, emails, phones


def judge_log(counts: Counter, emails: set, phones: set, threshold: int) -> tuple[Status, str]:
    bad = [k for k in FAIL_KINDS if counts[k]]
    pii = [f"{len(s)} distinct {what}" for what, s in (("email addresses", emails), ("phone numbers", phones))
           if len(s) > threshold]
    if bad:
        return Status.FAIL, ", ".join(f"{counts[k]} {k}{'s' if counts[k] != 1 else ''}" for k in bad) + (
            f"; also {', '.join(pii)}" if pii else "")
    if pii:
        return Status.WARN, f"{', '.join(pii)} (more than {threshold}): mask personal data at the logger"
    return Status.PASS, "no tokens, keys, passwords, card numbers or customer messages"


async def check_log_hygiene(ctx: CheckContext):
    logs = ctx.profile.logs
    if logs is None or not logs.samples:
        yield ctx.finding(Status.SKIP, ctx.profile.domain,
                          "no logs.samples in the profile: export an hour of production logs (JSONL or text)")
        return
    scanner = Scanner()

    async def one(sample: str):
        path: Path = ctx.profile.path(sample)
        try:
            if path.stat().st_size > MAX_SAMPLE_BYTES:
                return ctx.finding(Status.ERROR, sample, f"over {MAX_SAMPLE_BYTES // 1_000_000} MB: give a shorter sample")
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError as e:
            return ctx.finding(Status.ERROR, sample, f"cannot read the sample: {e.strerror or e}")
        counts, examples, emails, phones = await asyncio.to_thread(inspect_log, text, scanner, logs.message_fields)
        status, verdict = judge_log(counts, emails, phones, logs.pii_threshold)
        shown = "; ".join(f"{k}: {', '.join(v)}" for k, v in examples.items())
        return ctx.finding(status, sample, verdict + (f". Examples — {shown}" if shown else ""),
                           details={"counts": dict(counts), "emails": len(emails), "phones": len(phones),
                                    "tried": {"log lines": len(text.splitlines())}})

    async for f in ctx.each(logs.samples, one):
        yield f
