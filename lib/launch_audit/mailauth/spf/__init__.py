"""SPF (RFC 7208): parse a record (record.py), expand its include/redirect tree the way a receiver counts
it (tree.py), and evaluate check_host() for one connecting IP (check_host.py).

DNS goes through anything with ``async query(name, rdtype) -> list[str]`` that raises DNSNotFound for
NXDOMAIN (the network layer's resolver), so a check sees the same answers as every other check. Section
numbers in the code are RFC 7208's.
"""

from .check_host import SpfResult, check_host, expand_macros
from .record import LOOKUP_LIMIT, Term, is_spf, parse_record, parse_term
from .tree import SpfNode, SpfTree, expand, judge_tree, spf_records

__all__ = ["SpfResult", "check_host", "expand_macros", "LOOKUP_LIMIT", "Term", "is_spf", "parse_record", "parse_term",
           "SpfNode", "SpfTree", "expand", "judge_tree", "spf_records"]
