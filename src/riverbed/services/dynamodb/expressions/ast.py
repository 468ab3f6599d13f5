"""The resolved expression tree shared by expressions and the legacy parameters.

Owns: the node types an evaluator sees.  Every ``#name`` is already replaced by its attribute
name and every ``:value`` by its (validated) AttributeValue, so evaluation needs nothing but
the node and the item.  Legacy parameters (Expected, QueryFilter, AttributeUpdates, ...) are
mapped onto these same nodes.

Must not: parse text, evaluate, or raise AWS errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

AV = dict[str, Any]
PathElement = str | int  # map key / attribute name, or list index
DocPath = tuple[PathElement, ...]


def format_path(elements: DocPath) -> str:
    """A path as AWS prints it in messages: ``[a, b, [1], c]``."""
    return "[" + ", ".join(f"[{e}]" if isinstance(e, int) else e for e in elements) + "]"


class Node:
    """Base class of every expression node."""

    __slots__ = ()


# --- operands --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Path(Node):
    """A document path: top-level attribute, then map keys (str) and list indexes (int)."""

    elements: DocPath


@dataclass(frozen=True, slots=True)
class Value(Node):
    """A literal from ExpressionAttributeValues (or a legacy AttributeValueList entry)."""

    value: AV
    name: str = ""


@dataclass(frozen=True, slots=True)
class Size(Node):
    """``size(operand)``: a number, or missing when the operand has no size."""

    operand: Node


@dataclass(frozen=True, slots=True)
class IfNotExists(Node):
    """Update only: the value at ``path`` if present, else ``default``."""

    path: Path
    default: Node


@dataclass(frozen=True, slots=True)
class ListAppend(Node):
    """Update only: concatenation of two lists."""

    first: Node
    second: Node


@dataclass(frozen=True, slots=True)
class Arithmetic(Node):
    """Update only: ``left + right`` or ``left - right`` on numbers."""

    op: str
    left: Node
    right: Node


# --- conditions ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Comparison(Node):
    """``left op right`` with op one of = <> < <= > >=."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Between(Node):
    operand: Node
    low: Node
    high: Node


@dataclass(frozen=True, slots=True)
class In(Node):
    operand: Node
    candidates: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class And(Node):
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Or(Node):
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Not(Node):
    operand: Node


@dataclass(frozen=True, slots=True)
class AttributeExists(Node):
    path: Path


@dataclass(frozen=True, slots=True)
class AttributeNotExists(Node):
    path: Path


@dataclass(frozen=True, slots=True)
class AttributeType(Node):
    operand: Node
    type: Node


@dataclass(frozen=True, slots=True)
class BeginsWith(Node):
    operand: Node
    prefix: Node


@dataclass(frozen=True, slots=True)
class Contains(Node):
    operand: Node
    value: Node


# --- update plans ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SetAction:
    path: Path
    value: Node


@dataclass(frozen=True, slots=True)
class RemoveAction:
    path: Path


@dataclass(frozen=True, slots=True)
class AddAction:
    path: Path
    value: Value


@dataclass(frozen=True, slots=True)
class DeleteAction:
    path: Path
    value: Value


@dataclass(frozen=True, slots=True)
class UpdatePlan:
    """A parsed UpdateExpression (or legacy AttributeUpdates when ``legacy`` is true).

    Legacy plans differ only in behaviour AWS kept for old clients: ADD also appends lists,
    and type mismatches report "Type mismatch for attribute to update".
    """

    sets: tuple[SetAction, ...] = ()
    removes: tuple[RemoveAction, ...] = ()
    adds: tuple[AddAction, ...] = ()
    deletes: tuple[DeleteAction, ...] = ()
    legacy: bool = False
    order: tuple[DocPath, ...] = field(default=())  # target paths in expression order

    def paths(self) -> list[DocPath]:
        """Every updated document path, in the order the expression wrote them."""
        if self.order:
            return list(self.order)
        actions: list[Any] = [*self.sets, *self.removes, *self.adds, *self.deletes]
        return [action.path.elements for action in actions]

    def top_level_names(self) -> set[str]:
        """Names of the top-level attributes this plan touches."""
        return {str(path[0]) for path in self.paths()}


@dataclass(frozen=True, slots=True)
class KeyCondition:
    """A Query's key condition: equality on the hash key, optional range predicate.

    ``range`` is ``(op, values)`` with op one of = < <= > >= BETWEEN begins_with; BETWEEN has
    two values, the others one.
    """

    hash_key: str
    hash_value: AV
    range_key: str | None = None
    range: tuple[str, tuple[AV, ...]] | None = None
