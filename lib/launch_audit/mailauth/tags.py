"""The tag=value lists DKIM keys and signatures (RFC 6376 §3.2) and DMARC records (RFC 7489 §6.4) are made of."""

from __future__ import annotations

import re

_TAG = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$", re.S)


def parse_tags(record: str) -> tuple[dict[str, str], list[str]]:
    """Pure: 'tag=value; …' (RFC 6376 §3.2); returns the tags and problems (duplicates, junk)."""
    tags: dict[str, str] = {}
    problems: list[str] = []
    for part in record.split(";"):
        if not part.strip():
            continue
        m = _TAG.match(part)
        if not m:
            problems.append(f"unparsable {part.strip()[:30]!r}")
            continue
        name = m.group(1).lower()
        if name in tags:
            problems.append(f"tag {name} given twice")
        tags[name] = re.sub(r"\s+", "", m.group(2)) if name == "p" else m.group(2)
    return tags, problems
