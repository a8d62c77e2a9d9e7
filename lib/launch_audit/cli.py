"""``launch-audit``: thin commands over the library (spec/outputs.md).

Exit codes: 0 the run completed, 1 ``--fail-on`` was met, 2 bad input, 3 the run itself broke.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import signal
import sys
import threading
from pathlib import Path

from . import __version__, term, workspace
from .findings import Finding, Severity, Status
from .profile import json_schema
from .profile_loader import ProfileError, load_profile, unset_credentials
from .redact import Redactor
from .run_folder import RunFolderError

EXIT_OK, EXIT_FAIL_ON, EXIT_BAD_INPUT, EXIT_BROKEN = 0, 1, 2, 3


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:       # argparse already exits 2; keep it one clear line
        self.print_usage(sys.stderr)
        term.fatal(message)
        raise SystemExit(EXIT_BAD_INPUT)


def _stages(text: str) -> list[int]:
    try:
        stages = sorted({int(x) for x in text.split(",") if x.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"stages must be numbers 1-7 separated by commas, got {text!r}") from None
    if not stages or any(s < 1 or s > 7 for s in stages):
        raise argparse.ArgumentTypeError(f"stages must be numbers 1-7, got {text!r}")
    return stages


def _whole_number(low: int, high: int, unit: str = ""):
    """An argparse type: a whole number from ``low`` to ``high`` (``unit`` names it in the message)."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a whole number{unit and ' of ' + unit}, got {text!r}") from None
        if value < low or value > high:
            raise argparse.ArgumentTypeError(f"must be between {low} and {high}{unit and ' ' + unit}, got {value}")
        return value
    return parse


def _duration(text: str) -> float:
    """``90``, ``90s``, ``10m``, ``2h``, ``1d`` → seconds."""
    import re
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([smhd]?)", text.strip().lower())
    if not m or float(m.group(1)) <= 0:
        raise argparse.ArgumentTypeError(f"must be a duration like 90s, 10m, 2h or 1d, got {text!r}")
    return float(m.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86_400}[m.group(2)]


