"""From syntax tree to resolved AST, with AWS's validation errors in AWS's order.

Owns: everything between "it parses" and "it can be evaluated", in the order AWS reports it
(observed against AWS in the dynalite and Alternator test suites):

1. empty text, then size over 4 KB (UTF-8 bytes);
2. syntax, including redundant parentheses (parser.py);
3. function names, then function usage ("not allowed to be used this way");
4. reserved words used as bare attribute names;
5. updates only: a clause (SET/REMOVE/ADD/DELETE) used twice;
6. #name and :value references, resolved in source order, and path depth (32 levels);
7. updates and projections: overlapping, then conflicting, document paths;
8. operand counts, document-path and literal-type requirements, distinct operands,
   BETWEEN bounds, IN size -- per node, children first (ADD/DELETE values before SET values).

Must not: evaluate anything against an item.
"""

from __future__ import annotations

from typing import Any

from riverbed.errors import ValidationException
from riverbed.services.dynamodb.expressions.ast import (
    AddAction,
    And,
    Arithmetic,
    AttributeExists,
    AttributeNotExists,
    AttributeType,
    BeginsWith,
    Between,
    Comparison,
    Contains,
    DeleteAction,
    DocPath,
    IfNotExists,
    In,
    ListAppend,
    Node,
    Not,
    Or,
    Path,
    RemoveAction,
    SetAction,
    Size,
    UpdatePlan,
    Value,
    format_path,
)
from riverbed.services.dynamodb.expressions.attributes import ExpressionAttributes
from riverbed.services.dynamodb.expressions.parser import Syn, parse_syntax, unwrap, walk
from riverbed.services.dynamodb.expressions.tokens import is_reserved
from riverbed.services.dynamodb.types import TYPES, av_type, compare_values

MAX_EXPRESSION_BYTES = 4096
MAX_PATH_DEPTH = 32
MAX_IN_CANDIDATES = 100

CONDITION_FUNCTIONS = {
    "attribute_exists": 1,
    "attribute_not_exists": 1,
    "attribute_type": 2,
    "begins_with": 2,
    "contains": 2,
}
OPERAND_FUNCTIONS = {"size": 1}
UPDATE_FUNCTIONS = {"if_not_exists": 2, "list_append": 2}
ORDERING = frozenset({"<", "<=", ">", ">="})
_LONG_TYPE_NAMES = {
    "S": "STRING",
    "N": "NUMBER",
    "B": "BINARY",
    "BOOL": "BOOLEAN",
    "NULL": "NULL",
    "M": "MAP",
    "L": "LIST",
    "SS": "STRING_SET",
    "NS": "NUMBER_SET",
    "BS": "BINARY_SET",
}


def _error(kind: str, message: str) -> ValidationException:
    return ValidationException(f"Invalid {kind}: {message}")


def check_length(text: Any, kind: str) -> str:
    """Refuse an empty or over-long expression (before any parsing, as AWS does)."""
    if not isinstance(text, str) or text == "":
        raise _error(kind, "The expression can not be empty;")
    size = len(text.encode("utf-8"))
    if size > MAX_EXPRESSION_BYTES:
        raise _error(kind, f"Expression size has exceeded the maximum allowed size; expression size: {size}")
    return text


# --- whole-expression checks ---------------------------------------------------------------


def _check_functions(tree: Syn, kind: str, context: str) -> None:
    known = CONDITION_FUNCTIONS.keys() | OPERAND_FUNCTIONS.keys() | UPDATE_FUNCTIONS.keys()
    for node in walk(tree):
        if node.kind != "call":
            continue
        name = node.text
        if name not in known:
            raise _error(kind, f"Invalid function name; function: {name}")
        if context == "update":
            if name not in UPDATE_FUNCTIONS:
                raise _error(kind, f"The function is not allowed in an update expression; function: {name}")
            # list_append(list_append(a, :v), :w) is refused (list_append(if_not_exists(a, :e), :v) is the
            # documented idiom and works): Alternator's and other emulators' suites, run against DynamoDB.
            if name == "list_append" and any(unwrap(arg).kind == "call" and unwrap(arg).text == "list_append"
                                             for arg in node.args):
                raise _error(kind, "The function is not allowed to be used this way in an expression; "
                                   "function: list_append")
        elif (node.role == "condition") != (name in CONDITION_FUNCTIONS) or name in UPDATE_FUNCTIONS:
            raise _error(
                kind, f"The function is not allowed to be used this way in an expression; function: {name}"
            )


