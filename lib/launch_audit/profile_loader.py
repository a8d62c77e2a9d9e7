"""Load a profile from YAML and explain every problem in one line with its key path.

``client_profiles/acme.yaml:14: api.endpoints[2].method: must be one of GET, POST, PUT, PATCH, DELETE``
"""

from __future__ import annotations

import difflib
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from .catalog_rows import BY_ID
from .profile import MissingSecret, Profile, cross_problems

MAX_PROFILE_BYTES = 1_000_000


@dataclass(frozen=True)
class Problem:
    source: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.path}: {self.message}"


class ProfileError(Exception):
    """A profile that cannot be used; ``problems`` has one line each."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def format_path(loc: tuple[str | int, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(profile)"


class _NoAliasLoader(yaml.SafeLoader):
    """Anchors and aliases are refused: a profile has no use for them and they make YAML bombs."""

    def compose_node(self, parent, index):  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError("while reading the profile", None,
                                       "anchors and aliases (*name) are not allowed in profiles",
                                       event.start_mark)
        return super().compose_node(parent, index)


def _line_index(node: yaml.Node, prefix: tuple = (), out: dict | None = None) -> dict[tuple, int]:
    """Key path -> line number, from the YAML node tree (1-based)."""
    out = {} if out is None else out
    out[prefix] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            key: Any = k.value
            if isinstance(k, yaml.ScalarNode) and k.tag.endswith(":int"):
                key = int(k.value)
            out[prefix + (key,)] = k.start_mark.line + 1
            _line_index(v, prefix + (key,), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            _line_index(v, prefix + (i,), out)
    return out


def _line_for(lines: dict[tuple, int], loc: tuple) -> int | None:
    while loc:
        if loc in lines:
            return lines[loc]
        loc = loc[:-1]
    return lines.get(())


def _model_at(loc: tuple) -> type[BaseModel] | None:
    """The model class whose fields live at ``loc`` (to suggest a key for a typo)."""
    model: Any = Profile
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        field = model.model_fields.get(part)
        if field is None:
            return None
        model = _inner_model(field.annotation)
    return model


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if found:
            return found
    return None


_TYPE_WORDS = {
    "string_type": "must be text", "int_type": "must be a whole number", "float_type": "must be a number",
    "bool_type": "must be true or false", "list_type": "must be a list", "dict_type": "must be a mapping",
    "model_type": "must be a mapping", "int_parsing": "must be a whole number", "missing": "is required",
}


def _message(err: dict[str, Any]) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        loc = err["loc"]
        model = _model_at(loc[:-1])
        hint = ""
        if model is not None:
            close = difflib.get_close_matches(str(loc[-1]), list(model.model_fields), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            allowed = ", ".join(model.model_fields)
            return f"unknown key{hint}; allowed here: {allowed}"
        return "unknown key"
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        return "must be one of " + expected.replace("'", "").replace(" or ", ", ")
    if kind == "string_pattern_mismatch":
        return f"{err['input']!r} has the wrong form (expected {err['ctx']['pattern']})"
    if kind in _TYPE_WORDS:
        got = type(err.get("input")).__name__
        return _TYPE_WORDS[kind] + ("" if kind == "missing" else f", got {got}")
    msg = err["msg"]
    for prefix in ("Value error, ", "Assertion failed, "):
        msg = msg.removeprefix(prefix)
    return msg[:1].lower() + msg[1:]


def _clean_loc(loc: tuple) -> tuple:
    # pydantic adds the type name for tagged unions/function validators; drop those
    return tuple(p for p in loc if not (isinstance(p, str) and ("[" in p or p.startswith("function-"))))


def load_profile(path: str | Path) -> Profile:
    """Parse and validate; raises :class:`ProfileError` listing every problem."""
    path = Path(path)
    source = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_PROFILE_BYTES:
            raise ProfileError([Problem(source, None, "(file)", f"is {size:,} bytes; a profile is at most {MAX_PROFILE_BYTES:,}")])
        text = path.read_text(encoding="utf-8")
    except ProfileError:
        raise
    except UnicodeDecodeError as e:
        raise ProfileError([Problem(source, None, "(file)", f"is not UTF-8 text ({e.reason} at byte {e.start})")]) from None
    except OSError as e:
        raise ProfileError([Problem(source, None, "(file)", f"cannot be read: {e.strerror or e}")]) from None

    try:
        node = yaml.compose(text, Loader=_NoAliasLoader)
        data = yaml.load(text, Loader=_NoAliasLoader) if node is not None else None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        raise ProfileError([Problem(source, line, "(yaml)", f"{e.problem or e.context}")]) from None
    except yaml.YAMLError as e:
        raise ProfileError([Problem(source, None, "(yaml)", str(e).splitlines()[0])]) from None
    if not isinstance(data, dict):
        raise ProfileError([Problem(source, 1, "(profile)", "must be a YAML mapping of sections (client:, domain:, scope: …)")])
    lines = _line_index(node)

    try:
        profile = Profile.model_validate(data)
    except ValidationError as e:
        problems = []
        for err in e.errors(include_url=False):
            loc = _clean_loc(tuple(err["loc"]))
            problems.append(Problem(source, _line_for(lines, loc), format_path(loc), _message(err)))
        raise ProfileError(_dedupe(problems)) from None

    unknown = [(("attest", k), f"{k} is not a check id (see spec/checks.md)") for k in profile.attest if k not in BY_ID]
    problems = [Problem(source, _line_for(lines, loc), format_path(loc), msg)
                for loc, msg in cross_problems(profile) + unknown]
    profile._base_dir = path.resolve().parent
    profile._source = path
    profile._lines = lines
    problems += [Problem(source, _line_for(lines, loc), format_path(loc), msg) for loc, msg in preflight(profile)]
    if problems:
        raise ProfileError(problems)
    return profile


def preflight(profile: Profile) -> list[tuple[tuple, str]]:
    """Files the network layer needs before anything can run."""
    problems: list[tuple[tuple, str]] = []
    if profile.network.ca_bundle:
        ca = profile.path(profile.network.ca_bundle)
        try:
            ssl.create_default_context().load_verify_locations(cafile=str(ca))
        except FileNotFoundError:
            problems.append((("network", "ca_bundle"), f"file not found: {ca}"))
        except (OSError, ssl.SSLError) as e:
            problems.append((("network", "ca_bundle"), f"not a readable PEM certificate bundle: {ca} ({getattr(e, 'strerror', None) or e})"))
    if profile.env_file:
        env = profile.path(profile.env_file)
        if not env.is_file():
            problems.append((("env_file",), f"file not found: {env}"))
    return problems


def credential_fields(model: BaseModel, loc: tuple = ()):
    """(key path, environment variable name) of every ``*_env`` key set in the profile."""
    for name in type(model).model_fields:
        value = getattr(model, name)
        items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        if name.endswith("_env") and isinstance(value, str):
            yield loc + (name,), value
        elif isinstance(value, BaseModel):
            yield from credential_fields(value, loc + (name,))
        for key, item in items:
            if isinstance(item, BaseModel):
                yield from credential_fields(item, loc + (name, key))


def unset_credentials(profile: Profile) -> list[Problem]:
    """Credentials the profile names that neither the environment nor its env_file sets. Not a broken
    profile (the checks that need one skip, saying which), but a consultant wants to know before a run."""
    source = str(profile.source or "(profile)")
    where = " nor in env_file" if profile.env_file else ""
    problems = []
    for loc, env_name in credential_fields(profile):
        try:
            profile.secret(env_name)
        except MissingSecret:
            problems.append(Problem(source, _line_for(profile._lines, loc), format_path(loc),
                                    f"environment variable {env_name} is not set{where}"))
    return problems


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen, out = set(), []
    for p in problems:
        if (p.path, p.message) not in seen:
            seen.add((p.path, p.message))
            out.append(p)
    return out
