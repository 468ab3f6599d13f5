"""Applying an :class:`UpdatePlan` to an item.

Owns: UpdateItem semantics (observed against AWS; dynalite and Alternator test suites):
every SET right-hand side is evaluated against the item *before* the update; then SETs are
applied (list indexes ascending; an index past the end appends), REMOVEs (list indexes
descending, so positions refer to the original list; removing something absent is a no-op),
ADDs (number addition, set union; creates a missing attribute) and DELETEs (set difference; an
emptied set is removed).  A path whose parent is missing or is not a map/list of the right kind
is "The document path provided in the update expression is invalid for update".

Must not: mutate its input, know about keys, tables or sizes (the item layer checks those).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from riverbed.errors import ValidationException
from riverbed.services.dynamodb.expressions.ast import (
    AV,
    Arithmetic,
    DocPath,
    IfNotExists,
    ListAppend,
    Node,
    Path,
    UpdatePlan,
    Value,
)
from riverbed.services.dynamodb.expressions.evaluate import get_path
from riverbed.services.dynamodb.types import (
    ARITHMETIC,
    av_type,
    copy_value,
    decode_binary,
    number_from_decimal,
    number_value,
)

Item = dict[str, AV]

INVALID_PATH = "The document path provided in the update expression is invalid for update"
MISSING_ATTRIBUTE = "The provided expression refers to an attribute that does not exist in the item"
WRONG_TYPE = "An operand in the update expression has an incorrect data type"
LEGACY_WRONG_TYPE = "Type mismatch for attribute to update"


def _sort_key(path: DocPath) -> tuple[tuple[int, Any], ...]:
    return tuple((1, element) if isinstance(element, int) else (0, element) for element in path)


# --- values ------------------------------------------------------------------------------


def _arithmetic(op: str, left: AV, right: AV) -> AV:
    if av_type(left) != "N" or av_type(right) != "N":
        raise ValidationException(WRONG_TYPE)
    a, b = number_value(left["N"]), number_value(right["N"])
    result: Decimal = ARITHMETIC.add(a, b) if op == "+" else ARITHMETIC.subtract(a, b)
    return {"N": number_from_decimal(result)}


def update_value(node: Node, item: Item | None) -> AV:
    """The value a SET right-hand side produces from the (old) item."""
    if isinstance(node, Value):
        return node.value
    if isinstance(node, Path):
        value = get_path(item, node.elements)
        if value is None:
            raise ValidationException(MISSING_ATTRIBUTE)
        return value
    if isinstance(node, IfNotExists):
        existing = get_path(item, node.path.elements)
        return existing if existing is not None else update_value(node.default, item)
    if isinstance(node, ListAppend):
        first = update_value(node.first, item)
        second = update_value(node.second, item)
        if av_type(first) != "L" or av_type(second) != "L":
            raise ValidationException(WRONG_TYPE)
        return {"L": [*first["L"], *second["L"]]}
    if isinstance(node, Arithmetic):
        return _arithmetic(node.op, update_value(node.left, item), update_value(node.right, item))
    raise TypeError(f"not an update operand: {node!r}")


# --- navigation ----------------------------------------------------------------------------


def _container(root: Item, path: DocPath) -> dict[str, AV] | list[AV]:
    """The map (dict) or list holding the last element of ``path``."""
    container: dict[str, AV] | list[AV] = root
    for position, element in enumerate(path[:-1]):
        child = _child(container, element)
        following = path[position + 1]
        if child is None:
            raise ValidationException(INVALID_PATH)
        if isinstance(following, str):
            if "M" not in child:
                raise ValidationException(INVALID_PATH)
            container = child["M"]
        else:
            if "L" not in child:
                raise ValidationException(INVALID_PATH)
            container = child["L"]
    return container


def _child(container: dict[str, AV] | list[AV], element: str | int) -> AV | None:
    if isinstance(container, dict):
        return container.get(element) if isinstance(element, str) else None
    if isinstance(element, int) and element < len(container):
        return container[element]
    return None


def _put(container: dict[str, AV] | list[AV], element: str | int, value: AV) -> None:
    if isinstance(container, dict):
        container[str(element)] = value
    elif isinstance(element, int) and element < len(container):
        container[element] = value
    else:
        container.append(value)  # an index past the end appends


def _drop(container: dict[str, AV] | list[AV], element: str | int) -> None:
    if isinstance(container, dict):
        container.pop(str(element), None)
    elif isinstance(element, int) and element < len(container):
        del container[element]


# --- set arithmetic -------------------------------------------------------------------------


def _set_key(kind: str, element: str) -> Any:
    if kind == "NS":
        return number_value(element)
    if kind == "BS":
        return decode_binary(element)
    return element


def _union(kind: str, existing: list[str], added: list[str]) -> list[str]:
    seen = {_set_key(kind, element) for element in existing}
    result = list(existing)
    for element in added:
        key = _set_key(kind, element)
        if key not in seen:
            seen.add(key)
            result.append(element)
    return result


def _difference(kind: str, existing: list[str], removed: list[str]) -> list[str]:
    gone = {_set_key(kind, element) for element in removed}
    return [element for element in existing if _set_key(kind, element) not in gone]


def _add(current: AV, value: AV, legacy: bool) -> AV:
    kind = av_type(current)
    mismatch = ValidationException(LEGACY_WRONG_TYPE if legacy else WRONG_TYPE)
    if kind != av_type(value):
        raise mismatch
    if kind == "N":
        return _arithmetic("+", current, value)
    if kind in ("SS", "NS", "BS"):
        return {kind: _union(kind, current[kind], value[kind])}
    if kind == "L" and legacy:
        return {"L": [*current["L"], *value["L"]]}
    raise mismatch


# --- the plan -------------------------------------------------------------------------------


def apply_update(plan: UpdatePlan, item: Item | None) -> tuple[Item, set[str]]:
    """The item after ``plan`` (``item`` None means no item yet), and the top-level names touched.

    The input is never mutated: touched top-level attributes are deep-copied first.
    """
    old = item or {}
    values = [update_value(action.value, old) for action in plan.sets]
    touched = plan.top_level_names()
    new: Item = dict(old)
    for name in touched:
        if name in new:
            new[name] = copy_value(new[name])
    pairs = list(zip(plan.sets, values, strict=False))
    if len(pairs) > 1:
        pairs.sort(key=lambda pair: _sort_key(pair[0].path.elements))
    for action, value in pairs:
        path = action.path.elements
        _put(_container(new, path), path[-1], copy_value(value))
    removes = plan.removes if len(plan.removes) < 2 else sorted(
        plan.removes, key=lambda action: _sort_key(action.path.elements), reverse=True)
    for remove in removes:
        path = remove.path.elements
        _drop(_container(new, path), path[-1])
    adds = plan.adds if len(plan.adds) < 2 else sorted(plan.adds, key=lambda action: _sort_key(action.path.elements))
    for add in adds:
        path = add.path.elements
        container = _container(new, path)
        current = _child(container, path[-1])
        value = add.value.value
        _put(container, path[-1], copy_value(value) if current is None else _add(current, value, plan.legacy))
    for delete in sorted(plan.deletes, key=lambda action: _sort_key(action.path.elements)):
        path = delete.path.elements
        container = _container(new, path)
        current = _child(container, path[-1])
        if current is None:
            continue
        kind = av_type(current)
        if kind != av_type(delete.value.value) or kind not in ("SS", "NS", "BS"):
            raise ValidationException(LEGACY_WRONG_TYPE if plan.legacy else WRONG_TYPE)
        remaining = _difference(kind, current[kind], delete.value.value[kind])
        if remaining:
            _put(container, path[-1], {kind: remaining})
        else:
            _drop(container, path[-1])
    return new, touched
