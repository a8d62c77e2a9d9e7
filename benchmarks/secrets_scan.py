"""The secret scanner against detect-secrets on a synthetic repository.

    pip install -e '.[bench]'                # detect-secrets
    python3 benchmarks/secrets_scan.py [commits] [repo folder] [repeats]

Builds (once, with git fast-import) a repository of about 2,000 commits: a ~27 MB working tree of
code-like files, tens of MB of patches, 40 planted secrets across the rules (12 of them only in
files that were later deleted) and look-alikes that are not secrets: UUIDs, git hashes, Stripe
test keys, placeholders, masked values. Then, each in its own process (for a clean peak memory):
ours on the working tree, ours on the whole history, detect-secrets on the working tree (2 processes),
and `git log -p --all` for scale. Recall is planted secrets found (matched by fingerprint / hash, not
by line); precision is findings that are planted secrets over all findings ("live only" counts
findings we mark live, as a CI gate would).
"""

from __future__ import annotations

import json
import random
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AL, UP, HEX = string.ascii_letters + string.digits, string.ascii_uppercase + string.digits, "0123456789abcdef"
WORDS = ("order customer basket price total shipping refund invoice coupon cart session render "
         "payload request response handler config logger cache queue retry timeout").split()


def build_secrets(rng: random.Random) -> list[tuple[str, str]]:
    """(rule it should match, the line that plants it); values assembled here, never written in source."""
    r = lambda n, a=AL: "".join(rng.choice(a) for _ in range(n))  # noqa: E731
    j = "".join
    aws_id, aws_secret = j(["AK", "IA", r(16, UP)]), r(40, AL + "+/")
    items = [
        ("stripe-secret-live", f"STRIPE_SECRET = '{j(['sk', '_live_', r(24)])}'"),
        ("stripe-restricted-live", f"const RK = \"{j(['rk', '_live_', r(28)])}\";"),
        ("stripe-webhook-secret", f"WEBHOOK_SECRET={j(['whsec', '_', r(32)])}"),
        ("shopify-access-token", f"SHOPIFY_TOKEN={j(['shp', 'at_', r(32, HEX)])}"),
        ("shopify-shared-secret", f"shopify_secret: {j(['shp', 'ss_', r(32, HEX)])}"),
        ("braintree-access-token", f"BT = '{j(['access_token$', 'production$', r(16, string.ascii_lowercase), '$', r(32, HEX)])}'"),
        ("square-access-token", f"SQUARE = '{j(['sq0', 'atp-', r(22)])}'"),
        ("aws-access-key-id", f"aws_access_key_id = {aws_id}"),
        ("aws-secret-access-key", f"{aws_id}\n{aws_secret}"),
        ("gcp-service-account-key", f'"private_key_id": "{r(40, HEX)}",'),
        ("azure-storage-key", f"AccountKey={r(86, AL + '+/')}=="),
        ("openai-api-key", f"OPENAI_API_KEY={j(['sk-', 'proj-', r(56)])}"),
        ("anthropic-api-key", f"ANTHROPIC_API_KEY={j(['sk-', 'ant-', 'api03-', r(93)])}"),
        ("google-api-key", f"GEMINI_API_KEY={j(['AI', 'za', r(35)])}"),
        ("huggingface-token", f"HF_TOKEN={j(['hf', '_', r(34)])}"),
        ("replicate-token", f"REPLICATE_API_TOKEN={j(['r8', '_', r(37)])}"),
        ("twilio-api-key", f"twilio_key = '{j(['S', 'K', r(32, HEX)])}'"),
        ("sendgrid-api-key", f"SENDGRID_API_KEY={j(['S', 'G.', r(22), '.', r(43)])}"),
        ("mailgun-api-key", f"MAILGUN = '{j(['ke', 'y-', r(32, HEX)])}'"),
        ("resend-api-key", f"RESEND = '{j(['r', 'e_', r(8), '_', r(24)])}'"),
        ("slack-token", f"SLACK_BOT_TOKEN={j(['xo', 'xb-', r(12, '0123456789'), '-', r(24)])}"),
        ("slack-webhook", f"hook = '{j(['https://hooks.', 'slack.com/services/T', r(8, UP), '/B', r(8, UP), '/', r(24)])}'"),
        ("discord-webhook", f"DISCORD = '{j(['https://discord.com/api/', 'webhooks/', r(18, '0123456789'), '/', r(68)])}'"),
        ("github-token", f"GH_TOKEN={j(['gh', 'p_', r(36)])}"),
        ("gitlab-token", f"GITLAB_TOKEN={j(['gl', 'pat-', r(20)])}"),
        ("database-url-password", f"DATABASE_URL={j(['postgres', '://shop:', r(18), '@db.prod.example.net:5432/shop'])}"),
        ("jwt-signing-secret", f"JWT_SECRET={r(48, HEX)}"),
        ("generic-secret", f'smtp_password = "{r(20)}"'),
        ("private-key", j(["-----BEGIN ", "RSA PRIVATE KEY-----\n"] + [r(64, AL + "+/") + "\n" for _ in range(8)]
                          + ["-----END ", "RSA PRIVATE KEY-----"])),
    ]
    while len(items) < 40:          # more of the common ones, as real repositories have
        kind = rng.choice(["stripe-secret-live", "openai-api-key", "github-token", "database-url-password"])
        items.append(next((k, line) for k, line in build_more(rng, kind)))
    return items


