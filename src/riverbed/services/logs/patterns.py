"""Filter patterns for FilterLogEvents: terms, quoted phrases, ``?`` alternatives, ``-`` exclusions and
JSON conditions such as ``{ $.level = "ERROR" }``.

https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
Owns: compiling a pattern into a predicate over one event's message.  Terms match case-sensitively
anywhere in the message; all plain terms must match, at least one ``?term`` when there are any, and no
``-term``.  JSON conditions compare a selector (``$.a.b``, ``$.a[0]``) with a string (``*`` wildcards),
a number, ``IS NULL`` / ``NOT EXISTS``, joined by ``&&`` and ``||`` with parentheses.  Space-delimited
patterns (``[ip, user, ..., status=404]``) are ``delimited.py``'s; ``%regex%`` alone matches the
regular expression anywhere in the message.

Must not: read events or know about streams.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Callable
from typing import Any

from riverbed.services.logs.delimited import compile_delimited
from riverbed.services.logs.errors import invalid

Predicate = Callable[[str], bool]
_INVALID = "Invalid filter pattern"


def compile_pattern(pattern: str | None) -> Predicate:
    text = (pattern or "").strip()
    if not text:
        return lambda message: True
    if text.startswith("{"):
        return _json_pattern(text)
    if text.startswith("["):
        return compile_delimited(text)
    if len(text) > 2 and text.startswith("%") and text.endswith("%"):
        return _regex_pattern(text[1:-1])
    return _term_pattern(text)


# --- a regular expression: %...% matches anywhere in the message ---------------------------------------

def _regex_pattern(body: str) -> Predicate:
    if "(" in body or ")" in body:      # AWS: "The operators ( and ) are not supported" (regex-expressions.html)
        raise invalid(_INVALID)
    try:
        regex = re.compile(body)
    except re.error:
        raise invalid(_INVALID) from None
    return lambda message: regex.search(message) is not None


# --- terms ------------------------------------------------------------------------------------------

_TERM = re.compile(r'([?-]?)(?:"((?:[^"\\]|\\.)*)"|(\S+))')


def _term_pattern(text: str) -> Predicate:
    required: list[str] = []
    optional: list[str] = []
    excluded: list[str] = []
    for prefix, quoted, bare in _TERM.findall(text):
        term = quoted.replace('\\"', '"') if quoted or bare == "" else bare
        {"": required, "?": optional, "-": excluded}[prefix].append(term)

    def match(message: str) -> bool:
        return (all(t in message for t in required) and (not optional or any(t in message for t in optional))
                and not any(t in message for t in excluded))

    return match


# --- JSON ---------------------------------------------------------------------------------------------

_TOKENS = re.compile(r'\s*(\(|\)|&&|\|\||"(?:[^"\\]|\\.)*"|!=|>=|<=|=|<|>|[^\s()&|=!<>]+)')
_MISSING = object()


def _tokenize(text: str) -> list[str]:
    tokens, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = _TOKENS.match(text, pos)
        if m is None or m.end() == pos:
            raise invalid(_INVALID)
        tokens.append(m.group(1))
        pos = m.end()
    return tokens


def _json_pattern(text: str) -> Predicate:
    if not text.endswith("}"):
        raise invalid(_INVALID)
    tokens = _tokenize(text[1:-1])
    parser = _Parser(tokens)
    condition = parser.expression()
    if parser.pos != len(tokens):
        raise invalid(_INVALID)

    def match(message: str) -> bool:
        try:
            doc = json.loads(message)
        except ValueError:
            return False
        return isinstance(doc, (dict, list)) and condition(doc)

    return match


class _Parser:
    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise invalid(_INVALID)
        self.pos += 1
        return token

    def expression(self) -> Callable[[Any], bool]:
        left = self.conjunction()
        while self.peek() == "||":
            self.take()
            right = self.conjunction()
            left = (lambda a, b: lambda d: a(d) or b(d))(left, right)
        return left

    def conjunction(self) -> Callable[[Any], bool]:
        left = self.primary()
        while self.peek() == "&&":
            self.take()
            right = self.primary()
            left = (lambda a, b: lambda d: a(d) and b(d))(left, right)
        return left

    def primary(self) -> Callable[[Any], bool]:
        if self.peek() == "(":
            self.take()
            inner = self.expression()
            if self.take() != ")":
                raise invalid(_INVALID)
            return inner
        selector = self.take()
        if not selector.startswith("$"):
            raise invalid(_INVALID)
        path = _path(selector)
        op = self.take()
        if op.upper() == "IS":
            if self.take().upper() != "NULL":
                raise invalid(_INVALID)
            return lambda d: _select(d, path) is None
        if op.upper() == "NOT":
            if self.take().upper() != "EXISTS":
                raise invalid(_INVALID)
            return lambda d: _select(d, path) is _MISSING
        if op not in ("=", "!=", "<", "<=", ">", ">="):
            raise invalid(_INVALID)
        return _comparison(path, op, self.take())


def _path(selector: str) -> list[str | int]:
    out: list[str | int] = []
    for part in re.findall(r"\.([^.\[]+)|\[(\d+)\]", selector[1:]):
        out.append(part[0] if part[0] else int(part[1]))
    return out


def _select(doc: Any, path: list[str | int]) -> Any:
    for step in path:
        if isinstance(step, int):
            if not isinstance(doc, list) or step >= len(doc):
                return _MISSING
            doc = doc[step]
        else:
            if not isinstance(doc, dict) or step not in doc:
                return _MISSING
            doc = doc[step]
    return doc


def _comparison(path: list[str | int], op: str, raw: str) -> Callable[[Any], bool]:
    if raw.startswith('"'):
        wanted: Any = raw[1:-1].replace('\\"', '"')
        numeric = False
    else:
        try:
            wanted = float(raw)
            numeric = True
        except ValueError:
            wanted, numeric = raw, False
    if not numeric and op not in ("=", "!="):
        raise invalid(_INVALID)

    def check(doc: Any) -> bool:
        value = _select(doc, path)
        if value is _MISSING:
            return False
        if numeric:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return op == "!="
            outcome: bool = {"=": value == wanted, "!=": value != wanted, "<": value < wanted,
                             "<=": value <= wanted, ">": value > wanted, ">=": value >= wanted}[op]
            return outcome
        text = json.dumps(value) if not isinstance(value, str) else value
        hit = fnmatch.fnmatchcase(text, wanted) if "*" in wanted else text == wanted
        return hit if op == "=" else not hit

    return check
