"""Space-delimited filter patterns: ``[ip, user, ..., status_code=4*, bytes>1000]``.

https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html (space-delimited
log events).  Owns: parsing such a pattern and matching it against one event's message.

* An event's fields are separated by spaces; the characters between a pair of square brackets ``[]`` or
  double quotes ``""`` are one field (without the brackets or quotes).
* The pattern names the fields in order, separated by commas, inside ``[ ]``.  ``...`` stands for any
  number of fields (none included); without it the event must have exactly as many fields as named.
* A field may carry conditions: ``name = value`` / ``!=`` (a string, ``*`` matching any characters, or a
  ``"quoted string"``; a number compares numerically when both are numbers), ``<``, ``<=``, ``>``,
  ``>=`` (numbers only), ``%regex%`` values; several joined by ``&&`` and ``||`` (``&&`` binds tighter),
  each naming any field of the pattern (``[..., status = 4* && status != 404, size]``).
* A pattern that does not parse is refused with ``InvalidParameterException``.

Must not: read events or know about streams.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from riverbed.services.logs.errors import invalid

_INVALID = "Invalid filter pattern"
ELLIPSIS = "..."
_EVENT_FIELD = re.compile(r'\[([^\]]*)\]|"([^"]*)"|(\S+)')
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*\Z")
_CONDITION = re.compile(r'\s*([A-Za-z_][A-Za-z0-9_.\-]*)\s*(!=|<=|>=|=|<|>)\s*("(?:[^"\\]|\\.)*"|%[^%]*%|[^\s&|]+)\s*')
_NUMERIC_OPS = ("<", "<=", ">", ">=")

Condition = Callable[[dict[str, str]], bool]


@dataclass
class _Field:
    name: str                      # ELLIPSIS for "..."
    condition: Condition | None    # over every named field's value (all fields are bound before checking)


def split_event(message: str) -> list[str]:
    """The fields of an event: space-separated, ``[...]`` and ``"..."`` each one field without delimiters."""
    return [next(g for g in m.groups() if g is not None) for m in _EVENT_FIELD.finditer(message)]


def compile_delimited(text: str) -> Callable[[str], bool]:
    """A predicate over messages for a pattern starting with ``[`` (see the module docstring)."""
    text = text.strip()
    if not text.startswith("[") or not text.endswith("]"):
        raise invalid(_INVALID)
    fields = [_field(part) for part in _split_top(text[1:-1])]
    names = [f.name for f in fields if f.name != ELLIPSIS]
    if len(set(names)) != len(names):
        raise invalid(_INVALID)
    conditions = [f.condition for f in fields if f.condition is not None]

    def match(message: str) -> bool:
        values = split_event(message)
        for bound in _bindings(fields, values):
            if all(c(bound) for c in conditions):
                return True
        return False

    return match


def _split_top(body: str) -> list[str]:
    """The pattern's fields: split on commas outside double quotes and ``%regex%``."""
    parts, current, quote = [], [], ""
    for ch in body:
        if quote:
            current.append(ch)
            if ch == quote:
                quote = ""
        elif ch in ('"', "%"):
            quote = ch
            current.append(ch)
        elif ch == ",":
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    if quote:
        raise invalid(_INVALID)
    parts.append("".join(current))
    parts = [p.strip() for p in parts]
    if any(not p for p in parts):
        raise invalid(_INVALID)
    return parts


def _field(part: str) -> _Field:
    if part == ELLIPSIS:
        return _Field(ELLIPSIS, None)
    if _NAME.match(part):
        return _Field(part, None)
    name = re.match(r"\s*([A-Za-z_][A-Za-z0-9_.\-]*)", part)
    if name is None:
        raise invalid(_INVALID)
    return _Field(name.group(1), _disjunction(part))


def _disjunction(text: str) -> Condition:
    """``a && b || c``: ``||`` of ``&&`` groups of single comparisons."""
    pos = 0
    groups: list[list[Condition]] = [[]]
    while True:
        m = _CONDITION.match(text, pos)
        if m is None:
            raise invalid(_INVALID)
        groups[-1].append(_comparison(m.group(1), m.group(2), m.group(3)))
        pos = m.end()
        if pos == len(text):
            break
        if text.startswith("&&", pos):
            pos += 2
        elif text.startswith("||", pos):
            pos += 2
            groups.append([])
        else:
            raise invalid(_INVALID)
    return lambda bound: any(all(c(bound) for c in group) for group in groups)


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value else None     # NaN is no number here


def _comparison(name: str, op: str, raw: str) -> Condition:
    if raw.startswith('"'):
        text = raw[1:-1].replace('\\"', '"')
        if op in _NUMERIC_OPS:
            raise invalid(_INVALID)
        return _string_test(name, op, _wildcard(text))
    if raw.startswith("%"):
        if op not in ("=", "!="):
            raise invalid(_INVALID)
        try:
            regex = re.compile(raw[1:-1])
        except re.error:
            raise invalid(_INVALID) from None
        return _string_test(name, op, regex, search=True)
    number = _number(raw)
    if op in _NUMERIC_OPS:
        if number is None:
            raise invalid(_INVALID)
        wanted = number

        def numeric(bound: dict[str, str]) -> bool:
            got = _number(bound.get(name, ""))
            if got is None:
                return False
            return {"<": got < wanted, "<=": got <= wanted, ">": got > wanted, ">=": got >= wanted}[op]

        return numeric
    if number is not None:
        exact = _wildcard(raw)

        def equal_number(bound: dict[str, str]) -> bool:
            value = bound.get(name)
            if value is None:
                return False
            got = _number(value)
            same = got == number if got is not None else bool(exact.fullmatch(value))
            return same if op == "=" else not same

        return equal_number
    return _string_test(name, op, _wildcard(raw))


def _string_test(name: str, op: str, pattern: re.Pattern[str], search: bool = False) -> Condition:
    """``%regex%`` matches anywhere in the value (``search``); a string or wildcard the whole value."""

    def test(bound: dict[str, str]) -> bool:
        value = bound.get(name)
        if value is None:
            return False
        hit = bool(pattern.search(value)) if search else bool(pattern.fullmatch(value))
        return hit if op == "=" else not hit

    return test


def _wildcard(text: str) -> re.Pattern[str]:
    """A whole-value match where ``*`` stands for any characters."""
    return re.compile(".*".join(re.escape(part) for part in text.split("*")), re.DOTALL)


def _bindings(fields: list[_Field], values: list[str]) -> list[dict[str, str]]:
    """Every way the pattern's fields can take the event's values (more than one only with several ``...``)."""
    out: list[dict[str, str]] = []

    def walk(i: int, j: int, bound: dict[str, str]) -> None:
        if len(out) >= 64:          # enough alternatives to decide; keeps odd patterns cheap
            return
        if i == len(fields):
            if j == len(values):
                out.append(dict(bound))
            return
        field = fields[i]
        if field.name == ELLIPSIS:
            rest = sum(1 for f in fields[i + 1:] if f.name != ELLIPSIS)
            last_start = len(values) - rest
            for k in range(j, last_start + 1):
                walk(i + 1, k, bound)
            return
        if j < len(values):
            bound[field.name] = values[j]
            walk(i + 1, j + 1, bound)
            del bound[field.name]

    walk(0, 0, {})
    return out
