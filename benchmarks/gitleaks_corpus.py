"""Build a secret-scanning corpus from gitleaks' own per-rule test cases, one case per file.

    python3 benchmarks/gitleaks_corpus.py GITLEAKS_GIT_DIR OUT_DIR [--seed N]

gitleaks' rule sources (cmd/generate/config/rules/*.go) hold, for each rule, literal true- and
false-positive strings and calls that build more from regexes (``secrets.NewSecret(re)``) and wrap a
secret in some thirty syntaxes (``utils.GenerateSampleSecrets(id, secret)``: INI, JSON, XML, YAML, Go,
Java, Python, Makefile...). This reads those Go expressions with a small evaluator of the subset the
rule files use, draws random values from the regexes (seeded, so the corpus is reproducible), and writes

    OUT_DIR/tp/<rule-id>/<n>.txt     a true positive
    OUT_DIR/fp/<rule-id>/<n>.txt     a false positive (gitleaks' own: what its rule must not flag)
    OUT_DIR/tp/<rule-id>/<n>/<path>  a case that gitleaks tests under a file path (path-bound rules)
    OUT_DIR/cases.json               rule id → counts, and the cases that could not be evaluated

A case the evaluator cannot read (an unknown helper) is left out and counted, never guessed.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import subprocess
import sys
from pathlib import Path

try:
    import re._parser as sre_parse          # Python 3.11+
    from re import _constants as sre_c
except ImportError:                          # pragma: no cover - older Pythons
    import sre_constants as sre_c  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]


class Unknown(Exception):
    """An expression outside the subset this evaluator reads."""


# ---- random strings from a regex (what gitleaks' reggen does) --------------------------------------------

_CATEGORIES = {
    sre_c.CATEGORY_DIGIT: "0123456789",
    sre_c.CATEGORY_WORD: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_",
    sre_c.CATEGORY_SPACE: " ",
}


def generate(pattern: str, rng: random.Random) -> str:
    try:
        parsed = sre_parse.parse(pattern)
    except re.error as e:
        raise Unknown(f"regex {pattern!r}: {e}") from None
    return _gen(parsed, rng)


def _charset(items, rng: random.Random) -> str:
    chars: list[str] = []
    negate = False
    for op, av in items:
        if op is sre_c.NEGATE:
            negate = True
        elif op is sre_c.LITERAL:
            chars.append(chr(av))
        elif op is sre_c.RANGE:
            chars.extend(chr(c) for c in range(av[0], av[1] + 1))
        elif op is sre_c.CATEGORY:
            chars.extend(_CATEGORIES.get(av, ""))
    if negate:
        pool = [c for c in "abcdefghijklmnopqrstuvwxyz0123456789" if c not in chars]
        return rng.choice(pool)
    return rng.choice(chars) if chars else ""


def _gen(parsed, rng: random.Random) -> str:
    out = []
    for op, av in parsed:
        if op is sre_c.LITERAL:
            out.append(chr(av))
        elif op is sre_c.IN:
            out.append(_charset(av, rng))
        elif op is sre_c.ANY:
            out.append(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789"))
        elif op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT):
            lo, hi, sub = av
            hi = lo + 10 if hi is sre_c.MAXREPEAT else hi
            out.extend(_gen(sub, rng) for _ in range(rng.randint(lo, hi)))
        elif op is sre_c.SUBPATTERN:
            out.append(_gen(av[-1], rng))
        elif op is sre_c.BRANCH:
            out.append(_gen(rng.choice(av[1]), rng))
        elif op in (sre_c.AT, sre_c.GROUPREF):
            continue
        elif op is sre_c.CATEGORY:
            out.append(rng.choice(_CATEGORIES.get(av, "a")))
        else:
            raise Unknown(f"regex construct {op}")
    return "".join(out)


# ---- Go tokens and the expression subset ---------------------------------------------------------------

_TOKEN = re.compile(r"""
    (?P<ws>[ \t\r]+) | (?P<nl>\n) | (?P<comment>//[^\n]*|/\*.*?\*/)
  | (?P<raw>`[^`]*`) | (?P<str>"(?:[^"\\\n]|\\.)*") | (?P<char>'(?:[^'\\]|\\.)')
  | (?P<num>\d+) | (?P<ident>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
  | (?P<op>\.\.\.|:=|[-+*/(){}\[\],:;=&!<>|.%])
""", re.S | re.X)

_GO_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "'": "'", "a": "\a", "b": "\b",
               "f": "\f", "v": "\v"}


def _go_string(lit: str) -> str:
    if lit.startswith("`"):
        return lit[1:-1]
    body, out, i = lit[1:-1], [], 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        nxt = body[i + 1]
        if nxt in _GO_ESCAPES:
            out.append(_GO_ESCAPES[nxt])
            i += 2
        elif nxt == "x":
            out.append(chr(int(body[i + 2:i + 4], 16)))
            i += 4
        elif nxt == "u":
            out.append(chr(int(body[i + 2:i + 6], 16)))
            i += 6
        else:
            out.append(nxt)
            i += 2
    return "".join(out)


def tokens(src: str) -> list[tuple[str, str]]:
    out = []
    for m in _TOKEN.finditer(src):
        kind = m.lastgroup
        if kind in ("ws", "comment"):
            continue
        out.append((kind, m.group()))
    return out


class Evaluator:
    """Reads one rule function's statements: locals, tps/fps lists and maps, and the helper calls."""

    def __init__(self, toks: list[tuple[str, str]], samples: dict[str, str] | None, rng: random.Random) -> None:
        self.toks, self.i, self.samples, self.rng = toks, 0, samples, rng
        self.env: dict[str, object] = {}

    # -- cursor
    def peek(self, ahead: int = 0) -> tuple[str, str]:
        j = self.i + ahead
        return self.toks[j] if j < len(self.toks) else ("eof", "")

    def take(self, value: str | None = None) -> tuple[str, str]:
        tok = self.peek()
        if value is not None and tok[1] != value:
            raise Unknown(f"expected {value!r}, got {tok[1]!r}")
        self.i += 1
        return tok

    def skip_nl(self) -> None:
        while self.peek()[0] == "nl":
            self.i += 1

    # -- expressions
    def expr(self):
        value = self.unary()
        while self.peek()[1] == "+":
            self.take()
            self.skip_nl()
            right = self.unary()
            if not isinstance(value, str) or not isinstance(right, str):
                raise Unknown("+ on non-strings")
            value += right
        return value

    def unary(self):
        kind, text = self.peek()
        if kind in ("str", "raw"):
            self.take()
            return _go_string(text)
        if kind == "num":
            self.take()
            return int(text)
        if text == "[":                                  # []string{...}
            self.take("[")
            self.take("]")
            self.take()
            return self.composite_list()
        if text == "map":
            while self.peek()[1] != "{":
                self.take()
            return self.composite_map()
        if kind == "ident":
            self.take()
            if self.peek()[1] == "(":
                return self.call(text, self.args())
            if text in self.env:
                return self.env[text]
            raise Unknown(f"name {text}")
        raise Unknown(f"token {text!r}")

    def elements(self, opener: str, closer: str, what: str):
        """Stand at each element of a bracketed list in turn (newlines and commas between them are passed
        over); the list read, stand past its closer."""
        self.take(opener)
        while True:
            self.skip_nl()
            if self.peek()[1] == closer:
                self.take()
                return
            if self.peek()[0] == "eof":
                raise Unknown(f"unterminated {what}")
            yield
            self.skip_nl()
            if self.peek()[1] == ",":
                self.take()

    def composite_list(self) -> list:
        items: list = []
        for _ in self.elements("{", "}", "list"):
            start = self.i
            try:
                value = self.expr()
                items.extend(value if isinstance(value, list) else [value])
            except Unknown as e:
                self.i = start
                self.skip_item()
                items.append(e)
        return items

    def composite_map(self) -> dict:
        items: dict = {}
        for _ in self.elements("{", "}", "map"):
            start = self.i
            try:
                key = self.expr()
                self.take(":")
                self.skip_nl()
                items[key] = self.expr()
            except Unknown as e:
                self.i = start
                self.skip_item()
                items[f"?{start}"] = e
        return items

    def skip_item(self) -> None:
        """Past one element of a composite literal: to the comma or closing brace at this depth (at least
        one token, so a stray closer cannot hold the reader in place)."""
        depth, start = 0, self.i
        while True:
            kind, text = self.peek()
            if kind == "eof":
                return
            if text in "([{" and kind == "op":
                depth += 1
            elif text in ")]}" and kind == "op":
                if depth == 0:
                    if self.i == start and text != "}":
                        self.take()
                    return
                depth -= 1
            elif text == "," and depth == 0:
                return
            self.take()

    def args(self) -> list:
        out: list = []
        for _ in self.elements("(", ")", "call"):
            value = self.expr()
            if self.peek()[1] == "...":
                self.take()
                out.extend(value if isinstance(value, list) else [value])
            else:
                out.append(value)
        return out

    def call(self, name: str, args: list):
        helpers = {"utils.Numeric": r"[0-9]{%s}", "utils.Hex": r"[a-f0-9]{%s}", "utils.AlphaNumeric": r"[a-z0-9]{%s}",
                   "utils.AlphaNumericExtendedShort": r"[a-z0-9_-]{%s}",
                   "utils.AlphaNumericExtended": r"[a-z0-9=_\-]{%s}",
                   "utils.AlphaNumericExtendedLong": r"[a-z0-9\/=_\+\-]{%s}"}
        if name in helpers:
            return helpers[name] % args[0]
        if name == "utils.Hex8_4_4_4_12":
            return r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
        if name == "secrets.NewSecret":
            return generate(args[0], self.rng)
        if name == "newPlausibleSecret":
            for _ in range(100):
                value = generate(args[0], self.rng)
                if re.search(r"[1-9]", value):
                    return value
            return value
        if name == "utils.GenerateSampleSecret":
            return f'{args[0]}_api_token = "{args[1]}"'
        if name == "utils.GenerateSampleSecrets":
            if self.samples is None:
                raise Unknown("no sample templates")
            ident, secret = args
            return [t.replace("{i}", ident).replace("{I}", ident.upper()).replace("{s}", secret)
                    for t in self.samples.values()]
        if name == "fmt.Sprintf":
            fmt, rest = args[0], list(args[1:])
            return re.sub(r"%[sdv]", lambda m: str(rest.pop(0)), fmt).replace("%%", "%")
        if name == "strings.Repeat":
            return args[0] * int(args[1])
        if name == "append":
            base = list(args[0]) if isinstance(args[0], list) else dict(args[0])
            if isinstance(base, dict):
                raise Unknown("append to a map")
            return base + list(args[1:])
        raise Unknown(f"call {name}")

    # -- statements
    def statements(self) -> None:
        """Every `name := expr` / `name = expr` at statement level; the rest is skipped."""
        while self.peek()[0] != "eof":
            kind, text = self.peek()
            if kind == "ident" and self.peek(1)[1] in (":=", "="):
                self.take()
                self.take()
                start = self.i
                try:
                    self.env[text] = self.expr()
                except Unknown as e:
                    self.env.setdefault(text, [])
                    self.env[f"?{text}{start}"] = e
                    self.i = start
                    self.skip_statement()
            else:
                self.take()

    def skip_statement(self) -> None:
        depth = 0
        while True:
            kind, text = self.take()
            if kind == "eof" or (kind == "nl" and depth == 0):
                return
            if kind == "op" and text in "([{":
                depth += 1
            elif kind == "op" and text in ")]}":
                depth -= 1


# ---- rule files ------------------------------------------------------------------------------------------

_SAMPLES = re.compile(r"samples := map\[string\]string(\{.*?\n\t\})", re.S)


def sample_templates(generate_go: str, rng: random.Random) -> dict[str, str]:
    body = _SAMPLES.search(generate_go)
    if body is None:
        raise SystemExit("cmd/generate/config/utils/generate.go: no samples map (gitleaks changed its layout)")
    ev = Evaluator(tokens(body.group(1)), None, rng)
    return {k: v for k, v in ev.composite_map().items() if isinstance(v, str)}


def _functions(toks: list[tuple[str, str]]):
    """(body tokens, source text) of each `func Name() *config.Rule { ... }`, braces matched on tokens
    (a raw string may hold a `}` at the start of a line), and the package-level `var x = ...` tokens."""
    i, package = 0, []
    while i < len(toks):
        if toks[i] == ("ident", "func"):
            j = i
            while j < len(toks) and toks[j][1] != "{":
                j += 1
            depth, k = 0, j
            while k < len(toks):
                if toks[k][0] == "op" and toks[k][1] == "{":
                    depth += 1
                elif toks[k][0] == "op" and toks[k][1] == "}":
                    depth -= 1
                    if depth == 0:
                        break
                k += 1
            if any(t == ("ident", "config.Rule") for t in toks[i:j]):
                yield "func", toks[j + 1:k]
            i = k + 1
        elif toks[i] == ("ident", "var"):
            i += 1
            start = i
            depth = 0
            while i < len(toks) and not (toks[i][0] == "nl" and depth == 0):
                if toks[i][0] == "op" and toks[i][1] in "([{":
                    depth += 1
                elif toks[i][0] == "op" and toks[i][1] in ")]}":
                    depth -= 1
                i += 1
            package.extend(toks[start:i] + [("nl", "\n")])
        else:
            i += 1
    yield "package", package


def cases_of(source: str, samples: dict[str, str], rng: random.Random):
    """(rule id, true positives, false positives, unreadable count) per rule function of one file."""
    parts = list(_functions(tokens(source)))
    package = Evaluator(parts[-1][1], samples, rng)
    package.statements()
    for kind, body in parts[:-1]:
        rule = next((body[n + 2][1] for n in range(len(body) - 2)
                     if body[n] == ("ident", "RuleID") and body[n + 2][0] == "str"), None)
        if rule is None:
            continue
        ev = Evaluator(body, samples, rng)
        ev.env.update({k: v for k, v in package.env.items() if not k.startswith("?")})
        ev.statements()
        unread = sum(1 for k in ev.env if k.startswith(("?tps", "?fps")))
        out = {}
        for name in ("tps", "fps"):
            value = ev.env.get(name, [])
            if isinstance(value, dict):         # ValidateWithPaths: {path: content}, the path kept
                value = [v if isinstance(v, Exception) else (k, v) for k, v in value.items()]
            value = value if isinstance(value, list) else [value]
            unread += sum(1 for v in value if isinstance(v, Exception))
            out[name] = [v for v in value if (isinstance(v, str) and v) or isinstance(v, tuple)]
        yield _go_string(rule), out["tps"], out["fps"], unread


def _git_show(git_dir: Path, path: str) -> str:
    return subprocess.run(["git", "--git-dir", str(git_dir), "show", f"HEAD:{path}"], check=True,
                          capture_output=True, text=True).stdout


def build(git_dir: Path, out: Path, seed: int) -> dict:
    rng = random.Random(seed)
    samples = sample_templates(_git_show(git_dir, "cmd/generate/config/utils/generate.go"), rng)
    listing = subprocess.run(["git", "--git-dir", str(git_dir), "ls-tree", "--name-only", "HEAD",
                              "cmd/generate/config/rules/"], check=True, capture_output=True, text=True).stdout
    summary: dict = {"seed": seed, "rules": {}, "unreadable": 0}
    for path in sorted(listing.split()):
        if not path.endswith(".go") or path.endswith("_test.go"):
            continue
        for rule_id, tps, fps, unread in cases_of(_git_show(git_dir, path), samples, rng):
            for kind, cases in (("tp", tps), ("fp", fps)):
                folder = out / kind / rule_id
                folder.mkdir(parents=True, exist_ok=True)
                for n, case in enumerate(dict.fromkeys(cases)):
                    if isinstance(case, tuple):     # a case with its path: <n>/<path>, scanned by that name
                        path_in_repo, case = case
                        target = folder / str(n) / path_in_repo.lstrip("/")
                        target.parent.mkdir(parents=True, exist_ok=True)
                        target.write_text(case, encoding="utf-8")
                    else:
                        (folder / f"{n}.txt").write_text(case, encoding="utf-8")
            summary["rules"][rule_id] = {"file": path.rsplit("/", 1)[1], "tp": len(set(tps)),
                                         "fp": len(set(fps)), "unreadable": unread}
            summary["unreadable"] += unread
    (out / "cases.json").write_text(json.dumps(summary, indent=1))
    return summary


def pack(corpus: Path, target: Path) -> None:
    """Every case as {"rule", "kind", "path", "text"} lines, gzipped: a binary file, so no scanner (this
    one, gitleaks, a forge's push protection) reads the fake secrets inside as the repository's own."""
    with gzip.open(target, "wt", encoding="utf-8") as out:
        for kind in ("tp", "fp"):
            for rule_dir in sorted(p for p in (corpus / kind).iterdir() if p.is_dir()):
                for path in sorted(rule_dir.rglob("*")):
                    if path.is_file():
                        rel = path.relative_to(rule_dir)
                        name = "" if len(rel.parts) == 1 else str(rel.relative_to(rel.parts[0]))
                        out.write(json.dumps({"rule": rule_dir.name, "kind": kind, "path": name,
                                              "text": path.read_text(encoding="utf-8")}) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("git_dir", type=Path, help="gitleaks' git directory (a bare clone or .git)")
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pack", type=Path, default=None, metavar="FILE.jsonl.gz",
                        help="also pack every case into one gzipped JSON-lines file (the tests' copy)")
    args = parser.parse_args()
    summary = build(args.git_dir, args.out, args.seed)
    if args.pack:
        pack(args.out, args.pack)
    tp = sum(r["tp"] for r in summary["rules"].values())
    fp = sum(r["fp"] for r in summary["rules"].values())
    print(f"{len(summary['rules'])} rules: {tp} true-positive and {fp} false-positive cases "
          f"({summary['unreadable']} expressions not read) in {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