def build_more(rng: random.Random, kind: str):
    r = lambda n, a=AL: "".join(rng.choice(a) for _ in range(n))  # noqa: E731
    j = "".join
    yield kind, {"stripe-secret-live": f"STRIPE_KEY_{r(3, UP)} = '{j(['sk', '_live_', r(24)])}'",
                 "openai-api-key": f"OPENAI_{r(3, UP)}={j(['sk-', 'proj-', r(56)])}",
                 "github-token": f"GH_{r(3, UP)}={j(['gh', 'p_', r(36)])}",
                 "database-url-password": f"DB_{r(3, UP)}={j(['mysql', '://app:', r(16), '@db.example.net/app'])}"}[kind]


def lookalike(rng: random.Random) -> str:
    r = lambda n, a=AL: "".join(rng.choice(a) for _ in range(n))  # noqa: E731
    j = "".join
    return rng.choice([
        f"request_id = '{r(8, HEX)}-{r(4, HEX)}-{r(4, HEX)}-{r(4, HEX)}-{r(12, HEX)}'",
        f"commit: {r(40, HEX)}",
        f"sha256 = \"{r(64, HEX)}\"",
        f"stripe_test = '{j(['sk', '_test_', r(24)])}'",
        f"publishable = '{j(['pk', '_test_', r(24)])}'",
        "password = \"changeme\"",
        "api_key = \"${API_KEY}\"",
        "token: \"<your token here>\"",
        "SECRET_KEY=*****",
        f"integrity=\"sha384-{r(64, AL + '+/')}\"",
        "AWS_ACCESS_KEY_ID=" + j(["AK", "IA", "IOSFODNN7EXAMPLE"]),
    ])


def code_line(rng: random.Random) -> str:
    w = rng.choice
    return f"    {w(WORDS)}_{w(WORDS)} = {w(WORDS)}.{w(WORDS)}({w(WORDS)}, {rng.randint(0, 9999)})  # {w(WORDS)} {w(WORDS)}"


