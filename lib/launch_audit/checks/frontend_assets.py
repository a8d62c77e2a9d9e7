"""What the site sends to every browser: the declared pages, their same-site scripts (and the chunks
those scripts load), and inline scripts. Fetched once per run (bounded in count and bytes) and shared by
stage 3's frontend checks."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from ..secrets.scanner import Scanner, SecretMatch
from .base import CheckContext, Unanswered

MAX_SCRIPTS = 40
MAX_ASSET_BYTES = 5_000_000
_CHUNK = re.compile(r"""["'`]((?:\.{0,2}/)?[\w.@~/-]{1,200}?\.m?js)(?:\?[\w=&.-]*)?["'`]""")
_SOURCE_MAP = re.compile(r"[#@]\s*sourceMappingURL\s*=\s*(\S+)\s*$", re.M)


@dataclass
class Asset:
    url: str
    kind: str                   # page | script | inline
    text: str
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def source_map(self) -> str | None:
        """The map the script declares (comment or SourceMap header), resolved."""
        declared = self.headers.get("sourcemap") or self.headers.get("x-sourcemap")
        if not declared:
            found = _SOURCE_MAP.findall(self.text[-2000:])
            declared = found[-1] if found else None
        if declared and not declared.startswith("data:"):
            return urljoin(self.url, declared)
        return None


@dataclass
class Assets:
    items: list[Asset] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)       # url -> why it could not be read
    capped: bool = False
    _secrets: list[tuple[Asset, SecretMatch]] | None = field(default=None, repr=False)

    def secrets(self) -> list[tuple[Asset, SecretMatch]]:
        """Every secret in what browsers receive, scanned once for the checks that need it."""
        if self._secrets is None:
            scanner = Scanner()
            self._secrets = [(a, m) for a in self.items if a.kind in ("page", "script", "inline")
                             for m in scanner.scan(a.text.encode("utf-8", "replace"))]
        return self._secrets

    @property
    def pages(self) -> list[Asset]:
        return [a for a in self.items if a.kind == "page"]

    @property
    def scripts(self) -> list[Asset]:
        return [a for a in self.items if a.kind == "script"]


class _Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.srcs: list[str] = []
        self.inline: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "").strip() for k, v in attrs}
        if tag == "script":
            if a.get("src"):
                self.srcs.append(a["src"])
            else:
                self._in_script = True
        elif tag == "link" and a.get("href"):
            rel = a.get("rel", "").lower().split()
            if "modulepreload" in rel or ("preload" in rel and a.get("as") == "script"):
                self.srcs.append(a["href"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline.append(data)


def scripts_of(html: str, page_url: str) -> tuple[list[str], list[str]]:
    """Pure: (script URLs resolved against the page, inline script texts)."""
    parser = _Scripts()
    parser.feed(html)
    parser.close()
    return [urljoin(page_url, s) for s in parser.srcs], parser.inline


def chunks_of(script: str, script_url: str) -> list[str]:
    """Pure: the .js files a bundle names (code-split chunks), resolved against the bundle's URL."""
    out = []
    for ref in _CHUNK.findall(script):
        if "//" in ref or ref.startswith("node_modules"):
            continue
        out.append(urljoin(script_url, ref))
    return list(dict.fromkeys(out))


def _headers(headers) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


async def collect(ctx: CheckContext) -> Assets:
    """The run's one fetch of the frontend; later callers wait for the first."""
    assets = await ctx.once("frontend", _collect)
    ctx.observe("frontend files", len(assets.items))   # fetched once for the run, read by each caller
    return assets


async def _collect(ctx: CheckContext) -> Assets:
    assert ctx.net is not None
    assets = Assets()
    base = ctx.profile.canonical.rstrip("/")
    queue: list[str] = []

    def same_site(url: str) -> bool:
        host = urlsplit(url).hostname or ""
        return urlsplit(url).scheme in ("http", "https") and ctx.profile.in_scope(host)

    for path in list(ctx.profile.pages) or ["/"]:
        url = base + path
        chain = await ctx.attempt(ctx.net.follow(url, max_hops=5))
        if isinstance(chain, Unanswered):
            assets.errors[url] = chain.reason
            continue
        final = chain.final
        if final is None:
            assets.errors[url] = chain.describe()
            continue
        assets.items.append(Asset(final.url, "page", final.text, final.status, _headers(final.headers)))
        srcs, inline = scripts_of(final.text, final.url)
        assets.items += [Asset(f"{final.url} (inline script {i + 1})", "inline", s) for i, s in enumerate(inline)]
        queue += [s for s in srcs if same_site(s)]
    seen: set[str] = set()
    while queue:
        url = queue.pop(0)
        if url in seen:
            continue
        if len(seen) >= MAX_SCRIPTS:
            assets.capped = True
            break
        seen.add(url)
        resp = await ctx.attempt(ctx.net.get(url, max_bytes=MAX_ASSET_BYTES))
        if isinstance(resp, Unanswered):
            assets.errors[url] = resp.reason
            continue
        if resp.status != 200:
            assets.errors[url] = f"{resp.status} {resp.reason}"
            continue
        asset = Asset(url, "script", resp.text, resp.status, _headers(resp.headers))
        assets.items.append(asset)
        queue += [c for c in chunks_of(asset.text, url) if same_site(c) and c not in seen]
    return assets
