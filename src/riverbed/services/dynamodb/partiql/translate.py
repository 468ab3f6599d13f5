"""PartiQL expressions -> AttributeValues and the expression AST DynamoDB's evaluator already runs.

Owns: binding ``?`` parameters, turning PartiQL literals ('s', 1.5, TRUE, NULL, {...}, [...], <<...>>)
into AttributeValues, WHERE clauses into condition nodes (``expressions.ast``), SET/REMOVE clauses into
an ``UpdatePlan``, and splitting a WHERE clause into key equalities and the rest.

Must not: read or write items (``executor.py``), or re-implement evaluation (``expressions/`` does it).
"""

from __future__ import annotations

from typing import Any

from riverbed.errors import ValidationException
from riverbed.services.dynamodb import expressions as ex
from riverbed.services.dynamodb import types
from riverbed.services.dynamodb.partiql import ast

AV = dict[str, Any]
_IS_TYPES = {"BOOLEAN": "BOOL", "BLOB": "B", "STRING": "S", "NUMERIC": "N", "STRUCT": "M", "TUPLE": "M",
             "LIST": "L"}
_MISSING_COMPARED = "MISSING must be compared using IS operator"


def value_of(expr: ast.Expr, params: list[AV]) -> AV:
    """The constant an expression stands for (literal, parameter, struct, list or bag)."""
    if isinstance(expr, ast.Param):
        return params[expr.index]
    if isinstance(expr, ast.Literal):
        if expr.kind == "MISSING":
            raise ValidationException(_MISSING_COMPARED)
        if expr.kind == "N":
            return {"N": types.normalize_number(expr.value)}
        return {expr.kind: expr.value}
    if isinstance(expr, ast.Struct):
        fields: dict[str, AV] = {}
        for key, sub in expr.fields:
            if key in fields:
                raise ValidationException(f"Duplicate keys in tuple. Key: {key} under {key}")
            if isinstance(sub, ast.Literal) and sub.kind == "MISSING":
                continue
            fields[key] = value_of(sub, params)
        return {"M": fields}
    if isinstance(expr, ast.ListExpr):
        return {"L": [value_of(sub, params) for sub in expr.items]}
    if isinstance(expr, ast.Bag):
        values = [value_of(sub, params) for sub in expr.items]
        kinds = {types.av_type(v) for v in values}
        if len(kinds) != 1 or next(iter(kinds)) not in ("S", "N", "B"):
            raise ValidationException("Unsupported data type in Bag. DynamoDB only supports either numbers or "
                                      "strings in bags")
        kind = next(iter(kinds))
        members = list(dict.fromkeys(v[kind] for v in values))
        return types.validate_value({kind + "S": members})
    raise ValidationException(f"Unsupported token in expression: {type(expr).__name__}")


def is_constant(expr: ast.Expr) -> bool:
    return isinstance(expr, (ast.Param, ast.Struct, ast.ListExpr, ast.Bag)) or (
        isinstance(expr, ast.Literal) and expr.kind != "MISSING")


def operand(expr: ast.Expr, params: list[AV]) -> ex.Node:
    if isinstance(expr, ast.PathRef):
        return ex.Path(expr.elements)
    if isinstance(expr, ast.Call) and expr.name == "size" and len(expr.args) == 1:
        return ex.Size(operand(expr.args[0], params))
    if isinstance(expr, ast.Literal) and expr.kind == "MISSING":
        raise ValidationException(_MISSING_COMPARED)
    if is_constant(expr):
        return ex.Value(value_of(expr, params))
    if isinstance(expr, ast.Call):
        raise ValidationException(f"Unrecognized function: {expr.name}")
    raise ValidationException("Unsupported operator in Condition Expression. Operator: "
                              f"{getattr(expr, 'op', type(expr).__name__)}")


