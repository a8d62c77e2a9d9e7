"""One shape per check (README, "Layout"): every check module has a pure judge that a table test exercises,
and no check decides by hand what a request that got no answer means. A request's failure reaches a check
in one of two ways: raised to the runner (or ``ctx.each``), which makes it the target's finding through
``ctx.from_error``; or as ``Unanswered`` from ``ctx.attempt``, carrying the network layer's own error-or-skip
decision. Only errors that are themselves the observation may be caught: a name that does not exist, a
name with no address, a TLS handshake the server refuses."""

from __future__ import annotations

import ast
import asyncio
import inspect
from pathlib import Path

import pytest
from launch_audit.checks import catalog
from launch_audit.checks.base import CheckContext, Unanswered
from launch_audit.net import errors

CHECKS = Path(catalog.__file__).parent
TESTS = Path(__file__).resolve().parents[1]
CONVERTERS = {"base.py", "runner.py"}            # where a failed request becomes a finding, for every check
ANSWERS = {"DNSNotFound", "DNSNoAddress", "TLSError"}
NET_ERRORS = {name for name, obj in vars(errors).items() if inspect.isclass(obj) and issubclass(obj, errors.NetError)}


def _caught(handler: ast.ExceptHandler) -> list[str]:
    kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return [k.id if isinstance(k, ast.Name) else k.attr if isinstance(k, ast.Attribute) else "?" for k in kinds
            if k is not None] or ["(bare except)"]


def _handlers(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [(node.lineno, name) for node in ast.walk(tree) if isinstance(node, ast.ExceptHandler)
            for name in _caught(node)]


def test_no_check_handles_a_failed_request_by_hand():
    by_hand = [f"{path.name}:{line} catches {name}" for path in sorted(CHECKS.glob("*.py"))
               if path.name not in CONVERTERS for line, name in _handlers(path)
               if name in (NET_ERRORS - ANSWERS) | {"Exception", "BaseException", "(bare except)"}]
    assert by_hand == [], "use ctx.attempt (or let it raise to the runner / ctx.each):\n" + "\n".join(by_hand)


def test_the_rule_sees_a_hand_made_handler(tmp_path):
    # the rule above is real: a handler written the old way is found
    sample = tmp_path / "sample.py"
    sample.write_text("async def f(ctx):\n    try:\n        await ctx.net.get('x')\n"
                      "    except (ValueError, NetError) as e:\n        pass\n"
                      "    try:\n        pass\n    except errors.TargetTimeout:\n        pass\n")
    assert [name for _, name in _handlers(sample) if name in NET_ERRORS] == ["NetError", "TargetTimeout"]


def _check_modules() -> list[Path]:
    return sorted(p for p in CHECKS.glob("*.py") if "\nasync def check_" in p.read_text(encoding="utf-8"))


def _judges(path: Path) -> list[str]:
    """The judges a check module defines, or takes from the protocol code it checks (mailauth, secrets)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = [n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("judge")]
    names += [a.asname or a.name for n in tree.body if isinstance(n, ast.ImportFrom) and n.level == 2
              for a in n.names if (a.asname or a.name).startswith("judge")]
    return names


def test_every_check_module_has_a_pure_judge_with_a_table_test():
    tests = "\n".join(p.read_text(encoding="utf-8") for p in TESTS.rglob("test_*.py"))
    missing = [p.name for p in _check_modules() if not _judges(p)]
    untested = [f"{p.name}: {j}" for p in _check_modules() for j in _judges(p) if f"{j}(" not in tests]
    assert (missing, untested) == ([], [])


@pytest.mark.parametrize("path", _check_modules(), ids=lambda p: p.stem)
def test_judges_are_pure(path):
    # a judge is handed what was seen: never the context, the network or the profile
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for fn in (n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("judge")):
        args = {a.arg for a in fn.args.args + fn.args.kwonlyargs}
        assert not args & {"ctx", "net", "profile"}, f"{fn.name} takes {args & {'ctx', 'net', 'profile'}}"
        assert not any(isinstance(n, (ast.Await, ast.AsyncFor, ast.AsyncWith)) for n in ast.walk(fn)), fn.name


def test_attempt_returns_the_answer_or_the_network_layers_decision():
    ctx = CheckContext(catalog.BY_ID["S1.exposed_files"], None, None, {})     # type: ignore[arg-type]

    async def answer():
        return 200

    async def fail(exc):
        raise exc

    async def go():
        return [await ctx.attempt(answer()), await ctx.attempt(fail(errors.TargetTimeout("read timed out"))),
                await ctx.attempt(fail(errors.OutOfScope("evil.test")))]

    ok, timeout, refused = asyncio.run(go())
    assert ok == 200
    assert (timeout.status, timeout.reason) == ("error", "read timed out") and isinstance(timeout, Unanswered)
    assert refused.status == "skip" and "not in scope" in refused.reason
    # a bug is not a failed request: it is never swallowed
    with pytest.raises(KeyError):
        asyncio.run(ctx.attempt(fail(KeyError("ours"))))
