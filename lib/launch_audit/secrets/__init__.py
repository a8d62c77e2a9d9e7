"""The secret scanner: rules as data (rules.yaml), a keyword pre-filter before the per-rule regexes
(both RE2), and sources to scan: files, a git repository's every blob, CI log folders and archives.

A match keeps a redacted preview and a fingerprint, never the secret itself.
"""

from .rules import Rule, load_rules
from .scanner import Scanner, SecretMatch

__all__ = ["Rule", "Scanner", "SecretMatch", "load_rules"]
