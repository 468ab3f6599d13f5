"""Amazon Ion text for exported items, as DynamoDB writes an ION export.

Owns: the mapping of https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/S3DataExport.Output.html
(S → string, N → decimal, B → blob, BOOL → bool, NULL → null, L → list, M → struct, sets → lists
annotated ``$dynamodb_SS`` / ``$dynamodb_NS`` / ``$dynamodb_BS``), each item on its own line after an
Ion version marker: ``$ion_1_0 {Item:{...}}``.

It also reads that text back for ImportTable (``read_items``): the Ion text subset items use —
structs, lists, strings, symbols as field names (bare, quoted or as strings), ints/decimals/floats,
blobs, bools, nulls, the set annotations, comments — not timestamps, clobs or long strings.

Must not: know about S3 or tables.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

import orjson


def decimal(text: str) -> str:
    """An Ion decimal for a DynamoDB number: ``103.`` for 103, ``2d3`` for 2000, ``15d-1`` for 1.5."""
    sign, digits, exponent = Decimal(text).normalize().as_tuple()
    coefficient = ("-" if sign else "") + "".join(map(str, digits))
    return f"{coefficient}." if exponent == 0 else f"{coefficient}d{exponent}"


def _string(value: str) -> str:
    return orjson.dumps(value).decode()


def value(av: dict[str, Any]) -> str:
    kind, v = next(iter(av.items()))
    if kind == "S":
        return _string(str(v))
    if kind == "N":
        return decimal(v)
    if kind == "B":
        return "{{" + str(v) + "}}"
    if kind == "BOOL":
        return "true" if v else "false"
    if kind == "NULL":
        return "null"
    if kind == "L":
        return "[" + ",".join(value(x) for x in v) + "]"
    if kind == "M":
        return struct(v)
    if kind == "SS":
        return "$dynamodb_SS::[" + ",".join(_string(x) for x in v) + "]"
    if kind == "NS":
        return "$dynamodb_NS::[" + ",".join(decimal(x) for x in v) + "]"
    if kind == "BS":
        return "$dynamodb_BS::[" + ",".join("{{" + x + "}}" for x in v) + "]"
    raise ValueError(f"unknown attribute type {kind}")


def struct(attrs: dict[str, Any]) -> str:
    return "{" + ",".join(f"{_string(k)}:{value(v)}" for k, v in attrs.items()) + "}"


def item_line(item: dict[str, Any]) -> bytes:
    return f"$ion_1_0 {{Item:{struct(item)}}}\n".encode()


# --- reading (ImportTable with InputFormat ION) -------------------------------------------------------

class IonError(ValueError):
    """Text that is not the Ion subset DynamoDB items use."""


_SYMBOL_START = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_$")
_SYMBOL_CHARS = _SYMBOL_START | set("0123456789")
_NUMBER_CHARS = set("0123456789+-.dDeE_")
_SETS = {"$dynamodb_SS": "SS", "$dynamodb_NS": "NS", "$dynamodb_BS": "BS"}


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def skip(self) -> None:
        text = self.text
        while self.pos < len(text):
            ch = text[self.pos]
            if ch in " \t\r\n,":
                self.pos += 1
            elif text.startswith("//", self.pos):
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end + 1
            elif text.startswith("/*", self.pos):
                end = text.find("*/", self.pos)
                if end < 0:
                    raise IonError("unterminated comment")
                self.pos = end + 2
            else:
                return

    def at_end(self) -> bool:
        self.skip()
        return self.pos >= len(self.text)

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def expect(self, ch: str) -> None:
        self.skip()
        if self.peek() != ch:
            raise IonError(f"expected {ch!r} at {self.pos}")
        self.pos += 1

    def string(self) -> str:
        end = self.pos + 1
        text = self.text
        while end < len(text) and text[end] != '"':
            end += 2 if text[end] == "\\" else 1
        if end >= len(text):
            raise IonError("unterminated string")
        try:
            value: str = orjson.loads(text[self.pos:end + 1])
        except orjson.JSONDecodeError:
            raise IonError("invalid string escape") from None
        self.pos = end + 1
        return value

    def symbol(self) -> str:
        self.skip()
        if self.peek() == "'":
            end = self.text.find("'", self.pos + 1)
            if end < 0:
                raise IonError("unterminated symbol")
            name = self.text[self.pos + 1:end]
            self.pos = end + 1
            return name
        if self.peek() == '"':
            return self.string()
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] in _SYMBOL_CHARS:
            self.pos += 1
        if start == self.pos or self.text[start] not in _SYMBOL_START:
            raise IonError(f"expected a symbol at {start}")
        return self.text[start:self.pos]

    def value(self) -> Any:
        """A Python value: ("S", str), ("N", str), ("B", str), bool, None, list, dict, or ("sym", name)."""
        self.skip()
        annotation = None
        ch = self.peek()
        if ch in _SYMBOL_START or ch == "'":
            name = self.symbol()
            self.skip()
            if self.text.startswith("::", self.pos):
                self.pos += 2
                annotation = name
                self.skip()
                ch = self.peek()
            else:
                return _keyword(name)
        if ch == "{" and self.text.startswith("{{", self.pos):
            end = self.text.find("}}", self.pos)
            if end < 0:
                raise IonError("unterminated blob")
            value: Any = ("B", "".join(self.text[self.pos + 2:end].split()))
            self.pos = end + 2
        elif ch == "{":
            self.pos += 1
            fields: dict[str, Any] = {}
            while True:
                self.skip()
                if self.peek() == "}":
                    self.pos += 1
                    break
                name = self.symbol()
                self.expect(":")
                fields[name] = self.value()
            value = fields
        elif ch == "[":
            self.pos += 1
            items = []
            while True:
                self.skip()
                if self.peek() == "]":
                    self.pos += 1
                    break
                items.append(self.value())
            value = items
        elif ch == '"':
            value = ("S", self.string())
        elif ch and (ch.isdigit() or ch == "-"):
            start = self.pos
            while self.pos < len(self.text) and self.text[self.pos] in _NUMBER_CHARS:
                self.pos += 1
            value = ("N", _number(self.text[start:self.pos]))
        else:
            raise IonError(f"unexpected {ch!r} at {self.pos}")
        if annotation in _SETS:
            if not isinstance(value, list):
                raise IonError("a set annotation needs a list")
            return ("SET", _SETS[annotation], value)
        return value


def _keyword(name: str) -> Any:
    if name == "true":
        return True
    if name == "false":
        return False
    if name == "null" or name.startswith("null."):
        return None
    return ("sym", name)


def _number(text: str) -> str:
    cleaned = text.replace("_", "").replace("d", "E").replace("D", "E")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise IonError(f"invalid number {text!r}") from None
    if not number.is_finite():
        raise IonError(f"invalid number {text!r}")
    return format(number.normalize(), "f") if number else "0"


def _attribute(value: Any) -> dict[str, Any]:
    if value is True or value is False:
        return {"BOOL": value}
    if value is None:
        return {"NULL": True}
    if isinstance(value, dict):
        return {"M": {k: _attribute(v) for k, v in value.items()}}
    if isinstance(value, list):
        return {"L": [_attribute(v) for v in value]}
    if value[0] == "SET":
        kind, members = value[1], value[2]
        if any(not isinstance(m, tuple) or m[0] != kind[0] for m in members):
            raise IonError(f"a {kind} holds other values")
        return {kind: [m[1] for m in members]}
    if value[0] == "sym":
        raise IonError(f"a symbol ({value[1]}) is not an attribute value")
    return {value[0]: value[1]}


def read_items(text: str) -> Iterator[dict[str, Any]]:
    """The items of an ION export's text: each top-level ``{Item:{...}}`` struct (version markers skipped)."""
    reader = _Reader(text)
    while not reader.at_end():
        value = reader.value()
        if isinstance(value, tuple) and value[0] == "sym":
            continue   # $ion_1_0
        if not isinstance(value, dict) or not isinstance(value.get("Item"), dict):
            raise IonError("no Item member")
        yield {name: _attribute(v) for name, v in value["Item"].items()}
