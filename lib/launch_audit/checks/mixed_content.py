"""S2.mixed_content: HTTPS pages load nothing over http:// (W3C Mixed Content).

Active content (scripts, stylesheets, frames, objects, form targets) is blocked or
hijackable: `fail`. Passive content (images, audio, video) shows a broken padlock
and leaks what the visitor views: `warn`. Pages are read with a real HTML parser;
content that scripts add later is not seen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin

from ..findings import Status
from .base import CheckContext

_CSS_URL = re.compile(r"""url\(\s*['"]?(http://[^'")\s]+)""", re.I)
_CSS_IMPORT = re.compile(r"""@import\s+['"](http://[^'"]+)""", re.I)

# (tag, attribute) -> kind; "active" fails, "passive" warns
REFERENCES = {
    ("script", "src"): "active", ("iframe", "src"): "active", ("frame", "src"): "active",
    ("object", "data"): "active", ("embed", "src"): "active", ("form", "action"): "active",
    ("button", "formaction"): "active", ("input", "formaction"): "active",
    ("img", "src"): "passive", ("audio", "src"): "passive", ("video", "src"): "passive",
    ("video", "poster"): "passive", ("source", "src"): "passive", ("track", "src"): "active",
}


@dataclass(frozen=True)
class Reference:
    kind: str       # active | passive
    what: str       # e.g. "script src", "inline style url()"
    url: str


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.base: str | None = None
        self.raw: list[tuple[str, str, str]] = []     # kind, what, url as written
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "").strip() for k, v in attrs}
        if tag == "base" and a.get("href") and self.base is None:
            self.base = a["href"]
        if tag == "link" and a.get("href"):
            rel = a.get("rel", "").lower().split()
            if "stylesheet" in rel or ("preload" in rel and a.get("as") in ("script", "style")):
                self.raw.append(("active", "link stylesheet" if "stylesheet" in rel else "link preload", a["href"]))
            elif "icon" in rel:
                self.raw.append(("passive", "link icon", a["href"]))
        for (t, attr), kind in REFERENCES.items():
            if t == tag and a.get(attr):
                self.raw.append((kind, f"{tag} {attr}", a[attr]))
        if tag in ("img", "source") and a.get("srcset"):
            for candidate in a["srcset"].split(","):
                if candidate.strip():
                    self.raw.append(("passive", f"{tag} srcset", candidate.strip().split()[0]))
        if a.get("style"):
            for url in _CSS_URL.findall(a["style"]):
                self.raw.append(("passive", f"{tag} style url()", url))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            for url in _CSS_IMPORT.findall(data):
                self.raw.append(("active", "style @import", url))
            for url in _CSS_URL.findall(data):
                self.raw.append(("passive", "style url()", url))


def find_mixed_content(html: str, page_url: str) -> list[Reference]:
    """Pure: every http:// reference an https:// page makes, resolved the way a browser resolves it."""
    parser = _Collector()
    parser.feed(html)
    parser.close()
    base = urljoin(page_url, parser.base) if parser.base else page_url
    found = []
    for kind, what, written in parser.raw:
        if written.lower().startswith(("javascript:", "data:", "mailto:", "#")):
            continue
        url = urljoin(base, written)
        if url.lower().startswith("http://"):
            found.append(Reference(kind, what, url))
    return list(dict.fromkeys(found))


def judge_mixed_content(refs: list[Reference]) -> tuple[Status, str]:
    if not refs:
        return Status.PASS, "no http:// resources or form targets"
    active = [r for r in refs if r.kind == "active"]
    shown = "; ".join(f"{r.what} {r.url}" for r in (active or refs)[:6])
    more = f" (+{len(refs) - 6} more)" if len(refs) > 6 else ""
    if active:
        return Status.FAIL, f"{len(active)} active http:// reference(s), blocked or hijackable: {shown}{more}"
    return Status.WARN, f"{len(refs)} passive http:// reference(s) (broken padlock): {shown}{more}"


async def check_mixed_content(ctx: CheckContext):
    assert ctx.net is not None
    base = ctx.profile.canonical.rstrip("/")
    pages = list(ctx.profile.pages) or ["/"]

    async def one(url: str):
        chain = await ctx.net.follow(url, max_hops=5)
        final = chain.final
        if final is None:
            return ctx.finding(Status.ERROR, url, f"no page reached ({chain.describe()})")
        if not final.url.startswith("https://"):
            return ctx.finding(Status.SKIP, url, f"ends on {final.url}, not https:// (S2.https_redirect covers it)")
        if "html" not in final.headers.get("content-type", "").lower():
            return ctx.finding(Status.SKIP, url, f"{final.status}, {final.headers.get('content-type', 'no type')}: not HTML")
        refs = find_mixed_content(final.text, final.url)
        status, evidence = judge_mixed_content(refs)
        return ctx.finding(status, final.url, evidence,
                           details={"references": [r.__dict__ for r in refs]})

    async for f in ctx.each([base + p for p in pages], one):
        yield f
