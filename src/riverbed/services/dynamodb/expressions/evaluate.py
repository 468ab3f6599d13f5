"""Evaluating condition trees and projections against an item.

Owns: DynamoDB's condition semantics (observed against AWS, Alternator's test suite):
a missing attribute makes every comparison false except ``<>``, which is then true (even for
two missing attributes); comparing values of different types is false, never an error;
``<``/``<=``/``>``/``>=``/BETWEEN order S, N and B only; ``contains`` is a substring test on
S and B and a membership test on sets and lists; ``size`` is the UTF-8 length of S, the byte
length of B and the element count of sets, lists and maps.  Projection keeps nested map paths
and list indexes in their structure, list elements compacted in index order.

Must not: parse text or raise validation errors (analysis.py did that before evaluation).
"""

from __future__ import annotations

from typing import Any

from riverbed.services.dynamodb.expressions.ast import (
    AV,
    And,
    AttributeExists,
    AttributeNotExists,
    AttributeType,
    BeginsWith,
    Between,
    Comparison,
    Contains,
    DocPath,
    In,
    Node,
    Not,
    Or,
    Path,
    Size,
    UpdatePlan,
    Value,
)
from riverbed.services.dynamodb.types import (
    av_type,
    compare_values,
    decode_binary,
    number_value,
    values_equal,
)

Item = dict[str, AV]


def get_path(item: Item | None, elements: DocPath) -> AV | None:
    """The value at a document path, or None when any step is missing or of the wrong type."""
    if not item:
        return None
    first = elements[0]
    current = item.get(first) if isinstance(first, str) else None
    for element in elements[1:]:
        if current is None:
            return None
        if isinstance(element, str):
            children = current.get("M")
            current = children.get(element) if children is not None else None
        else:
            items = current.get("L")
            current = items[element] if items is not None and element < len(items) else None
    return current


def size_of(value: AV | None) -> AV | None:
    """``size()`` of a value as an N, or None when the type has no size."""
    if value is None:
        return None
    kind = av_type(value)
    raw = value[kind]
    if kind == "S":
        size = len(raw.encode("utf-8"))
    elif kind == "B":
        size = len(decode_binary(raw))
    elif kind in ("SS", "NS", "BS", "L", "M"):
        size = len(raw)
    else:
        return None
    return {"N": str(size)}


def operand_value(node: Node, item: Item | None) -> AV | None:
    """The value of a condition operand, or None when it does not exist."""
    if isinstance(node, Path):
        return get_path(item, node.elements)
    if isinstance(node, Value):
        return node.value
    if isinstance(node, Size):
        return size_of(operand_value(node.operand, item))
    raise TypeError(f"not a condition operand: {node!r}")


def _order(a: AV | None, b: AV | None) -> int | None:
    if a is None or b is None:
        return None
    return compare_values(a, b)


def _contains(container: AV, value: AV) -> bool:
    kind = av_type(container)
    value_kind = av_type(value)
    if kind == "S":
        return value_kind == "S" and value["S"] in container["S"]
    if kind == "B":
        return value_kind == "B" and decode_binary(value["B"]) in decode_binary(container["B"])
    if kind == "SS":
        return value_kind == "S" and value["S"] in container["SS"]
    if kind == "NS":
        return value_kind == "N" and any(number_value(e) == number_value(value["N"]) for e in container["NS"])
    if kind == "BS":
        return value_kind == "B" and decode_binary(value["B"]) in {decode_binary(e) for e in container["BS"]}
    if kind == "L":
        return any(values_equal(element, value) for element in container["L"])
    return False


def _begins_with(value: AV, prefix: AV) -> bool:
    kind = av_type(value)
    if kind != av_type(prefix):
        return False
    if kind == "S":
        return bool(value["S"].startswith(prefix["S"]))
    if kind == "B":
        return decode_binary(value["B"]).startswith(decode_binary(prefix["B"]))
    return False


