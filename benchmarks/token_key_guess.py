"""How fast S4.authn_required guesses an HMAC token key offline, and how many guesses it makes.

Prints, for HS256/384/512 tokens signed with a key that is not on the list (the worst case: every guess
is made), the number of guesses and the median wall time over N repeats; and for a key near the end of the
shipped list, where it was found. Run: python3 benchmarks/token_key_guess.py [repeats]
"""

from __future__ import annotations

import statistics
import sys
import time
import warnings

import jwt

from launch_audit.checks.token_keys import candidates, guess_key


def main(repeats: int = 5) -> None:
    names = ["demo-shop", "brightbrew.test"]
    total = sum(1 for _ in candidates(names))
    print(f"candidates: {total:,} (shipped list with cases and suffixes, plus the client's names)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for alg in ("HS256", "HS384", "HS512"):
            token = jwt.encode({"sub": "u_a"}, "k3y-not-on-any-list-" * 3, algorithm=alg)
            times = []
            for _ in range(repeats):
                started = time.perf_counter()
                found = guess_key(token, names)
                times.append(time.perf_counter() - started)
            median = statistics.median(times)
            print(f"{alg}: not found after {found.tried:,} guesses, median {median * 1000:.0f} ms "
                  f"({found.tried / median:,.0f} guesses/s)")
        weak = jwt.encode({"sub": "u_a"}, "brightbrew_secret", algorithm="HS256")
        found = guess_key(weak, names)
        print(f"HS256 signed with a key made of the client's name: found at guess {found.tried:,} "
              f"({found.redacted()})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
