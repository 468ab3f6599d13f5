"""Matching in the policy language: ``*``/``?`` wildcards, actions, ARNs, principals and policy variables.

Owns: the case rules (actions compare case-insensitively, ARNs and most strings case-sensitively), the
segment-wise ARN comparison AWS documents for ``Resource`` and ``ArnLike`` (each of the six
colon-separated parts compared on its own, the last one keeping its colons), and the substitution of
``${aws:username}``-style variables, with ``${*}``, ``${?}``, ``${$}`` escapes and ``${key, 'default'}``.

Must not: decide Allow or Deny (``evaluate`` does).
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

_VARIABLE = re.compile(r"\$\{([^}]*)\}")
# ``${*}`` and ``${?}`` stand for the characters themselves: kept as private-use marks until matching.
LITERAL_STAR, LITERAL_QUESTION = "\ue000", "\ue001"
_ESCAPES = {"*": LITERAL_STAR, "?": LITERAL_QUESTION, "$": "$"}
_LITERALS = {LITERAL_STAR: "*", LITERAL_QUESTION: "?"}


class Unresolved(Exception):
    """A policy variable the request context does not have (the element then matches nothing)."""


@functools.lru_cache(maxsize=4096)
def _compile(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    parts = []
    for char in pattern:
        if char == "*":
            parts.append(".*")
        elif char == "?":
            parts.append(".")
        elif char in _LITERALS:
            parts.append(re.escape(_LITERALS[char]))
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), (re.IGNORECASE if ignore_case else 0) | re.DOTALL)


def wildcard_match(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """``*`` matches any run of characters (also none), ``?`` exactly one; everything else literally."""
    return _compile(pattern, ignore_case).fullmatch(value) is not None


def action_matches(pattern: str, action: str) -> bool:
    """Actions (``dynamodb:GetRecords``) compare case-insensitively."""
    return wildcard_match(pattern, action, ignore_case=True)


def arn_matches(pattern: str, arn: str) -> bool:
    """ARNs compare part by part (six colon-separated parts, the resource keeping its colons), case-sensitively."""
    if pattern == "*":
        return True
    pattern_parts = pattern.split(":", 5)
    arn_parts = arn.split(":", 5)
    if len(pattern_parts) != 6 or len(arn_parts) != 6:
        return wildcard_match(pattern, arn)
    return all(wildcard_match(p, a) for p, a in zip(pattern_parts, arn_parts, strict=True))


def substitute(text: str, context: Mapping[str, Any]) -> str:
    """``text`` with its policy variables replaced from the request context; Unresolved when one is missing."""
    if "${" not in text:
        return text

    def replace(match: re.Match[str]) -> str:
        inner = match.group(1)
        if inner in _ESCAPES:
            return _ESCAPES[inner]
        key, comma, default = inner.partition(",")
        value = lookup(context, key.strip())
        if value is None or isinstance(value, list):
            if comma:
                return default.strip().strip("'")
            raise Unresolved(key.strip())
        return str(value).lower() if isinstance(value, bool) else str(value)

    return _VARIABLE.sub(replace, text)


def literal(text: str) -> str:
    """A substituted value for exact comparison: escaped ``*``/``?`` back to themselves."""
    return text.replace(LITERAL_STAR, "*").replace(LITERAL_QUESTION, "?")


def lookup(context: Mapping[str, Any], key: str) -> Any:
    """The context value of a condition key; keys compare case-insensitively, as on AWS."""
    if key in context:
        return context[key]
    lowered = key.lower()
    for name, value in context.items():
        if name.lower() == lowered:
            return value
    return None


def account_of(arn: str) -> str:
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 else ""


def principal_matches(entry: str, principal_arn: str) -> bool:
    """One ``"AWS"`` principal entry against a caller ARN.

    An account id or ``arn:aws:iam::ACCT:root`` stands for every principal of that account; a role ARN
    also covers that role's sessions (``arn:aws:sts::ACCT:assumed-role/ROLE/SESSION``).
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
    """
    if entry == "*":
        return True
    if entry.isdigit() and len(entry) == 12:
        return account_of(principal_arn) == entry
    if entry.startswith("arn:") and entry.endswith(":root"):
        return account_of(principal_arn) == account_of(entry)
    if entry == principal_arn:
        return True
    session = _session_role(principal_arn)
    if session is None:
        return False
    entry_parts = entry.split(":", 5)
    return (len(entry_parts) == 6 and entry_parts[2] == "iam" and entry_parts[4] == session[0]
            and entry_parts[5].startswith("role/") and entry_parts[5].rsplit("/", 1)[-1] == session[1])


def _session_role(arn: str) -> tuple[str, str] | None:
    """``(account, role name)`` of an assumed-role session ARN (the session ARN leaves out the role's path)."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[2] != "sts" or not parts[5].startswith("assumed-role/"):
        return None
    return parts[4], parts[5].split("/")[1]
