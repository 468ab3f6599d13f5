"""Amazon Ion text for exported items, as DynamoDB writes an ION export.

Owns: the mapping of https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/S3DataExport.Output.html
(S → string, N → decimal, B → blob, BOOL → bool, NULL → null, L → list, M → struct, sets → lists
annotated ``$dynamodb_SS`` / ``$dynamodb_NS`` / ``$dynamodb_BS``), each item on its own line after an
Ion version marker: ``$ion_1_0 {Item:{...}}``.

Must not: read Ion (imports of ION are not supported here).
"""

from __future__ import annotations

from decimal import Decimal
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