_positive = _whole_number(1, 64)
_seconds = _whole_number(1, 86_400, "seconds")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="launch-audit", description="Pre-launch security audit workbook.")
    parser.add_argument("--version", action="version", version=f"launch-audit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    demo = sub.add_parser("demo", help="start the bundled demo shop and audit it")
    demo.add_argument("--serve", action="store_true", help="keep the shop running until interrupted")
    demo.add_argument("--hardened", action="store_true", help="serve the fixed twin, where no check should fail")
    demo.add_argument("--out", type=Path, default=None,
                      help="outputs folder (default: the workspace's outputs/, else ./outputs)")

    init = sub.add_parser("init", help="make an engagement workspace: notebooks/, client_profiles/, outputs/, a README")
    init.add_argument("dir", type=Path, metavar="DIR",
                      help="the folder to make (it may exist, empty or not a workspace yet)")

    run = sub.add_parser("run", help="audit one client")
    run.add_argument("profile", type=Path)
    run.add_argument("--out", type=Path, default=None,
                     help="outputs folder (default: outputs/ of the profile's workspace, else ./outputs)")
    run.add_argument("--stages", type=_stages, default=None, help="e.g. 1,2,4 (default: all)")
    run.add_argument("--workers", type=_positive, default=None,
                     help="stage notebooks run at once (default: cores + 1)")
    run.add_argument("--fail-on", choices=[s.value for s in Severity], default=None,
                     help="exit 1 when a fail of this severity or worse is found")
    run.add_argument("--only", type=lambda t: t.split(","), default=None, metavar="CHECK_IDS",
                     help="only these checks: ids or prefixes separated by commas (S2.spf,S2.dmarc or S5.); "
                          "their stages run, nothing else")
    run.add_argument("--time-budget", type=_seconds, default=None, metavar="SECONDS",
                     help="cap stage 5's conversations: under a declared chat limit, the least damaging probes "
                          "that do not fit are not sent (listed as skip)")

    batch = sub.add_parser("batch", help="audit many clients; one client's failure never stops the others")
    batch.add_argument("profiles", type=Path, nargs="+", metavar="PROFILE_OR_DIR")
    batch.add_argument("--workers", type=_positive, default=2,
                       help="clients audited at once in local processes (default: 2; with --scheduler the cluster decides)")
    batch.add_argument("--scheduler", default=None, metavar="ADDRESS",
                       help="a Dask scheduler (tcp://host:8786): each client becomes a task on that cluster")
    batch.add_argument("--out", type=Path, default=None,
                       help="outputs folder (default: outputs/ of the first profile's workspace, else ./outputs)")
    batch.add_argument("--stages", type=_stages, default=None, help="e.g. 1,2,4 (default: all)")

    smoke = sub.add_parser("smoke", help="the post-deploy smoke test: health, login, chat, webhook receipt, critical "
                                         "URLs, in seconds; exit 1 when any fails")
    smoke.add_argument("profile", type=Path)
    smoke.add_argument("--junit", type=Path, default=None, metavar="FILE", help="also write JUnit XML (for CI)")

    watch = sub.add_parser("watch", help="the founder's uptime watch: main page, health and critical URLs every "
                                         "interval; alerts by email and Slack-compatible webhooks")
    watch.add_argument("profile", type=Path)
    watch.add_argument("--interval", type=_duration, default=None, metavar="DURATION",
                       help="between rounds (default: the profile's watch.interval_s, 60 s)")
    watch.add_argument("--for", dest="duration", type=_duration, default=None, metavar="DURATION",
                       help="stop after this long (90s, 10m, 2h, 1d; default: until interrupted)")
    watch.add_argument("--db", type=Path, default=None, metavar="FILE",
                       help="the SQLite record (default: outputs/<client>/watch.sqlite of the profile's workspace)")
    watch.add_argument("--scheduler", default=None, metavar="ADDRESS",
                       help="a Dask scheduler: each worker is a vantage point named by its worker name; an incident "
                            "needs a majority of them")
    watch.add_argument("--report", nargs="?", const="", default=None, metavar="FILE",
                       help="write the HTML uptime report from the record and exit (default: watch-report.html "
                            "beside the record); no probing")

    report = sub.add_parser("report", help="rebuild report.html and handover.html from a run folder")
    report.add_argument("run_dir", type=Path, metavar="RUN_DIR")

    validate = sub.add_parser("validate", help="check client profiles, one line per problem")
    validate.add_argument("profiles", type=Path, nargs="+")
    validate.add_argument("--no-env", action="store_true",
                          help="do not require the credentials the profiles name to be set (linting profiles in CI)")

    sub.add_parser("schema", help="print the profile JSON Schema")

    sub.add_parser("probes", help="print the chatbot probe set's coverage (category × technique)")

    email = sub.add_parser("email", help="build the founder email (report attached) and send it, or write email.eml")
    email.add_argument("run_dir", type=Path, metavar="RUN_DIR")
    email.add_argument("--to", required=True, help="the founder's address")
    email.add_argument("--from", dest="sender", default="launch-audit <audit@launch-audit.invalid>")
    email.add_argument("--smtp", default=None, metavar="HOST:PORT", help="SMTP server (STARTTLS required); login from "
                       "LAUNCH_AUDIT_SMTP_USER and LAUNCH_AUDIT_SMTP_PASSWORD")
    email.add_argument("--ca-bundle", default=None, help="extra trusted CA for the SMTP server (staging, tests)")
    email.add_argument("--dry-run", action="store_true", help="write RUN_DIR/email.eml and send nothing")

    diff = sub.add_parser("diff", help="what was fixed, what is new and what still fails between two runs")
    diff.add_argument("old_run", type=Path, metavar="OLD_RUN")
    diff.add_argument("new_run", type=Path, metavar="NEW_RUN")
    diff.add_argument("--format", choices=["text", "json"], default="text")

    secrets = sub.add_parser("secrets", help="scan files, a repository (and its history) or CI logs for secrets")
    secrets.add_argument("paths", type=Path, nargs="+", metavar="PATH")
    secrets.add_argument("--history", action="store_true", help="also every blob of the git history, deleted files included")
    secrets.add_argument("--format", choices=["text", "json", "sarif"], default="text")
    secrets.add_argument("--output", type=Path, default=None, help="write the report here instead of stdout")
    secrets.add_argument("--baseline", type=Path, default=None, help="accept the secrets this baseline lists")
    secrets.add_argument("--config", type=Path, default=None, metavar="FILE",
                         help="a gitleaks configuration (TOML) to honour instead of the repository's .gitleaks.toml")
    secrets.add_argument("--write-baseline", type=Path, default=None, metavar="FILE",
                         help="write a baseline accepting everything found now, and exit 0")
    secrets.add_argument("--strict", action="store_true",
                         help="also exit 1 on test-mode, publishable and expired secrets (not only live ones)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return {"demo": cmd_demo, "init": cmd_init, "run": cmd_run, "smoke": cmd_smoke, "watch": cmd_watch,
                "batch": cmd_batch, "report": cmd_report, "validate": cmd_validate, "schema": cmd_schema,
                "secrets": cmd_secrets, "probes": cmd_probes, "diff": cmd_diff, "email": cmd_email}[args.command](args)
    except workspace.MissingShippedFiles as e:
        term.fatal(str(e))
        return EXIT_BROKEN
    except KeyboardInterrupt:
        term.fatal("interrupted; the unfinished run was left as a .partial folder")
        return EXIT_BROKEN
    except BrokenPipeError:
        # the reader went away (`launch-audit diff … | head`): stop quietly, and keep Python's
        # final flush of stdout from printing a second error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    print(json.dumps(json_schema(), indent=2))
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    bad = 0
    for path in args.profiles:
        try:
            profile = load_profile(path)
        except ProfileError as e:
            bad += 1
            _print_problems(e.problems)
            continue
        unset = [] if args.no_env else unset_credentials(profile)
        if unset:
            bad += 1
            _print_problems(unset)
        else:
            term.say(f"{path}: ok")
    return EXIT_BAD_INPUT if bad else EXIT_OK


def warn_unset_credentials(profile) -> None:
    """Before a run: each credential that is not set, and that the checks needing it will skip."""
    for problem in unset_credentials(profile):
        term.say(f"warning: {problem}: the checks that need it will skip")


def _print_problems(problems) -> None:
    for problem in problems:
        term.err.print(term.inert(str(problem), limit=1000))


def _load_or_say(path: Path):
    """The profile, or None after printing one line per problem (the command then exits 2)."""
    try:
        return load_profile(path)
    except ProfileError as e:
        _print_problems(e.problems)
        return None


def _audit(profile_path: Path, out: Path | None, stages: list[int] | None, fail_on: str | None,
           workers: int | None = None, time_budget_s: float | None = None, only: list[str] | None = None) -> int:
    from .checks import catalog  # here: `secrets` and `validate` never load the checks
    from .checks.redteam import STAGE5, stage_plan
    from .workbook.pipeline import run_pipeline
    from .workbook.stages import stage_title

    profile = _load_or_say(profile_path)
    if profile is None:
        return EXIT_BAD_INPUT
    warn_unset_credentials(profile)
    selected = stages or list(range(1, 8))
    automated = [c for c in catalog.automated() if c.stage in selected]
    if only is not None:
        try:
            automated = [c for c in catalog.select(only) if c.stage in selected]
        except ValueError as e:
            term.fatal(str(e))
            return EXIT_BAD_INPUT
        if not automated:
            term.fatal(f"--only {','.join(only)}: none of those checks is in stages {','.join(map(str, selected))}")
            return EXIT_BAD_INPUT
        selected = sorted({c.stage for c in automated})
        only = [c.id for c in automated]
    term.say(f"Auditing {profile.client} ({profile.domain}): stages {','.join(map(str, selected))}, "
             f"{len(automated)} automated checks, through the stage notebooks")
    plan = stage_plan(profile, time_budget_s) if any(c.id in STAGE5 for c in automated) else None
    if plan is not None:            # how long the chat limit makes stage 5, before it starts
        term.say(plan.line())
    try:
        with term.stage_progress(selected, {s: stage_title(s) for s in selected}) as (on_progress, on_phase):
            out = out or workspace.outputs_root(workspace.for_profile(profile_path))
            result = run_pipeline(profile_path, out, stages=stages, workers=workers, on_progress=on_progress,
                                  on_phase=on_phase, profile=profile, time_budget_s=time_budget_s, only=only)
    except RunFolderError as e:
        term.fatal(str(e))
        return EXIT_BROKEN
    term.summary(result.findings, profile.redactor)
    for broken in result.broken:
        term.fatal(f"stage {broken.stage} notebook broke: {broken.error} (see {result.run_dir / broken.notebook})")
    for name, why in result.report_errors.items():
        term.fatal(f"{name}: {why}")
    term.out.print(term.inert(f"Run folder: {result.run_dir}", limit=2000))
    if (result.run_dir / "report.html").is_file():
        term.out.print(term.inert(f"Report:     {result.run_dir / 'report.html'}", limit=2000))
    term.out.print(term.inert(f"Findings:   {result.findings_json}", limit=2000))
    if result.broken or result.report_errors:
        return EXIT_BROKEN
    if fail_on and _fail_on_met(result.findings, fail_on):
        return EXIT_FAIL_ON
    return EXIT_OK


def _fail_on_met(findings: list[Finding], fail_on: str) -> bool:
    order = list(Severity)
    worst = order.index(Severity(fail_on))
    return any(f.status is Status.FAIL and order.index(f.severity) <= worst for f in findings)


def cmd_run(args: argparse.Namespace) -> int:
    return _audit(args.profile, args.out, args.stages, args.fail_on, args.workers, args.time_budget, args.only)


def cmd_smoke(args: argparse.Namespace) -> int:
    """Exit 0 every flow passed (or had nothing to test), 1 one failed, 2 bad input, 3 launch-audit broke."""
    import asyncio

    from .smoke import run_smoke, write_junit

    profile = _load_or_say(args.profile)
    if profile is None:
        return EXIT_BAD_INPUT
    redactor = profile.redactor
    term.say(f"Smoke test of {profile.client} ({profile.canonical})")
    try:
        run = asyncio.run(run_smoke(profile, lambda r: term.result_line(r.status, r.name, r.message, r.ms, redactor)))
    except OSError as e:            # the profile's CA bundle or another file it names cannot be read
        term.fatal(f"{args.profile}: {e.strerror or e}{f' ({e.filename})' if e.filename else ''}")
        return EXIT_BAD_INPUT
    passed = sum(r.status == "pass" for r in run.results)
    term.say(f"{passed} passed, {len(run.failed)} failed, {len(run.broken)} broke, "
             f"{len(run.results) - passed - len(run.failed) - len(run.broken)} skipped in {run.seconds:.1f} s")
    if args.junit:
        try:
            write_junit(run, args.junit, profile.client, redactor)
        except OSError as e:
            from .run_folder import explain_os_error
            term.fatal(explain_os_error(e, args.junit))
            return EXIT_BROKEN
    if run.broken:
        return EXIT_BROKEN
    return EXIT_FAIL_ON if run.failed else EXIT_OK


def cmd_watch(args: argparse.Namespace) -> int:
    """Exit 0 when the watch ends (--for elapsed, or interrupted), 2 bad input, 3 the record cannot be written."""
    import asyncio
    import sqlite3

    from .watch import DaskVantages, LocalVantage, WatchStore, routes_of, run_watch, write_report

    profile = _load_or_say(args.profile)
    if profile is None:
        return EXIT_BAD_INPUT
    db = args.db or workspace.outputs_root(workspace.for_profile(args.profile)) / profile.client / "watch.sqlite"
    try:
        store = WatchStore(db)
    except (OSError, sqlite3.Error) as e:
        term.fatal(f"cannot open the watch record {db}: {e}")
        return EXIT_BROKEN
    try:
        if args.report is not None:
            path = Path(args.report) if args.report else db.with_name("watch-report.html")
            write_report(store, profile, path)
            term.out.print(term.inert(f"Report: {path}", limit=2000))
            return EXIT_OK
        routes, problems = routes_of(profile)
        for problem in problems:
            term.fatal(problem)
        interval = args.interval or profile.watch.interval_s
        try:
            vantages = (DaskVantages(args.scheduler, profile, args.profile) if args.scheduler
                        else LocalVantage(profile))
        except OSError as e:
            term.fatal(f"cannot reach the Dask scheduler {args.scheduler}: {e}")
            return EXIT_BAD_INPUT
        term.say(f"Watching {profile.client} every {interval:g} s"
                 + (f" for {args.duration:g} s" if args.duration else " until interrupted")
                 + f"; alerts: {', '.join(r.name for r in routes) or 'none configured (profile watch:)'}; "
                 f"record: {db}")

        async def go() -> None:
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(sig, stop.set)
            run = await run_watch(profile, store, vantages, routes, interval_s=interval, duration_s=args.duration,
                                  stop=stop, say=lambda line: term.out.print(term.inert(line, profile.redactor, 500)))
            term.say(f"Watch ended after {run.rounds} rounds, {len(run.notices)} notices sent")

        try:
            asyncio.run(go())
        finally:
            if isinstance(vantages, DaskVantages):
                vantages.close()
        return EXIT_OK
    finally:
        store.close()


def cmd_report(args: argparse.Namespace) -> int:
    from .workbook.pipeline import rebuild_reports

    if not (args.run_dir / "findings.json").is_file():
        term.fatal(f"{args.run_dir} is not a run folder (no findings.json)")
        return EXIT_BAD_INPUT
    term.say(f"Rebuilding the reports of {args.run_dir} from its findings (no probing)")
    try:
        problems = rebuild_reports(args.run_dir)
    except OSError as e:
        from .run_folder import explain_os_error
        term.fatal(explain_os_error(e, args.run_dir))
        return EXIT_BROKEN
    for name, why in problems.items():
        term.fatal(f"{name}: the report notebook broke: {why}")
    for name in ("report.html", "handover.html"):
        term.out.print(term.inert(f"{name:14} {args.run_dir / name}", limit=2000))
    return EXIT_BROKEN if problems else EXIT_OK


def cmd_batch(args: argparse.Namespace) -> int:
    from rich.table import Table

    from .workbook.batch import ClientOutcome, expand_profiles, run_batch

    profiles, _ = expand_profiles(args.profiles)
    out = args.out or workspace.outputs_root(workspace.for_profile(args.profiles[0]))
    term.say(f"Batch: {len(profiles)} profiles, {args.workers} at a time"
             + (f" on the Dask cluster at {args.scheduler}" if args.scheduler else " in local processes"))
    total = len(profiles) + sum(1 for p in args.profiles if not p.exists())
    try:
        with term.count_progress(total, "clients") as advance:
            def on_done(o: ClientOutcome) -> None:
                advance(f"  {o.client or o.profile}: {o.status}" + (f" — {o.message}" if o.message else ""))
            outcomes = run_batch(args.profiles, out, workers=args.workers,
                                 scheduler=args.scheduler, stages=args.stages, on_done=on_done)
    except OSError as e:
        term.fatal(f"cannot reach the Dask scheduler {args.scheduler}: {e}")
        return EXIT_BAD_INPUT
    table = Table(title="Batch summary", show_lines=False)
    for col in ("client", "status", "critical", "high", "medium", "low", "errors", "report"):
        table.add_column(col, overflow="fold")      # paths and reasons are never cut: logs keep them whole
    for o in outcomes:
        table.add_row(*(term.inert(str(x), limit=200) for x in (
            o.client or o.profile, o.status, o.fails.get("critical", ""), o.fails.get("high", ""),
            o.fails.get("medium", ""), o.fails.get("low", ""), o.errors if o.ok else "", o.report or o.message)))
    term.out.print(table)
    if any(o.status in ("failed", "stage broke") for o in outcomes):
        return EXIT_BROKEN
    if any(o.status == "invalid" for o in outcomes):
        return EXIT_BAD_INPUT
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from .demo import DemoShop
    from .demo.shop import DEFAULT_LAYOUT

    here = workspace.find()          # in a workspace or the checkout: its .demo/, profile and outputs/
    shop = DemoShop(workspace.demo_state_dir(here), hardened=args.hardened)
    try:
        shop.start()
    except OSError as e:
        if e.errno == errno.EADDRINUSE:
            term.fatal("the demo shop's addresses are in use: is `launch-audit demo --serve` already running?")
        else:
            term.fatal(f"cannot start the demo shop: {e.strerror or e}")
        return EXIT_BROKEN
    try:
        L = DEFAULT_LAYOUT
        term.say(f"Demo shop up{' (hardened twin)' if args.hardened else ''}: DNS {L.nameserver}, "
                 f"HTTPS :{L.https_port} and HTTP :{L.http_port} on {L.prefix}.1-5, SMTP {L.smtp_address}:{L.smtp_port}")
        # the workspace's demo profile reads ../.demo/; elsewhere the shipped one, written with this shop's paths
        profile = workspace.demo_profile(args.hardened, here) or shop.write_profile()
        if args.serve:
            term.say(f"Profile: {profile}  (in another terminal: launch-audit run {profile})")
            term.say("Press Ctrl-C to stop.")
            stop = threading.Event()
            signal.signal(signal.SIGTERM, lambda *_: stop.set())
            try:
                while not stop.wait(1):
                    pass
            except KeyboardInterrupt:
                pass
            return EXIT_OK
        return _audit(profile, args.out or workspace.outputs_root(here), None, None)
    finally:
        shop.stop()
        term.say("Demo shop stopped.")


def cmd_init(args: argparse.Namespace) -> int:
    from .run_folder import explain_os_error
    from .workspace.init import WorkspaceExists, create

    try:
        written = create(args.dir)
    except WorkspaceExists as e:
        term.fatal(str(e))
        return EXIT_BAD_INPUT
    except OSError as e:
        term.fatal(explain_os_error(e, Path(e.filename or args.dir)))
        return EXIT_BAD_INPUT
    folders = sorted({w.split("/")[0] + "/" for w in written if "/" in w})
    term.say(f"Workspace made in {args.dir}: {', '.join(folders)} and {len(written)} files "
             f"({sum(w.endswith('.ipynb') for w in written)} notebooks)")
    term.out.print(term.inert(f"""Next:
  cd {args.dir}
  cp client_profiles/example.yaml client_profiles/<client>.yaml     # fill it in, then:
  launch-audit validate client_profiles/<client>.yaml
  launch-audit run client_profiles/<client>.yaml
Try it on the demo shop first: launch-audit demo (README.md says more)""", limit=2000))
    return EXIT_OK


def cmd_email(args: argparse.Namespace) -> int:
    """Exit 0 written/sent, 2 bad input, 3 the chart or the send failed (email.eml is kept either way)."""
    from .mailer.chart_png import ChartError, latency_png
    from .mailer.founder_email import build_message
    from .mailer.send import SendError, send, write_eml

    if not (args.run_dir / "findings.json").is_file():
        term.fatal(f"{args.run_dir} is not a run folder (no findings.json)")
        return EXIT_BAD_INPUT
    if "@" not in args.to:
        term.fatal(f"--to {args.to!r} is not an email address")
        return EXIT_BAD_INPUT
    if not args.dry_run and not args.smtp:
        term.fatal("give --smtp HOST:PORT, or --dry-run to only write email.eml")
        return EXIT_BAD_INPUT
    try:
        chart = latency_png(args.run_dir)
    except ChartError as e:
        term.fatal(f"{e}; sending without the chart")
        chart = None
    msg = build_message(args.run_dir, args.to, args.sender, chart)
    eml = write_eml(msg, args.run_dir)
    if args.dry_run:
        term.say(f"written: {eml}")
        return EXIT_OK
    host, _, port = args.smtp.rpartition(":")
    if not host or not port.isdigit():
        term.fatal(f"--smtp must be HOST:PORT, got {args.smtp!r} (the message is kept in {eml})")
        return EXIT_BAD_INPUT
    try:
        send(msg, host, int(port), cafile=args.ca_bundle)
    except SendError as e:
        term.fatal(f"not sent: {e} (the message is kept in {eml})")
        return EXIT_BROKEN
    term.say(f"sent to {args.to} through {args.smtp} (a copy is in {eml})")
    return EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    from .reaudit import diff_json, diff_runs, diff_text

    for run in (args.old_run, args.new_run):
        if not (run / "findings.json").is_file():
            term.fatal(f"{run} is not a run folder (no findings.json)")
            return EXIT_BAD_INPUT
    d = diff_runs(args.old_run, args.new_run)
    print(Redactor().text(diff_json(d) if args.format == "json" else diff_text(d)))
    return EXIT_OK


def cmd_probes(args: argparse.Namespace) -> int:
    from .redteam.probes import coverage_text

    print(coverage_text())
    return EXIT_OK


def cmd_secrets(args: argparse.Namespace) -> int:
    """Exit 0 nothing (new) found, 1 a live secret (with --strict: any secret), 2 bad input."""
    from .cli_secrets import run_secrets_command

    return run_secrets_command(args)


if __name__ == "__main__":
    sys.exit(main())