def condition(expr: ast.Expr, params: list[AV]) -> ex.Node:
    """A WHERE clause (or part of one) as a condition node."""
    if isinstance(expr, ast.Binary):
        if expr.op == "AND":
            return ex.And(condition(expr.left, params), condition(expr.right, params))
        if expr.op == "OR":
            return ex.Or(condition(expr.left, params), condition(expr.right, params))
        if expr.op in ("+", "-"):
            raise ValidationException("WHERE clause must contain an expression that resolves to a boolean")
        return ex.Comparison(expr.op, operand(expr.left, params), operand(expr.right, params))
    if isinstance(expr, ast.NotExpr):
        return ex.Not(condition(expr.operand, params))
    if isinstance(expr, ast.BetweenExpr):
        return ex.Between(operand(expr.operand, params), operand(expr.low, params), operand(expr.high, params))
    if isinstance(expr, ast.InExpr):
        if not isinstance(expr.operand, ast.PathRef):
            raise ValidationException("IN operator must have a left hand argument of type Variable Reference and "
                                      "right hand argument of type Seq with at least one member")
        return ex.In(operand(expr.operand, params), tuple(operand(c, params) for c in expr.candidates))
    if isinstance(expr, ast.IsExpr):
        return _is(expr, params)
    if isinstance(expr, ast.Call):
        return _call(expr, params)
    raise ValidationException("WHERE clause must contain an expression that resolves to a boolean")


def _is(expr: ast.IsExpr, params: list[AV]) -> ex.Node:
    if not isinstance(expr.operand, (ast.PathRef, ast.Literal, ast.Param)):
        raise ValidationException("The left hand side argument to IS must be a Variable Reference, Literal, or Path")
    if not isinstance(expr.operand, ast.PathRef):
        raise ValidationException("The left hand side argument to IS must be a Variable Reference, Literal, or Path")
    path = ex.Path(expr.operand.elements)
    if expr.what == "MISSING":
        node: ex.Node = ex.AttributeNotExists(path)
    elif expr.what == "NULL":
        # PartiQL: a missing attribute IS NULL as well.
        node = ex.Or(ex.AttributeNotExists(path), ex.AttributeType(path, ex.Value({"S": "NULL"})))
    else:
        node = ex.AttributeType(path, ex.Value({"S": _IS_TYPES[expr.what]}))
        if expr.what in ("STRUCT", "TUPLE"):
            node = ex.AttributeType(path, ex.Value({"S": "M"}))
    return ex.Not(node) if expr.negated else node


def _call(expr: ast.Call, params: list[AV]) -> ex.Node:
    args = expr.args
    name = expr.name
    arity = {"begins_with": 2, "contains": 2, "attribute_type": 2, "attribute_exists": 1,
             "attribute_not_exists": 1, "missing": 1, "exists": 1}.get(name)
    if arity is None:
        raise ValidationException(f"Unrecognized function: {name}")
    if len(args) != arity:
        raise ValidationException(f"Unrecognized function: {name}")
    if name == "begins_with":
        return ex.BeginsWith(operand(args[0], params), operand(args[1], params))
    if name == "contains":
        return ex.Contains(operand(args[0], params), operand(args[1], params))
    if name == "attribute_type":
        return ex.AttributeType(operand(args[0], params), operand(args[1], params))
    if not isinstance(args[0], ast.PathRef):
        raise ValidationException(f"Unrecognized function: {name}")
    path = ex.Path(args[0].elements)
    if name in ("attribute_not_exists", "missing"):
        return ex.AttributeNotExists(path)
    return ex.AttributeExists(path)


# --- WHERE clauses of single-item statements -----------------------------------------------------

def conjuncts(expr: ast.Expr | None) -> list[ast.Expr]:
    if expr is None:
        return []
    if isinstance(expr, ast.Binary) and expr.op == "AND":
        return conjuncts(expr.left) + conjuncts(expr.right)
    return [expr]


