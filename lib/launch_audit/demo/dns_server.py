"""An authoritative DNS server for the demo zone (dnslib), UDP and TCP on one loopback address."""

from __future__ import annotations

import threading
import time

from dnslib import QTYPE, RCODE, RR, DNSRecord
from dnslib.server import BaseResolver, DNSHandler, DNSLogger, DNSServer


class ZoneResolver(BaseResolver):
    """Answers from an in-memory zone; follows CNAMEs inside it like an authoritative server."""

    def __init__(self, zone: str, delay_s: float = 0.0) -> None:
        self._lock = threading.Lock()
        self.records: list[RR] = []
        self.queries = 0
        self.delay_s = delay_s          # a resolver's round trip, for benchmarks (each query has its thread)
        self.add(zone)

    def add(self, zone: str) -> None:
        """Add zone-file lines (tests add hosts of their own this way)."""
        with self._lock:
            self.records += RR.fromZone(zone)

    def remove(self, name: str) -> None:
        """Drop every record of ``name`` (tests clean up what they added)."""
        fqdn = name.rstrip(".").lower() + "."
        with self._lock:
            self.records = [r for r in self.records if str(r.rname).lower() != fqdn]

    def _names(self) -> set[str]:
        return {str(r.rname).lower() for r in self.records}

    def _soa(self) -> list[RR]:
        return [r for r in self.records if r.rtype == QTYPE.SOA]

    def resolve(self, request: DNSRecord, handler: object) -> DNSRecord:
        if self.delay_s:
            time.sleep(self.delay_s)
        with self._lock:
            self.queries += 1
            reply = request.reply()
            reply.header.aa = 1
            qname = str(request.q.qname).lower()
            qtype = request.q.qtype
            names = self._names()
            if qname not in names:
                reply.header.rcode = RCODE.NXDOMAIN
                reply.add_auth(*self._soa())
                return reply
            seen: set[str] = set()
            name = qname
            while name not in seen:
                seen.add(name)
                matches = [r for r in self.records if str(r.rname).lower() == name]
                direct = [r for r in matches if r.rtype == qtype or qtype == QTYPE.ANY]
                cname = [r for r in matches if r.rtype == QTYPE.CNAME]
                if direct or not cname or qtype == QTYPE.CNAME:
                    for r in direct:
                        reply.add_answer(r)
                    break
                reply.add_answer(cname[0])
                name = str(cname[0].rdata.label).lower()
                if name not in names:       # target outside the zone: the client goes on resolving
                    break
            if not reply.rr:
                reply.add_auth(*self._soa())
            return reply


class DemoDNS:
    """``handler``: dnslib's request handler, or a subclass that changes how answers go out (tests)."""

    def __init__(self, address: str, port: int, zone: str, delay_s: float = 0.0,
                 handler: type[DNSHandler] = DNSHandler) -> None:
        self.resolver = ZoneResolver(zone, delay_s)
        logger = DNSLogger(prefix=False, logf=lambda _msg: None)
        self._servers = [DNSServer(self.resolver, address=address, port=port, logger=logger, tcp=tcp, handler=handler)
                         for tcp in (False, True)]

    def start(self) -> None:
        for s in self._servers:
            s.start_thread()

    def stop(self) -> None:
        for s in self._servers:
            s.stop()
            s.server.server_close()
