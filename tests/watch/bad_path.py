"""A Dask worker preload for the vantage-point test: this worker's network path to the addresses under
LAUNCH_AUDIT_TEST_BAD_PATH (a loopback prefix) is broken, as from a region behind a bad route: every
connection there is refused, while the scheduler and the DNS server stay reachable."""

from __future__ import annotations

import os
import socket

_real_connect = socket.socket.connect


def dask_setup(worker) -> None:  # noqa: ARG001 - dask's preload hook
    prefix = os.environ["LAUNCH_AUDIT_TEST_BAD_PATH"]

    def connect(self, address):
        if isinstance(address, tuple) and str(address[0]).startswith(prefix + "."):
            raise ConnectionRefusedError(111, "no route from this vantage point")
        return _real_connect(self, address)

    socket.socket.connect = connect
