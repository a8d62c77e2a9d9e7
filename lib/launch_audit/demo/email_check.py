"""The demo API's email validation, run in its own worker process like a single-threaded app server.

The unhardened shop checks an address with a pattern whose nested quantifiers backtrack: the time grows
with the square of the input's length (about 40 ms for 1,000 characters, three seconds for 10,000, minutes for
100,000), and while it runs the API answers nobody. The hardened shop bounds the length first and uses a
pattern without overlapping repetition.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading

# "local part, then more local part": two quantifiers over the same characters, each step a lookahead
BACKTRACKING = re.compile(r"^(?:(?=[\w.+-])(?:\w|[.+-]))+(?:(?=[\w.+-])(?:\w|[.+-]))*@[\w-]+\.[\w.-]+$")
LINEAR = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+")
MAX_LENGTH = 254


def valid_email(address: str, hardened: bool) -> bool:
    if hardened:
        return len(address) <= MAX_LENGTH and LINEAR.fullmatch(address) is not None
    # as the app does it: the address as typed, trimmed, then lower-cased, each checked (all three, always)
    verdicts = [BACKTRACKING.match(form) is not None for form in (address, address.strip(), address.lower())]
    return all(verdicts)


class EmailWorker:
    """This file run as a child process that validates one address per line (stdin → stdout): the regex runs
    outside the shop's process, so it stalls the API (which waits for it) and not the other hosts."""

    def __init__(self) -> None:
        self._proc = subprocess.Popen([sys.executable, __file__], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      text=True, encoding="utf-8", errors="replace")
        self._lock = threading.Lock()
        self.check("ready@example.test", True)          # up before the first request

    def check(self, address: str, hardened: bool) -> bool:
        """Blocking (call it from a thread): the worker's verdict."""
        with self._lock:
            assert self._proc.stdin is not None and self._proc.stdout is not None
            self._proc.stdin.write(json.dumps([address, hardened]) + "\n")
            self._proc.stdin.flush()
            return self._proc.stdout.readline().strip() == "1"

    def close(self) -> None:
        self._proc.kill()
        self._proc.wait(timeout=10)


if __name__ == "__main__":
    for line in sys.stdin:
        address, strict = json.loads(line)
        print("1" if valid_email(address, strict) else "0", flush=True)