def evaluate_condition(node: Node, item: Item | None) -> bool:
    """True when ``item`` (None for a missing item) satisfies the condition tree."""
    if isinstance(node, And):
        return evaluate_condition(node.left, item) and evaluate_condition(node.right, item)
    if isinstance(node, Or):
        return evaluate_condition(node.left, item) or evaluate_condition(node.right, item)
    if isinstance(node, Not):
        return not evaluate_condition(node.operand, item)
    if isinstance(node, Comparison):
        left = operand_value(node.left, item)
        right = operand_value(node.right, item)
        if node.op == "=":
            return left is not None and right is not None and values_equal(left, right)
        if node.op == "<>":
            return left is None or right is None or not values_equal(left, right)
        order = _order(left, right)
        if order is None:
            return False
        return {"<": order < 0, "<=": order <= 0, ">": order > 0, ">=": order >= 0}[node.op]
    if isinstance(node, Between):
        value = operand_value(node.operand, item)
        low = _order(value, operand_value(node.low, item))
        high = _order(value, operand_value(node.high, item))
        return low is not None and high is not None and low >= 0 and high <= 0
    if isinstance(node, In):
        value = operand_value(node.operand, item)
        if value is None:
            return False
        for candidate in node.candidates:
            other = operand_value(candidate, item)
            if other is not None and values_equal(value, other):
                return True
        return False
    if isinstance(node, AttributeExists):
        return get_path(item, node.path.elements) is not None
    if isinstance(node, AttributeNotExists):
        return get_path(item, node.path.elements) is None
    if isinstance(node, AttributeType):
        value = operand_value(node.operand, item)
        wanted = operand_value(node.type, item)
        return value is not None and wanted is not None and wanted.get("S") == av_type(value)
    if isinstance(node, BeginsWith):
        value = operand_value(node.operand, item)
        prefix = operand_value(node.prefix, item)
        return value is not None and prefix is not None and _begins_with(value, prefix)
    if isinstance(node, Contains):
        container = operand_value(node.operand, item)
        value = operand_value(node.value, item)
        return container is not None and value is not None and _contains(container, value)
    raise TypeError(f"not a condition: {node!r}")


# --- inspection ------------------------------------------------------------------------------


def document_paths(node: Node) -> list[DocPath]:
    """Every document path a condition (or operand) reads, in source order."""
    if isinstance(node, Path):
        return [node.elements]
    if isinstance(node, Value):
        return []
    found: list[DocPath] = []
    for field in getattr(node, "__dataclass_fields__", ()):
        child = getattr(node, field)
        for part in child if isinstance(child, tuple) else (child,):
            if isinstance(part, Node):
                found.extend(document_paths(part))
    return found


def referenced_attributes(node: Node) -> set[str]:
    """Top-level attribute names a condition reads (e.g. to refuse key attributes in a Query filter)."""
    return {str(path[0]) for path in document_paths(node)}


# --- projection ------------------------------------------------------------------------------

_WHOLE: dict[Any, Any] = {}  # marker: the selected value is taken whole


def _selection(paths: list[DocPath]) -> dict[Any, Any]:
    tree: dict[Any, Any] = {}
    for path in paths:
        node = tree
        for element in path[:-1]:
            child = node.get(element)
            if child is _WHOLE:
                break
            node = node.setdefault(element, {})
        else:
            node[path[-1]] = _WHOLE
    return tree


def _pick(value: AV, selection: dict[Any, Any]) -> AV | None:
    if "M" in value:
        children = value["M"]
        picked: dict[str, AV] = {}
        for key, sub in selection.items():
            if isinstance(key, str) and key in children:
                chosen = children[key] if sub is _WHOLE else _pick(children[key], sub)
                if chosen is not None:
                    picked[key] = chosen
        return {"M": picked} if picked else None
    if "L" in value:
        elements = value["L"]
        kept = []
        for index in sorted(key for key in selection if isinstance(key, int)):
            if index < len(elements):
                sub = selection[index]
                chosen = elements[index] if sub is _WHOLE else _pick(elements[index], sub)
                if chosen is not None:
                    kept.append(chosen)
        return {"L": kept} if kept else None
    return None


def project(item: Item | None, paths: list[DocPath]) -> Item:
    """The parts of ``item`` named by ``paths``, keeping their nesting.

    ``a.b`` yields ``{"a": {"M": {"b": ...}}}``; ``l[3], l[1]`` yields the two elements as a
    two-element list in index order.  Missing paths are simply absent.  The returned values
    share structure with ``item``; copy before mutating.
    """
    if not item:
        return {}
    result: Item = {}
    for name, sub in _selection(paths).items():
        if not isinstance(name, str) or name not in item:
            continue
        chosen = item[name] if sub is _WHOLE else _pick(item[name], sub)
        if chosen is not None:
            result[name] = chosen
    return result


def updated_attributes(old_item: Item | None, new_item: Item | None, plan: UpdatePlan, which: str) -> Item:
    """ReturnValues UPDATED_OLD / UPDATED_NEW: the updated document paths, projected.

    AWS returns path-level projections: ``SET b.c = :x`` with UPDATED_NEW returns
    ``{"b": {"M": {"c": ...}}}``, not the whole of ``b`` (dynalite's updateItem tests,
    recorded against AWS).
    """
    item = old_item if which == "UPDATED_OLD" else new_item
    return project(item, plan.paths())
