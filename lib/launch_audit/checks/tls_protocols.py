"""S2.tls_protocols: the server takes TLS 1.2 or 1.3 and refuses TLS 1.0 and 1.1.

Each version is offered alone, with a context that allows only that version (net/tls.py
lowers OpenSSL's security level for the old ones inside the probe, nowhere else).
"""

from __future__ import annotations

import asyncio
import ssl

from ..findings import Status
from ..net.errors import NetError, TLSError
from ..net.tls import server_is_broken
from .base import CheckContext

VERSIONS = {"TLS 1.0": ssl.TLSVersion.TLSv1, "TLS 1.1": ssl.TLSVersion.TLSv1_1,
            "TLS 1.2": ssl.TLSVersion.TLSv1_2, "TLS 1.3": ssl.TLSVersion.TLSv1_3}
OLD, CURRENT = ("TLS 1.0", "TLS 1.1"), ("TLS 1.2", "TLS 1.3")


def judge_protocols(accepted: dict[str, bool | None]) -> tuple[Status, str]:
    """Pure: ``accepted`` maps a version to True (handshake done), False (refused) or None (untestable here)."""
    def names(flag: bool | None) -> str:
        return ", ".join(v for v in VERSIONS if accepted.get(v) is flag) or "none"
    shown = f"accepts {names(True)}; refuses {names(False)}"
    if None in accepted.values():
        shown += f"; could not offer {names(None)} from this machine"
    old = [v for v in OLD if accepted.get(v)]
    if old:
        return Status.FAIL, f"{shown}: {' and '.join(old)} are broken and banned by PCI DSS"
    if not any(accepted.get(v) for v in CURRENT):
        return Status.FAIL, f"{shown}: no modern TLS version is accepted"
    if any(accepted.get(v) is None for v in OLD):
        return Status.WARN, shown
    return Status.PASS, shown


def _untestable(reason: str) -> bool:
    # the refusal came from our own OpenSSL before anything was sent
    return any(s in reason.upper() for s in ("NO_PROTOCOLS_AVAILABLE", "UNSUPPORTED_PROTOCOL", "NO_CIPHERS_AVAILABLE"))


async def check_tls_protocols(ctx: CheckContext):
    assert ctx.net is not None
    net = ctx.net

    async def probe(host: str, version: ssl.TLSVersion) -> bool | None:
        try:
            await net.tls_handshake(host, context=net.net.tls.for_version(version))
            return True
        except TLSError as e:
            if server_is_broken(e.reason):
                raise
            return None if _untestable(e.reason) else False

    async def one(host: str):
        results = await asyncio.gather(*(probe(host, v) for v in VERSIONS.values()), return_exceptions=True)
        failures = [r for r in results if isinstance(r, BaseException)]
        broken = [r for r in failures if isinstance(r, TLSError) and server_is_broken(r.reason)]
        if len(failures) == len(results) or broken:
            raise (broken or failures)[0]      # nothing answers, or not as TLS: the host's error, said once
        for r in failures:
            if not isinstance(r, NetError):
                raise r
        accepted = {name: (None if isinstance(r, BaseException) else r) for name, r in zip(VERSIONS, results)}
        status, evidence = judge_protocols(accepted)
        return ctx.finding(status, f"{host}:443", evidence, details={"accepted": accepted})

    async for f in ctx.each(ctx.profile.hosts, one):
        yield f
