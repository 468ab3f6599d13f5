"""Content filtering shared by Lambda event filtering and SNS subscription filter policies.

Owns: one combinator core for EventBridge-style patterns (AND across keys, OR across a key's values,
``$or``, exact values, ``prefix``, ``suffix``, ``equals-ignore-case``, ``wildcard``, ``anything-but``,
``numeric``, ``exists``, ``cidr``) and the :class:`Dialect` switches where its two users differ
(accepted operators, validation rules and error texts, limits, how numbers compare).

Must not: know a service.  The dialects themselves, their error classes and texts, and the shaping of
the document to match (a Lambda event record, SNS message attributes or body) live with their users:
``riverbed.triggers.filtering`` and ``riverbed.services.sns.filter_policy``.
"""

from riverbed.filtering.compiler import compile_pattern
from riverbed.filtering.dialect import Dialect, key_by_text, key_by_value
from riverbed.filtering.matchers import Predicate

__all__ = ["Dialect", "Predicate", "compile_pattern", "key_by_text", "key_by_value"]
