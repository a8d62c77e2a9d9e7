"""S1.endpoint_inventory: the endpoints the profile declares against what the site publishes about itself
(its OpenAPI document, robots.txt, sitemap.xml, API paths named in its scripts). Never fails; an
operation the site documents but the profile does not declare is `warn`: nobody audits what nobody lists."""

from __future__ import annotations

import json
import re
from xml.etree import ElementTree

import yaml

from ..findings import Status
from .api_calls import values_for
from .base import CheckContext, Unanswered
from .frontend_assets import collect

COMMON_DOCS = ("/openapi.json", "/swagger.json", "/api/openapi.json", "/v3/api-docs", "/api-docs", "/openapi.yaml")
METHODS = ("get", "post", "put", "patch", "delete")
_API_PATH = re.compile(r"""["'`](/(?:api|v\d|graphql|admin)(?:/[\w.{}:-]*)*)["'`]""")


def normalize(path: str) -> str:
    """/api/orders/{order} and /api/orders/{id} are the same operation."""
    return re.sub(r"\{[^}]*\}|:\w+", "{}", path.rstrip("/") or "/")


def operations(doc: dict) -> list[tuple[str, str, bool]]:
    """Pure: (METHOD, path, needs auth) of every operation in an OpenAPI/Swagger document, as the
    specification reads it: an operation's own ``security`` overrides the document's; ``[]`` (or a list
    holding only an empty requirement ``{}``) removes any; absent everywhere means none is declared."""
    return [(m, p, secured) for m, p, secured, _ in described_operations(doc)]