def _check_reserved(tree: Syn, kind: str) -> None:
    for node in walk(tree):
        if node.kind == "path":
            for tag, text in node.args:
                if tag == "ident" and is_reserved(text):
                    raise _error(kind, f"Attribute name is a reserved keyword; reserved keyword: {text}")


def _resolve(tree: Syn, attrs: ExpressionAttributes, kind: str) -> None:
    """Replace references in source order; store results on the nodes (``resolved``)."""
    for node in walk(tree):
        if node.kind == "path":
            elements: list[str | int] = []
            for tag, text in node.args:
                elements.append(attrs.name(text, kind) if tag == "name" else text)
            if len(elements) > MAX_PATH_DEPTH:
                raise _error(
                    kind, f"The document path has too many nesting levels; nesting levels: {len(elements)}"
                )
            node.resolved = tuple(elements)
        elif node.kind == "value":
            node.resolved = attrs.value(node.text, kind)


def check_paths(paths: list[DocPath], kind: str) -> None:
    """Refuse overlapping (one a prefix of the other) and then conflicting paths."""
    for i, first in enumerate(paths):
        for second in paths[i + 1 :]:
            shorter = min(len(first), len(second))
            if first[:shorter] == second[:shorter]:
                raise _error(
                    kind,
                    "Two document paths overlap with each other; must remove or rewrite one of "
                    f"these paths; path one: {format_path(first)}, path two: {format_path(second)}",
                )
    for i, first in enumerate(paths):
        for second in paths[i + 1 :]:
            for a, b in zip(first, second, strict=False):
                if a != b:
                    if isinstance(a, int) != isinstance(b, int):
                        raise _error(
                            kind,
                            "Two document paths conflict with each other; must remove or rewrite one "
                            f"of these paths; path one: {format_path(first)}, "
                            f"path two: {format_path(second)}",
                        )
                    break


# --- per-node checks -------------------------------------------------------------------------


def _static_type(node: Syn) -> str | None:
    """The type an operand is known to have before evaluation (literals and functions)."""
    node = unwrap(node)
    if node.kind == "value":
        return av_type(node.resolved)
    if node.kind == "call":
        return {"size": "N", "list_append": "L"}.get(node.text)
    if node.kind == "arith":
        return "N"
    return None


def _operand_type_error(kind: str, operator: str, operand_type: str) -> ValidationException:
    return _error(
        kind,
        "Incorrect operand type for operator or function; "
        f"operator or function: {operator}, operand type: {operand_type}",
    )


def _check_arity(node: Syn, kind: str, expected: int) -> None:
    if len(node.args) != expected:
        raise _error(
            kind,
            "Incorrect number of operands for operator or function; "
            f"operator or function: {node.text}, number of operands: {len(node.args)}",
        )


def _check_document_path(node: Syn, kind: str) -> None:
    if unwrap(node.args[0]).kind != "path":
        raise _error(
            kind, f"Operator or function requires a document path; operator or function: {node.text}"
        )


def _check_distinct(kind: str, operator: str, first: Syn, rest: list[Any]) -> None:
    first = unwrap(first)
    if first.kind != "path":
        return
    for other in rest:
        other = unwrap(other)
        if other.kind == "path" and other.resolved == first.resolved:
            raise _error(
                kind,
                "The first operand must be distinct from the remaining operands for this operator "
                f"or function; operator: {operator}, first operand: {format_path(first.resolved)}",
            )


def _bound_text(av: dict[str, Any]) -> str:
    kind = av_type(av)
    return f"AttributeValue: {{{kind}:{av[kind]}}}"