def build_repo(path: Path, commits: int, seed: int = 42) -> dict:
    """A fast-import stream: an initial tree, then commits that change files, add and delete secret files."""
    rng = random.Random(seed)
    planted = build_secrets(rng)
    files: dict[str, list[str]] = {}
    for i in range(600):
        files[f"src/{rng.choice(WORDS)}/{rng.choice(WORDS)}_{i}.py"] = [code_line(rng) for _ in range(600)]
    for name in rng.sample(sorted(files), 250):     # look-alikes sprinkled through the tree
        lines = files[name]
        for _ in range(3):
            lines[rng.randrange(len(lines))] = "    " + lookalike(rng)
    in_tree, history_only = planted[:28], planted[28:]
    tree_targets = rng.sample(sorted(files), len(in_tree))
    deleted_paths = [f"scripts/tmp_deploy_{i}.sh" for i in range(len(history_only))]
    plant_at = {rng.randrange(50, commits - 50): ("tree", k) for k in range(len(in_tree))}
    for k in range(len(history_only)):
        at = rng.randrange(50, commits - 100)
        while at in plant_at:
            at += 1
        plant_at[at] = ("history", k)
    stream = bytearray()

    def blob_cmd(name: str, text: str) -> bytes:
        data = text.encode()
        return f"M 100644 inline {name}\ndata {len(data)}\n".encode() + data + b"\n"

    delete_at: dict[int, str] = {}
    when = 1_700_000_000
    for c in range(commits):
        when += 3600
        ops = bytearray()
        if c == 0:
            for name, lines in files.items():
                ops += blob_cmd(name, "\n".join(lines) + "\n")
        else:
            for name in rng.sample(sorted(files), 2):
                lines = files[name]
                start = rng.randrange(len(lines) - 40)
                lines[start:start + 18] = [code_line(rng) for _ in range(18)]
                ops += blob_cmd(name, "\n".join(lines) + "\n")
        if c in plant_at:
            where, k = plant_at[c]
            if where == "tree":
                name = tree_targets[k]
                files[name].insert(rng.randrange(len(files[name])), "    " + in_tree[k][1])
                ops += blob_cmd(name, "\n".join(files[name]) + "\n")
            else:
                name = deleted_paths[k]
                ops += blob_cmd(name, f"#!/bin/sh\n# quick deploy\nexport {history_only[k][1]}\n./deploy.sh\n")
                delete_at[c + rng.randrange(1, 40)] = name
        if c in delete_at:
            ops += f"D {delete_at[c]}\n".encode()
        msg = f"change {c}".encode()
        stream += (f"commit refs/heads/main\nmark :{c + 1}\n"
                   f"author Dev <dev@example.net> {when} +0000\ncommitter Dev <dev@example.net> {when} +0000\n"
                   f"data {len(msg)}\n").encode() + msg + b"\n"
        if c:
            stream += f"from :{c}\n".encode()
        stream += bytes(ops) + b"\n"
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    subprocess.run(["git", "-C", str(path), "fast-import", "--quiet"], input=bytes(stream), check=True)
    subprocess.run(["git", "-C", str(path), "checkout", "-q", "-f", "main"], check=True)
    manifest = {"secrets": [{"rule": k, "line": line, "only_history": i >= 28} for i, (k, line) in enumerate(planted)]}
    (path / ".git" / "bench-manifest.json").write_text(json.dumps(manifest))
    return manifest


def secret_values(line: str) -> list[str]:
    """The secret strings in a planted line (what either tool may report as the secret): the value after
    the assignment; both lines of an AWS pair; a URL's password and the whole URL; a whole key block."""
    if "PRIVATE KEY" in line:
        return [line]
    if "\n" in line:                       # AWS pair: both lines are secrets
        return line.split("\n")
    value = line.split("=", 1)[-1] if "=" in line else line.split(":", 1)[-1]
    value = value.strip().strip("'\";, ")
    if "://" in value and "@" in value:
        return [value.split("://", 1)[1].split(":", 1)[1].split("@", 1)[0], value]
    return [value]


# ------------------------------------------------------------------ measured in child processes

def locate(folder: Path, secrets: list[dict]) -> list[set[tuple[str, int]]]:
    """(file, line) of every line of the working tree that holds each planted secret."""
    needles = [[v for v in secret_values(s["line"]) for v in v.split("\n")[:2] if len(v) >= 8] for s in secrets]
    spots: list[set[tuple[str, int]]] = [set() for _ in secrets]
    for path in folder.rglob("*"):
        if ".git" in path.parts or not path.is_file():
            continue
        rel = str(path.relative_to(folder))
        for n, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            for i, values in enumerate(needles):
                if any(v in line for v in values):
                    spots[i].add((rel, n))
    return spots