def described_operations(doc: dict) -> list[tuple[str, str, bool, str]]:
    """Pure: like :func:`operations`, with the words the document uses for each (operationId and summary),
    which say whether calling it changes something."""
    out = []
    default_secured = _requires(doc.get("security"))
    for path, item in (doc.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method in METHODS:
            op = item.get(method)
            if isinstance(op, dict):
                secured = _requires(op["security"]) if "security" in op else default_secured
                words = " ".join(str(op.get(k) or "")[:500] for k in ("operationId", "summary"))
                out.append((method.upper(), str(path), secured, words))
    return out


def _requires(security: object) -> bool:
    """Pure: a security requirement list demands credentials unless it is empty or one of its
    alternatives is the empty requirement ``{}`` (OpenAPI: "optional")."""
    if not isinstance(security, list) or not security:
        return False
    return not any(isinstance(req, dict) and not req for req in security)


# verbs (and their nouns) that say an operation changes something; a discovered operation that names one is
# never called, whatever its method
STATE_CHANGE_WORDS = frozenset("""
    create add insert update edit modify change save store write upload import
    delete del remove drop destroy erase wipe clear cleanup purge truncate flush prune
    reset reseed seed init initialise initialize setup install bootstrap provision populate migrate
    restore rollback revert sync rebuild reindex regenerate rotate revoke expire invalidate
    logout signout logoff disable enable activate deactivate suspend ban unblock approve reject cancel
    refund charge pay payout capture transfer send notify invite publish unpublish deploy
    restart reboot shutdown kill terminate exec execute trigger toggle
""".split())
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


def names_state_change(*texts: str) -> str | None:
    """Pure: the first word in a path, operation id or summary that says the operation changes state."""
    for text in texts:
        for word in _WORD.findall(text or ""):
            w = word.lower()
            stems = {w, w[:-1] if w.endswith(("s", "d")) else w, w[:-2] if w.endswith(("ed", "es")) else w}
            if w.endswith("ing"):
                stems |= {w[:-3], w[:-3] + "e", w[:-4]}          # seeding, creating, resetting
            for candidate in stems:
                if candidate in STATE_CHANGE_WORDS:
                    return word
    return None


def placeholders_filled(path: str, values: dict[str, str]) -> bool:
    return all(name in values for name in re.findall(r"\{(\w+)\}", path))


async def _document(ctx: CheckContext) -> tuple[str | None, dict | None]:
    assert ctx.net is not None
    api = ctx.profile.api
    if api is None:
        return None, None
    candidates = [api.openapi_url] if api.openapi_url else []
    candidates += [p for p in COMMON_DOCS if p not in candidates]
    for path in candidates:
        url = path if path.startswith("http") else api.url(path)
        resp = await ctx.attempt(ctx.net.get(url, max_bytes=5_000_000))
        if isinstance(resp, Unanswered) or resp.status != 200:      # not here: try the next usual place
            continue
        try:
            doc = json.loads(resp.text) if not path.endswith((".yaml", ".yml")) else yaml.safe_load(resp.text)
        except (ValueError, yaml.YAMLError):
            continue
        if isinstance(doc, dict) and ("openapi" in doc or "swagger" in doc) and isinstance(doc.get("paths"), dict):
            return url, doc
    return None, None


async def openapi_document(ctx: CheckContext) -> tuple[str | None, dict | None]:
    """The run's one fetch of the API description (later callers share the first)."""
    url, doc = await ctx.once("openapi", _document)
    if doc is not None:                          # fetched once for the run, read by each caller
        ctx.observe("API description documents")
    return url, doc


def probe_refusal(method: str, path: str, words: str, values: dict[str, str]) -> str | None:
    """Pure: why a discovered operation is never called (None: it may get one GET/HEAD without credentials)."""
    if method not in ("GET", "HEAD"):
        return f"a {method} is never sent to an undeclared operation"
    word = names_state_change(path, words)
    if word:
        return f"its {'path' if names_state_change(path) else 'description'} names a state change ({word!r})"
    if not placeholders_filled(path, values):
        return "its path has placeholders the profile cannot fill"
    return None


async def _site_paths(ctx: CheckContext) -> tuple[list[str], int, list[str]]:
    """(robots.txt Disallow/Allow paths, sitemap URL count, API paths named in the frontend's scripts)."""
    assert ctx.net is not None
    base = ctx.profile.canonical.rstrip("/")
    robots, sitemap_count = [], 0
    # neither file is required: one that does not answer simply names no path
    resp = await ctx.attempt(ctx.net.get(base + "/robots.txt", max_bytes=500_000))
    if not isinstance(resp, Unanswered) and resp.status == 200 and "<html" not in resp.text[:200].lower():
        robots = [line.split(":", 1)[1].strip() for line in resp.text.splitlines()
                  if line.lower().startswith(("disallow:", "allow:")) and line.split(":", 1)[1].strip()]
    resp = await ctx.attempt(ctx.net.get(base + "/sitemap.xml", max_bytes=5_000_000))
    if not isinstance(resp, Unanswered) and resp.status == 200:
        try:
            sitemap_count = len(ElementTree.fromstring(resp.body).findall(".//{*}loc"))
        except ElementTree.ParseError:
            pass
    assets = await collect(ctx)
    named = sorted({m for a in assets.items for m in _API_PATH.findall(a.text)})
    return robots, sitemap_count, named


def judge_undeclared(method: str, path: str, doc_url: str, never: str | None,
                     probe_discovered: bool) -> tuple[Status, str, dict]:
    """Pure: a documented operation the profile does not declare is a warning to declare it (or remove
    it), saying whether this run touches it and why not."""
    if never:
        touched = f"never called: {never}"
    elif probe_discovered:
        touched = "S1.unauth_access sends it one request without credentials (scope.probe_discovered)"
    else:
        touched = "not called (scope.probe_discovered is false)"
    return (Status.WARN, f"{doc_url} documents {method} {path}, which the profile does not declare: add it to "
            "api.endpoints (with its auth and side_effects) so stage 4 tests it, or remove it from the API. "
            f"{touched[0].upper() + touched[1:]}", {"source": "openapi", "probed": never is None and probe_discovered})


async def check_endpoint_inventory(ctx: CheckContext):
    api = ctx.profile.api
    declared = {(e.method, normalize(e.path)) for e in (api.endpoints if api else [])}
    if api and api.health_path:
        declared.add(("GET", normalize(api.health_path)))
    doc_url, doc = await openapi_document(ctx)
    documented = [(m, p) for m, p, _ in operations(doc or {})]
    robots, sitemap_count, named = await _site_paths(ctx)
    words = {(m, p): w for m, p, _, w in described_operations(doc or {})}
    missing = [(m, p) for m, p in documented if (m, normalize(p)) not in declared]
    values = values_for(ctx.profile)
    for method, path in missing:
        never = probe_refusal(method, path, words.get((method, path), ""), values)
        status, evidence, details = judge_undeclared(method, path, doc_url or "", never,
                                                     ctx.profile.scope.probe_discovered)
        yield ctx.finding(status, f"{method} {path}", evidence, details=details)
    declared_paths = {p for _, p in declared}
    undeclared_named = [p for p in named if normalize(p) not in declared_paths]
    summary = [f"{len(declared)} declared", f"{len(documented)} in the OpenAPI document" if doc_url else
               "no OpenAPI document found"]
    if robots:
        summary.append(f"robots.txt names {', '.join(robots[:8])}")
    if sitemap_count:
        summary.append(f"sitemap.xml lists {sitemap_count} pages")
    if undeclared_named:
        summary.append(f"scripts name undeclared API paths {', '.join(undeclared_named[:8])}")
    yield ctx.finding(Status.PASS, ctx.profile.api.base_url if api else ctx.profile.domain,
                      "; ".join(summary), title="Endpoint inventory",
                      details={"declared": sorted(f"{m} {p}" for m, p in declared), "openapi": doc_url,
                               "documented": [f"{m} {p}" for m, p in documented], "robots": robots,
                               "sitemap_pages": sitemap_count, "script_paths": named})