def _check_condition_node(node: Syn, kind: str) -> None:
    for arg in node.args:
        if isinstance(arg, Syn):
            _check_condition_node(arg, kind)
    if node.kind == "call":
        name = node.text
        _check_arity(node, kind, CONDITION_FUNCTIONS.get(name) or OPERAND_FUNCTIONS[name])
        if name in ("attribute_exists", "attribute_not_exists"):
            _check_document_path(node, kind)
        elif name == "size":
            operand_type = _static_type(node.args[0])
            if operand_type in ("N", "BOOL", "NULL"):
                raise _operand_type_error(kind, name, operand_type)
        else:
            _check_distinct(kind, name, node.args[0], node.args[1:])
            if name == "attribute_type":
                second = unwrap(node.args[1])
                if second.kind != "value":
                    raise _operand_type_error(kind, name, _static_type(second) or "PATH")
                if av_type(second.resolved) != "S":
                    raise _operand_type_error(kind, name, av_type(second.resolved))
                if second.resolved["S"] not in TYPES:
                    raise _error(
                        kind,
                        f"Invalid attribute type name found; type: {second.resolved['S']}, "
                        "valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}",
                    )
            elif name == "begins_with":
                for arg in node.args:
                    operand_type = _static_type(arg)
                    if operand_type is not None and operand_type not in ("S", "B"):
                        raise _operand_type_error(kind, name, operand_type)
    elif node.kind == "compare":
        _check_distinct(kind, node.text, node.args[0], node.args[1:])
        if node.text in ORDERING:
            _check_orderable(kind, node.text, node.args)
    elif node.kind == "between":
        _check_distinct(kind, "BETWEEN", node.args[0], node.args[1:])
        _check_orderable(kind, "BETWEEN", node.args)
        low, high = unwrap(node.args[1]), unwrap(node.args[2])
        if low.kind == "value" and high.kind == "value":
            bounds = (
                f"lower bound operand: {_bound_text(low.resolved)}, "
                f"upper bound operand: {_bound_text(high.resolved)}"
            )
            order = compare_values(low.resolved, high.resolved)
            if order is None:
                raise _error(
                    kind, f"The BETWEEN operator requires same data type for lower and upper bounds; {bounds}"
                )
            if order > 0:
                raise _error(
                    kind,
                    "The BETWEEN operator requires upper bound to be greater than or equal to lower "
                    f"bound; {bounds}",
                )
    elif node.kind == "in":
        candidates = len(node.args) - 1
        if candidates > MAX_IN_CANDIDATES:
            raise _error(
                kind, f"The IN operator is provided with too many operands; number of operands: {candidates}"
            )
        _check_distinct(kind, "IN", node.args[0], node.args[1:])


def _check_orderable(kind: str, operator: str, operands: list[Any]) -> None:
    # A literal that cannot be ordered is the caller's mistake (ValidationException); an item
    # attribute of such a type only makes the comparison false.
    for operand in operands:
        operand_type = _static_type(operand)
        if operand_type is not None and operand_type not in ("S", "N", "B"):
            raise _operand_type_error(kind, operator, operand_type)


# --- building the AST -------------------------------------------------------------------------


def build_operand(node: Syn) -> Node:
    node = unwrap(node)
    if node.kind == "path":
        return Path(node.resolved)
    if node.kind == "value":
        return Value(node.resolved, node.text)
    if node.kind == "arith":
        return Arithmetic(node.text, build_operand(node.args[0]), build_operand(node.args[1]))
    first = build_operand(node.args[0])
    if node.text == "size":
        return Size(first)
    if node.text == "if_not_exists":
        assert isinstance(first, Path)
        return IfNotExists(first, build_operand(node.args[1]))
    return ListAppend(first, build_operand(node.args[1]))


def build_condition(node: Syn) -> Node:
    node = unwrap(node)
    kind = node.kind
    if kind == "and":
        return And(build_condition(node.args[0]), build_condition(node.args[1]))
    if kind == "or":
        return Or(build_condition(node.args[0]), build_condition(node.args[1]))
    if kind == "not":
        return Not(build_condition(node.args[0]))
    operands = [build_operand(arg) for arg in node.args]
    if kind == "compare":
        return Comparison(node.text, operands[0], operands[1])
    if kind == "between":
        return Between(operands[0], operands[1], operands[2])
    if kind == "in":
        return In(operands[0], tuple(operands[1:]))
    name = node.text
    if name == "attribute_exists":
        assert isinstance(operands[0], Path)
        return AttributeExists(operands[0])
    if name == "attribute_not_exists":
        assert isinstance(operands[0], Path)
        return AttributeNotExists(operands[0])
    if name == "attribute_type":
        return AttributeType(operands[0], operands[1])
    if name == "begins_with":
        return BeginsWith(operands[0], operands[1])
    return Contains(operands[0], operands[1])


