"""``launch-audit``: thin commands over the library (spec/outputs.md).

Exit codes: 0 the run completed, 1 ``--fail-on`` was met, 2 bad input, 3 the run itself broke.
"""

from __future__ import annotations

import argparse
import errno
import json
import signal
import sys
import threading
from pathlib import Path

from . import __version__, paths, term
from .audit import run_audit, select_checks
from .findings import Severity, Status
from .profile import json_schema
from .profile_loader import ProfileError, load_profile
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


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="launch-audit", description="Pre-launch security audit workbook.")
    parser.add_argument("--version", action="version", version=f"launch-audit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    demo = sub.add_parser("demo", help="start the bundled demo shop and audit it")
    demo.add_argument("--serve", action="store_true", help="keep the shop running until interrupted")
    demo.add_argument("--hardened", action="store_true", help="serve the fixed twin, where no check should fail")
    demo.add_argument("--out", type=Path, default=None, help="outputs folder (default: ./outputs)")

    run = sub.add_parser("run", help="audit one client")
    run.add_argument("profile", type=Path)
    run.add_argument("--out", type=Path, default=None, help="outputs folder (default: ./outputs)")
    run.add_argument("--stages", type=_stages, default=None, help="e.g. 1,2,4 (default: all)")
    run.add_argument("--fail-on", choices=[s.value for s in Severity], default=None,
                     help="exit 1 when a fail of this severity or worse is found")

    validate = sub.add_parser("validate", help="check client profiles, one line per problem")
    validate.add_argument("profiles", type=Path, nargs="+")

    sub.add_parser("schema", help="print the profile JSON Schema")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return {"demo": cmd_demo, "run": cmd_run, "validate": cmd_validate, "schema": cmd_schema}[args.command](args)
    except KeyboardInterrupt:
        term.fatal("interrupted; the unfinished run was left as a .partial folder")
        return EXIT_BROKEN


def cmd_schema(args: argparse.Namespace) -> int:
    print(json.dumps(json_schema(), indent=2))
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    bad = 0
    for path in args.profiles:
        try:
            load_profile(path)
            term.say(f"{path}: ok")
        except ProfileError as e:
            bad += 1
            for problem in e.problems:
                term.err.print(term.inert(str(problem), limit=1000))
    return EXIT_BAD_INPUT if bad else EXIT_OK


def _audit(profile_path: Path, out: Path | None, stages: list[int] | None, fail_on: str | None) -> int:
    try:
        profile = load_profile(profile_path)
    except ProfileError as e:
        for problem in e.problems:
            term.err.print(term.inert(str(problem), limit=1000))
        return EXIT_BAD_INPUT
    checks = select_checks(stages)
    term.say(f"Auditing {profile.client} ({profile.domain}): {len(checks)} checks")
    try:
        with term.check_progress(checks) as on_event:
            result = run_audit(profile, out or paths.outputs_root(), stages=stages, on_event=on_event)
    except RunFolderError as e:
        term.fatal(str(e))
        return EXIT_BROKEN
    term.summary(result.findings, profile.redactor)
    term.out.print(term.inert(f"Run folder: {result.run_dir}", limit=2000))
    term.out.print(term.inert(f"Findings:   {result.findings_json}", limit=2000))
    if fail_on:
        order = list(Severity)
        worst = order.index(Severity(fail_on))
        if any(f.status is Status.FAIL and order.index(f.severity) <= worst for f in result.findings):
            return EXIT_FAIL_ON
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    return _audit(args.profile, args.out, args.stages, args.fail_on)


def cmd_demo(args: argparse.Namespace) -> int:
    from .demo import DemoShop
    from .demo.shop import DEFAULT_LAYOUT

    shop = DemoShop(paths.demo_state_dir(), hardened=args.hardened)
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
        if args.serve:
            profile = paths.demo_profile(args.hardened)
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
        return _audit(paths.demo_profile(args.hardened), args.out, None, None)
    finally:
        shop.stop()
        term.say("Demo shop stopped.")


if __name__ == "__main__":
    sys.exit(main())
