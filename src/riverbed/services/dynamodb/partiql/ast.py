"""The PartiQL syntax tree: statements and the expressions inside them.

Owns: plain node types produced by ``parser.py``.  Values are not resolved here: literals keep their
PartiQL form and ``?`` parameters their position, so one parsed statement can be bound to several
parameter lists.

Must not: parse, evaluate, or know about tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PathElement = str | int


class Expr:
    __slots__ = ()


@dataclass(frozen=True, slots=True)
class PathRef(Expr):
    elements: tuple[PathElement, ...]


@dataclass(frozen=True, slots=True)
class Literal(Expr):
    """A scalar literal: ``kind`` is S, N, BOOL, NULL or MISSING."""

    kind: str
    value: Any


@dataclass(frozen=True, slots=True)
class Param(Expr):
    index: int


@dataclass(frozen=True, slots=True)
class Struct(Expr):
    fields: tuple[tuple[str, Expr], ...]


@dataclass(frozen=True, slots=True)
class ListExpr(Expr):
    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Bag(Expr):
    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Binary(Expr):
    """``op`` is AND, OR, a comparison (= <> < <= > >=) or arithmetic (+ -)."""

    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class NotExpr(Expr):
    operand: Expr


@dataclass(frozen=True, slots=True)
class BetweenExpr(Expr):
    operand: Expr
    low: Expr
    high: Expr


@dataclass(frozen=True, slots=True)
class InExpr(Expr):
    operand: Expr
    candidates: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class IsExpr(Expr):
    """``operand IS [NOT] what`` with what MISSING, NULL or a type name (STRING, NUMERIC, ...)."""

    operand: Expr
    what: str
    negated: bool


@dataclass(frozen=True, slots=True)
class Call(Expr):
    name: str          # lower case
    args: tuple[Expr, ...]


# --- statements ----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Select:
    table: str
    index: str | None
    projection: tuple[PathRef, ...] | None    # None: *
    where: Expr | None


@dataclass(frozen=True, slots=True)
class Insert:
    table: str
    index: str | None
    value: Expr


@dataclass(frozen=True, slots=True)
class Update:
    table: str
    index: str | None
    sets: tuple[tuple[PathRef, Expr], ...]
    removes: tuple[PathRef, ...]
    where: Expr | None
    returning: str | None       # ALL OLD, ALL NEW, MODIFIED OLD, MODIFIED NEW


@dataclass(frozen=True, slots=True)
class Delete:
    table: str
    index: str | None
    where: Expr | None
    returning: str | None


@dataclass(frozen=True, slots=True)
class Exists:
    """``EXISTS(SELECT ...)``: a condition check inside ExecuteTransaction."""

    select: Select


Statement = Select | Insert | Update | Delete | Exists