def key_equality(expr: ast.Expr, names: tuple[str, ...]) -> tuple[str, ast.Expr] | None:
    """``(key name, constant)`` when ``expr`` is ``key = constant`` (either way round)."""
    if not (isinstance(expr, ast.Binary) and expr.op == "="):
        return None
    for path, other in ((expr.left, expr.right), (expr.right, expr.left)):
        if isinstance(path, ast.PathRef) and len(path.elements) == 1 and path.elements[0] in names \
                and is_constant(other):
            return str(path.elements[0]), other
    return None


def split_key(where: ast.Expr | None, key_names: tuple[str, ...], params: list[AV]
              ) -> tuple[dict[str, AV], ex.Node | None]:
    """The full primary key a write's WHERE names, and the condition made of the rest of it."""
    key: dict[str, AV] = {}
    rest: list[ast.Expr] = []
    for part in conjuncts(where):
        found = key_equality(part, key_names)
        if found is None:
            rest.append(part)
            continue
        name, value = found
        if name in key:
            raise ValidationException(f"Multiple conditions on same key {name}. Only single item "
                                      "Update/Insert/Delete are supported")
        key[name] = value_of(value, params)
    if len(key) != len(key_names):
        raise ValidationException("Where clause does not contain a mandatory equality on all key attributes")
    node = None
    for part in rest:
        cond = condition(part, params)
        node = cond if node is None else ex.And(node, cond)
    return key, node


# --- SET / REMOVE -----------------------------------------------------------------------------

def _update_value(expr: ast.Expr, params: list[AV]) -> ex.Node:
    if isinstance(expr, ast.PathRef):
        return ex.Path(expr.elements)
    if isinstance(expr, ast.Binary) and expr.op in ("+", "-"):
        return ex.Arithmetic(expr.op, _update_value(expr.left, params), _update_value(expr.right, params))
    if isinstance(expr, ast.Call):
        if expr.name == "list_append" and len(expr.args) == 2:
            return ex.ListAppend(_update_value(expr.args[0], params), _update_value(expr.args[1], params))
        if expr.name == "if_not_exists" and len(expr.args) == 2 and isinstance(expr.args[0], ast.PathRef):
            return ex.IfNotExists(ex.Path(expr.args[0].elements), _update_value(expr.args[1], params))
        raise ValidationException(f"Unrecognized function: {expr.name}")
    if isinstance(expr, ast.Binary):
        raise ValidationException(f"Unsupported operator in Update Expression. Operator: {expr.op}")
    if isinstance(expr, (ast.IsExpr, ast.InExpr, ast.BetweenExpr, ast.NotExpr)):
        raise ValidationException("IS operator is not supported in update expressions" if isinstance(
            expr, ast.IsExpr) else f"Unsupported operator in Update Expression. Operator: {type(expr).__name__}")
    return ex.Value(value_of(expr, params))


def update_plan(stmt: ast.Update, params: list[AV]) -> ex.UpdatePlan:
    sets: list[ex.SetAction] = []
    adds: list[ex.AddAction] = []
    deletes: list[ex.DeleteAction] = []
    for target, expr in stmt.sets:
        path = ex.Path(target.elements)
        if isinstance(expr, ast.Call) and expr.name in ("set_add", "set_delete"):
            label = expr.name[4:].upper()
            if len(expr.args) != 2:
                raise ValidationException(f"SET_{label} must have exactly two arguments")
            if expr.args[0] != target:
                raise ValidationException(f"The first argument to SET_{label} must equal the assignment value")
            value = value_of(expr.args[1], params)
            if types.av_type(value) not in ("SS", "NS", "BS"):
                raise ValidationException(f"The second argument to SET_{label} must be a value with type SET")
            if label == "ADD":
                adds.append(ex.AddAction(path, ex.Value(value)))
            else:
                deletes.append(ex.DeleteAction(path, ex.Value(value)))
            continue
        sets.append(ex.SetAction(path, _update_value(expr, params)))
    removes = [ex.RemoveAction(ex.Path(p.elements)) for p in stmt.removes]
    return ex.UpdatePlan(tuple(sets), tuple(removes), tuple(adds), tuple(deletes))
