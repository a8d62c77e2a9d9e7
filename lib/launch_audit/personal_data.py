"""What in an API's answer is about a person: by the field's name, or by the value's shape. Used to tell
another customer's data in a reply (S5.cross_customer_leak) and personal data served without a login
(S1.unauth_access)."""

from __future__ import annotations

import re
from typing import Any

# words in a field's name that say its value is about a person (matched as whole words of the key:
# "hotel" is not "tel", "syntax" is not "tax")
CONTACT_WORDS = frozenset("""email mail address addr street line1 line2 city town zip postcode postal phone mobile tel
    telephone birth birthday dob birthdate iban card last4 ssn passport""".split())
NAME_WORDS = frozenset("name fullname firstname lastname surname".split())
EMAIL = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+")
_PHONE = re.compile(r"\+?\(?\d[\d ()./-]{5,18}\d")
_KEY_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_NOT_PERSONAL = re.compile(r"^(true|false|null|none|user|customer|admin|active|pending|shipped|paid|open)$", re.I)
MIN_MARKER_CHARS = 4


def _words(key: str) -> set[str]:
    words = [w.lower() for w in _KEY_WORD.findall(key)]
    return set(words) | {"".join(words)}          # first_name -> {first, name, firstname}


_NOT_A_PHONE = re.compile(r"\d{4}-\d{2}-\d{2}.*|\d{1,2}[./]\d{1,2}[./]\d{2,4}|\d{1,3}(\.\d{1,3}){3}|[\d.]+|\d+-\d+")


def _phone(value: str) -> bool:
    """Shaped like a phone number: 7 to 15 digits with the separators people write, not a date, a time,
    an IP address, a plain or decimal number, or an id range."""
    digits = sum(c.isdigit() for c in value)
    return bool(_PHONE.fullmatch(value)) and 7 <= digits <= 15 and not _NOT_A_PHONE.fullmatch(value)


def _shaped(value: str) -> bool:
    return bool(EMAIL.fullmatch(value)) or _phone(value)


def _usable(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    ok = MIN_MARKER_CHARS <= len(value) <= 200 and not _NOT_PERSONAL.match(value)
    return value if ok else None


def personal_values(doc: Any) -> set[str]:
    """Pure: string values in a JSON answer that are about a person: contact fields (email, address,
    phone…), anything shaped like an email address or a phone number, and names, but only in an object
    that also holds contact data (a person's record, not a product's "name")."""
    out: set[str] = set()
    if isinstance(doc, list):
        for v in doc[:200]:
            out |= personal_values(v)
    elif isinstance(doc, dict):
        person = any(CONTACT_WORDS & _words(str(k)) or (_usable(v) and _shaped(v.strip())) for k, v in doc.items())
        for k, v in doc.items():
            value = _usable(v)
            if value is None:
                out |= personal_values(v)
                continue
            words = _words(str(k))
            if CONTACT_WORDS & words or _shaped(value) or (person and NAME_WORDS & words):
                out.add(value)
    elif isinstance(doc, str) and _usable(doc) and _shaped(doc.strip()):
        out.add(doc.strip())
    return out


def mask(value: str) -> str:
    """Enough of a personal value to recognise it, not to copy it: b***@example.test, 9 B***d."""
    if EMAIL.fullmatch(value):
        local, domain = value.split("@", 1)
        return f"{local[:1]}***@{domain}"
    return f"{value[:3]}***{value[-1:]}" if len(value) > 6 else value[:1] + "***"