# --- entry points -----------------------------------------------------------------------------


def parse_condition(
    text: str, attrs: ExpressionAttributes | None = None, kind: str = "ConditionExpression"
) -> Node:
    """Parse a condition (ConditionExpression, FilterExpression, KeyConditionExpression)."""
    attrs = attrs if attrs is not None else ExpressionAttributes()
    tree = parse_syntax(check_length(text, kind), kind, "condition")
    _check_functions(tree, kind, "condition")
    _check_reserved(tree, kind)
    _resolve(tree, attrs, kind)
    _check_condition_node(tree, kind)
    return build_condition(tree)


def parse_projection(
    text: str, attrs: ExpressionAttributes | None = None, kind: str = "ProjectionExpression"
) -> list[DocPath]:
    """Parse a ProjectionExpression into document paths."""
    attrs = attrs if attrs is not None else ExpressionAttributes()
    tree = parse_syntax(check_length(text, kind), kind, "projection")
    _check_reserved(tree, kind)
    _resolve(tree, attrs, kind)
    paths = [node.resolved for node in tree.args]
    check_paths(paths, kind)
    return paths


def _check_update_value(node: Syn, kind: str) -> None:
    for arg in node.args:
        if isinstance(arg, Syn):
            _check_update_value(arg, kind)
    if node.kind == "call":
        _check_arity(node, kind, UPDATE_FUNCTIONS[node.text])
        if node.text == "if_not_exists":
            _check_document_path(node, kind)
        else:
            for arg in node.args:
                operand_type = _static_type(arg)
                if operand_type is not None and operand_type != "L":
                    raise _operand_type_error(kind, node.text, operand_type)
    elif node.kind == "arith":
        for arg in node.args:
            operand_type = _static_type(arg)
            if operand_type is not None and operand_type != "N":
                raise _operand_type_error(kind, node.text, operand_type)


def parse_update(
    text: str, attrs: ExpressionAttributes | None = None, kind: str = "UpdateExpression"
) -> UpdatePlan:
    """Parse an UpdateExpression into an :class:`UpdatePlan`."""
    attrs = attrs if attrs is not None else ExpressionAttributes()
    tree = parse_syntax(check_length(text, kind), kind, "update")
    _check_functions(tree, kind, "update")
    _check_reserved(tree, kind)
    seen: set[str] = set()
    for clause in tree.args:
        if clause.text in seen:
            raise _error(kind, f'The "{clause.text}" section can only be used once in an update expression;')
        seen.add(clause.text)
    _resolve(tree, attrs, kind)
    actions = [action for clause in tree.args for action in clause.args]
    targets = [action.args[0].resolved for action in actions]
    check_paths(targets, kind)
    for action in actions:
        if action.kind in ("add", "delete"):
            value_type = av_type(action.args[1].resolved)
            allowed = ("N", "SS", "NS", "BS") if action.kind == "add" else ("SS", "NS", "BS")
            if value_type not in allowed:
                raise _error(
                    kind,
                    "Incorrect operand type for operator or function; "
                    f"operator: {action.kind.upper()}, operand type: {_LONG_TYPE_NAMES[value_type]}",
                )
    for action in actions:
        if action.kind == "set":
            _check_update_value(action.args[1], kind)
    sets: list[SetAction] = []
    removes: list[RemoveAction] = []
    adds: list[AddAction] = []
    deletes: list[DeleteAction] = []
    for action in actions:
        path = Path(action.args[0].resolved)
        if action.kind == "set":
            sets.append(SetAction(path, build_operand(action.args[1])))
        elif action.kind == "remove":
            removes.append(RemoveAction(path))
        else:
            value = Value(action.args[1].resolved, action.args[1].text)
            if action.kind == "add":
                adds.append(AddAction(path, value))
            else:
                deletes.append(DeleteAction(path, value))
    return UpdatePlan(tuple(sets), tuple(removes), tuple(adds), tuple(deletes), order=tuple(targets))