def _child(code: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def ours(repo: Path, history: bool) -> dict:
    fn = "scan_history(repo)" if history else "scan_paths([repo])"
    return _child(f"""
import json, time, sys
sys.path.insert(0, 'lib')
from pathlib import Path
from launch_audit.secrets.history import scan_history
from launch_audit.secrets.sources import scan_paths
repo = Path({str(repo)!r})
t = time.perf_counter(); r = {fn}; took = time.perf_counter() - t
hwm = [int(x.split()[1]) for x in open("/proc/self/status") if x.startswith("VmHWM")][0]
print(json.dumps({{"seconds": took, "bytes": r.bytes, "files": r.files,
    "found": [[x.match.rule_id, x.match.fingerprint, x.match.kind, x.path] for x in r.found],
    "maxrss_mb": hwm / 1024}}))
""")


def detect_secrets(repo: Path) -> dict:
    """detect-secrets in a child that samples the resident memory of detect-secrets and its workers
    (summed) every 50 ms: ru_maxrss would carry over this benchmark's own memory across exec."""
    return _child(f"""
import json, os, subprocess, time
def tree_rss(root):
    kids, total = {{}}, 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = open(f"/proc/{{pid}}/stat").read().rsplit(")", 1)[1].split()
            kids.setdefault(int(stat[1]), []).append(int(pid))
        except OSError:
            pass
    todo = [root]
    while todo:
        pid = todo.pop()
        todo += kids.get(pid, [])
        try:
            total += [int(x.split()[1]) for x in open(f"/proc/{{pid}}/status") if x.startswith("VmRSS")][0]
        except (OSError, IndexError):
            pass
    return total
t = time.perf_counter()
proc = subprocess.Popen(["detect-secrets", "-C", {str(repo)!r}, "-c", "2", "scan", "--all-files"],
                        stdout=subprocess.PIPE, text=True)
peak = 0
import threading
out = []
reader = threading.Thread(target=lambda: out.append(proc.stdout.read()))
reader.start()
while proc.poll() is None:
    peak = max(peak, tree_rss(proc.pid))
    time.sleep(0.05)
reader.join()
took = time.perf_counter() - t
doc = json.loads(out[0])
found = [[f, s["type"], s["hashed_secret"], s["line_number"]] for f, items in doc["results"].items() for s in items]
print(json.dumps({{"seconds": took, "found": found, "maxrss_mb": peak / 1024}}))
""")


def median_run(fn, repeats: int) -> dict:
    """Run a measurement ``repeats`` times; the result with the median wall time (its other figures too)."""
    runs = sorted((fn() for _ in range(repeats)), key=lambda r: r["seconds"])
    return runs[len(runs) // 2]


def main() -> None:
    commits = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    folder = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(tempfile.gettempdir()) / f"la-secrets-bench-{commits}"
    repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    if not (folder / ".git" / "bench-manifest.json").exists():
        print(f"building {folder} ({commits} commits)…", file=sys.stderr)
        folder.mkdir(parents=True, exist_ok=True)
        t = time.perf_counter()
        build_repo(folder, commits)
        print(f"  built in {time.perf_counter() - t:.1f}s", file=sys.stderr)
    manifest = json.loads((folder / ".git" / "bench-manifest.json").read_text())
    sys.path.insert(0, str(ROOT / "lib"))
    from launch_audit.redact import fingerprint  # noqa: PLC0415

    tree_bytes = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and ".git" not in p.parts)
    t = time.perf_counter()
    log_bytes = len(subprocess.run(["git", "-C", str(folder), "log", "-p", "--all"], capture_output=True, check=True).stdout)
    log_s = time.perf_counter() - t
    planted = manifest["secrets"]
    fp_of = [{fingerprint(v) for v in secret_values(s["line"])} for s in planted]

    def score_ours(result: dict, universe: list[int]) -> tuple[int, int, int, int, int]:
        """(planted found, findings that are planted, findings, live findings that are planted, live findings)"""
        fps = {f[1] for f in result["found"]}
        recall = sum(1 for i in universe if fp_of[i] & fps)
        planted_fps = set().union(*fp_of)
        true = sum(1 for f in result["found"] if f[1] in planted_fps)
        live = [f for f in result["found"] if f[2] == "live"]
        true_live = sum(1 for f in live if f[1] in planted_fps)
        return recall, true, len(result["found"]), true_live if live else 0, len(live)

    # later commits rewrite lines, so some secrets planted in the tree end up only in history: ask the tree
    where_all = locate(folder, planted)
    tree_idx = [i for i, spots in enumerate(where_all) if spots]
    all_idx = list(range(len(planted)))
    rows = []
    o_tree = median_run(lambda: ours(folder, history=False), repeats)
    rec, true, n, true_live, n_live = score_ours(o_tree, tree_idx)
    rows.append(("ours, working tree", o_tree["seconds"], tree_bytes, rec, len(tree_idx), true, n, true_live, n_live,
                 o_tree["maxrss_mb"]))
    o_hist = median_run(lambda: ours(folder, history=True), repeats)
    rec, true, n, true_live, n_live = score_ours(o_hist, all_idx)
    rows.append(("ours, full history", o_hist["seconds"], o_hist["bytes"], rec, len(all_idx), true, n, true_live, n_live,
                 o_hist["maxrss_mb"]))
    ds = median_run(lambda: detect_secrets(folder), repeats)
    # detect-secrets hashes only a rule's first group for some rules (its GitHub rule hashes "ghp"), so its
    # findings are matched to planted secrets by file and line
    where = [where_all[i] for i in tree_idx]
    ds_at = {(f[0], f[3]) for f in ds["found"]}
    ds_rec = sum(1 for spots in where if spots & ds_at)
    planted_spots = set().union(*where)
    ds_true = sum(1 for f in ds["found"] if (f[0], f[3]) in planted_spots)
    ds_missed = [planted[i]["rule"] for i, spots in zip(tree_idx, where) if not spots & ds_at]
    rows.append(("detect-secrets 1.5, working tree (2 procs)", ds["seconds"], tree_bytes, ds_rec, len(tree_idx), ds_true,
                 len(ds["found"]), None, None, ds["maxrss_mb"]))

    print(f"repository: {commits} commits, working tree {tree_bytes / 1e6:.1f} MB, `git log -p --all` "
          f"{log_bytes / 1e6:.1f} MB in {log_s:.1f}s; {len(planted)} planted secrets ({len(tree_idx)} still in the tree, "
          f"{len(planted) - len(tree_idx)} only in history)\n")
    print(f"median of {repeats} runs each")
    print(f"{'scan':44} {'seconds':>8} {'MB/s':>7} {'recall':>12} {'precision (all)':>18} {'precision (live)':>18} {'peak MB':>8}")
    for name, secs, nbytes, rec, universe, true, n, tl, nl, rss in rows:
        prec = f"{true}/{n} = {true / n * 100:.0f}%" if n else "-"
        prec_live = f"{tl}/{nl} = {tl / nl * 100:.0f}%" if nl else "-"
        print(f"{name:44} {secs:8.2f} {nbytes / 1e6 / secs:7.1f} {f'{rec}/{universe}':>12} {prec:>18} {prec_live:>18} {rss:8.0f}")
    print(f"\nworking tree: ours {rows[2][1] / rows[0][1]:.0f}x faster than detect-secrets")
    missed = [planted[i]["rule"] for i in all_idx if not (fp_of[i] & {f[1] for f in o_hist["found"]})]
    print(f"ours missed in history: {missed or 'none'}")
    print(f"detect-secrets missed in the tree: {ds_missed or 'none'}")
    extra = sorted({(f[0], f[2]) for f in o_tree["found"] if not any(f[1] in s for s in fp_of)})
    print(f"ours, findings that are not planted secrets (rule, kind): {extra[:12]}{' …' if len(extra) > 12 else ''}")


if __name__ == "__main__":
    main()
