"""Test helpers: hypothesis strategies from botocore shapes, and wire-form normalisation.

Params generated here are what a boto3 user passes (datetimes, bytes); ``to_wire`` turns them into
the JSON wire form riverbed's services see (epoch seconds, base64 text).
"""

from __future__ import annotations

import base64
import copy
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from botocore.model import Shape
from hypothesis import strategies as st

# Text that survives form encoding, XML and JSON: no surrogates, no XML-illegal control characters.
SAFE_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\n\t\r"), max_size=12)
LABEL_TEXT = st.text(st.sampled_from("abcXYZ019-_"), min_size=1, max_size=10)
HEADER_TEXT = st.text(st.sampled_from("abcXYZ019-_=+/"), min_size=1, max_size=10)
TIMESTAMPS = st.integers(0, 4_000_000_000).map(lambda s: datetime.fromtimestamp(s, tz=UTC))
Override = Callable[[str, Shape], Any]


def strategy(shape: Shape, depth: int = 0, override: Override | None = None,
             text: st.SearchStrategy[str] = SAFE_TEXT) -> st.SearchStrategy[Any]:
    t = shape.type_name
    if t == "structure":
        if depth > 3:
            return st.just({})
        optional: dict[str, st.SearchStrategy[Any]] = {}
        for name, member in shape.members.items():
            if member.metadata.get("streaming") or (member.type_name == "structure" and member.metadata.get(
                    "eventstream")):
                continue
            special = override(name, member) if override else None
            optional[name] = special if special is not None else strategy(member, depth + 1, None, text)
        return st.fixed_dictionaries({}, optional=optional)
    if t == "list":
        return st.lists(strategy(shape.member, depth + 1, None, text), max_size=3)
    if t == "map":
        return st.dictionaries(text, strategy(shape.value, depth + 1, None, text), max_size=3)
    if t == "string":
        if shape.enum:
            return st.sampled_from(shape.enum)
        return text
    if t == "integer":
        return st.integers(-(2**31), 2**31 - 1)
    if t == "long":
        return st.integers(-(2**53), 2**53)
    if t == "boolean":
        return st.booleans()
    if t in ("double", "float"):
        return st.floats(allow_nan=False, allow_infinity=False, width=64)
    if t == "timestamp":
        return TIMESTAMPS
    if t == "blob":
        return st.binary(max_size=10)
    raise AssertionError(t)


def to_wire(shape: Shape, value: Any) -> Any:
    """A boto3 value in JSON wire form: datetimes to epoch seconds, bytes to base64 text."""
    t = shape.type_name
    if value is None:
        return None
    if t == "structure":
        return {k: to_wire(shape.members[k], v) for k, v in value.items()}
    if t == "list":
        return [to_wire(shape.member, v) for v in value]
    if t == "map":
        return {k: to_wire(shape.value, v) for k, v in value.items()}
    if t == "timestamp":
        return int(value.timestamp()) if isinstance(value, datetime) else value
    if t == "blob":
        return base64.b64encode(value).decode() if isinstance(value, (bytes, bytearray)) else value
    return value


def drop_empty(shape: Shape, value: Any) -> Any:
    """What survives the query protocol: empty structures and maps send no fields at all."""
    t = shape.type_name
    if t == "structure":
        out = {}
        for k, v in value.items():
            kept = drop_empty(shape.members[k], v)
            if isinstance(kept, dict) and not kept and shape.members[k].type_name in ("structure", "map"):
                continue
            if kept is _GONE:
                continue
            out[k] = kept
        return out
    if t == "list":
        if not value:
            return []
        kept_items = [drop_empty(shape.member, v) for v in value]
        if shape.member.type_name in ("structure", "map"):
            kept_items = [v for v in kept_items if v]
            if not kept_items:
                return _GONE
        return kept_items
    if t == "map":
        out_map = {}
        for k, v in value.items():
            kept = drop_empty(shape.value, v)
            empty_composite = shape.value.type_name in ("structure", "map") and not kept
            out_map[k] = None if empty_composite or kept is _GONE else kept
        return out_map
    return value


_GONE = object()


def legacy_sqs_model(raw: dict[str, Any], names: dict[str, Any]) -> dict[str, Any]:
    """SQS's JSON model turned back into its query form, with the legacy names put back."""
    model = copy.deepcopy(raw)
    model["metadata"]["protocol"] = "query"
    model["metadata"]["protocols"] = ["query"]
    model["metadata"].pop("awsQueryCompatible", None)
    model["metadata"]["xmlNamespace"] = "http://queue.amazonaws.com/doc/2012-11-05/"
    shapes = model["shapes"]
    for shape_name, name in names.items():
        shape = shapes[shape_name]
        if isinstance(name, str):
            shape["member"]["locationName"] = name
        else:
            shape["key"]["locationName"] = name[1]
            shape["value"]["locationName"] = name[2]
    for shape in shapes.values():
        for ref in shape.get("members", {}).values():
            legacy = names.get(ref["shape"])
            if isinstance(legacy, tuple):
                ref["locationName"] = legacy[0]
    for op_name, op in model["operations"].items():
        if "output" in op:
            op["output"]["resultWrapper"] = f"{op_name}Result"
    return model
