"""Running PartiQL statements: SELECT as a Query or Scan, INSERT / UPDATE / DELETE as single-item writes.

Owns: resolving a statement's table (and index), planning a SELECT (an equality on the partition key makes
it a Query, with a range condition on the sort key when there is one; anything else is a Scan; the whole
WHERE clause is applied as a filter), paging with Limit / NextToken, and the write plans the three PartiQL
operations share: the item's key from the WHERE clause, the implicit conditions (INSERT: the item must not
exist -- DuplicateItemException; UPDATE: it must exist), the explicit ones (the rest of the WHERE clause),
and RETURNING.  Every write goes through ``items.commit`` so it lands in the stream like any other write.

Must not: parse (``parser.py``) or translate expressions (``translate.py``).
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson

from riverbed.errors import ConditionalCheckFailedException, ServiceError, ValidationException, error
from riverbed.services.dynamodb import expressions as ex
from riverbed.services.dynamodb import items, pages, types
from riverbed.services.dynamodb.partiql import ast
from riverbed.services.dynamodb.partiql import translate as tr
from riverbed.services.dynamodb.partiql.parser import parse
from riverbed.services.dynamodb.scopes import TableScope
from riverbed.services.dynamodb.service import DdbContext
from riverbed.services.dynamodb.tables import Table

AV = dict[str, Any]
_TABLE_NAME = re.compile(r"[a-zA-Z0-9_.-]{3,255}")
DUPLICATE = "Duplicate primary key exists in table"
_RANGE_OPS = ("=", "<", "<=", ">", ">=")
_FLIP = {"=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


def prepare(statement: str, parameters: list[AV] | None) -> tuple[ast.Statement, list[AV]]:
    """Parse a statement and bind its parameters (validated AttributeValues)."""
    stmt, count = parse(statement)
    params = [types.validate_value(p) for p in parameters or []]
    if len(params) != count:
        raise ValidationException("Number of parameters in request and statement don't match.")
    return stmt, params


def is_read(stmt: ast.Statement) -> bool:
    return isinstance(stmt, ast.Select)


def resolve_table(ctx: DdbContext, name: str) -> Table:
    if not _TABLE_NAME.fullmatch(name):
        raise ValidationException("Table name should be within the length [3, 255] and only contain 'a-z', 'A-Z', "
                                  "'0-9', '-', '_', '.'.")
    return ctx.backend.table(ctx, name)


# --- SELECT -----------------------------------------------------------------------------------------

def select(ctx: DdbContext, stmt: ast.Select, params: list[AV], *, limit: int | None = None,
           next_token: str | None = None, consistent: bool = False, fingerprint: str = "") -> dict[str, Any]:
    table = resolve_table(ctx, stmt.table)
    scope = _scope(ctx, table, stmt.index, consistent)
    where = tr.condition(stmt.where, params) if stmt.where is not None else None
    projection = [p.elements for p in stmt.projection] if stmt.projection is not None else None
    hash_value, range_cond = _key_conditions(stmt.where, scope, params)
    start = _decode_token(next_token, fingerprint) if next_token else None
    if hash_value is not None:
        start_pos = scope.start_position(start, query=True, hash_value=hash_value) if start else None
        rows = _query_rows(scope, types.encode_key_value(hash_value), range_cond, start_pos)
    else:
        after = scope.start_position(start, query=False) if start else None
        rows = (orjson.loads(data) for _hk, data in scope.scan(after))
    page, _size = pages.read_page(
        rows, limit=limit, filter_node=where, projection=projection, select=None, key_of=scope.last_key)
    out: dict[str, Any] = {"Items": page["Items"]}
    if "LastEvaluatedKey" in page:
        out["LastEvaluatedKey"] = page["LastEvaluatedKey"]
        out["NextToken"] = _encode_token(page["LastEvaluatedKey"], fingerprint)
    return out


def _scope(ctx: DdbContext, table: Table, index: str | None, consistent: bool) -> Any:
    if index is None:
        return TableScope(ctx.store, table)
    indexes = ctx.backend.indexes
    spec = indexes.spec(table, index)
    if spec is None:
        raise error("ResourceNotFoundException", "Requested resource not found")
    if consistent and spec.is_global:
        raise ValidationException("Strongly consistent read is not supported on Global Secondary Indexes")
    return indexes.scope(ctx, table, index, {})


def _key_conditions(where: ast.Expr | None, scope: Any, params: list[AV]
                    ) -> tuple[AV | None, tuple[str, tuple[AV, ...]] | None]:
    """The partition-key value (when WHERE has ``hash = value`` at the top level) and a sort-key range."""
    hash_value = None
    range_cond = None
    if getattr(getattr(scope, "spec", None), "composite", False):
        return None, None     # a multi-attribute GSI key: read the index and filter with WHERE
    for part in tr.conjuncts(where):
        found = tr.key_equality(part, (scope.hash_key,))
        if found is not None and hash_value is None:
            value = tr.value_of(found[1], params)
            if types.av_type(value) in ("S", "N", "B"):
                hash_value = value
            continue
        if scope.range_key is not None and range_cond is None:
            range_cond = _range_condition(part, scope.range_key, params)
    return hash_value, range_cond if hash_value is not None else None


def _range_condition(part: ast.Expr, name: str, params: list[AV]) -> tuple[str, tuple[AV, ...]] | None:
    def is_key(e: ast.Expr) -> bool:
        return isinstance(e, ast.PathRef) and e.elements == (name,)

    def scalar(e: ast.Expr) -> AV | None:
        if not tr.is_constant(e):
            return None
        value = tr.value_of(e, params)
        return value if types.av_type(value) in ("S", "N", "B") else None

    if isinstance(part, ast.Binary) and part.op in _RANGE_OPS:
        if is_key(part.left) and (v := scalar(part.right)) is not None:
            return part.op, (v,)
        if is_key(part.right) and (v := scalar(part.left)) is not None:
            return _FLIP[part.op], (v,)
    if isinstance(part, ast.BetweenExpr) and is_key(part.operand):
        low, high = scalar(part.low), scalar(part.high)
        if low is not None and high is not None:
            return "BETWEEN", (low, high)
    if isinstance(part, ast.Call) and part.name == "begins_with" and len(part.args) == 2 and is_key(part.args[0]):
        prefix = scalar(part.args[1])
        if prefix is not None and types.av_type(prefix) in ("S", "B"):
            return "begins_with", (prefix,)
    return None


def _query_rows(scope: Any, hk: bytes, range_cond: tuple[str, tuple[AV, ...]] | None,
                start_rk: bytes | None) -> Iterator[dict[str, Any]]:
    low = high = None
    low_inc = high_inc = True
    prefix = None
    if range_cond is not None:
        op, values = range_cond
        enc = [types.encode_key_value(v) for v in values]
        if op == "=":
            low = high = enc[0]
        elif op in ("<", "<="):
            high, high_inc = enc[0], op == "<="
        elif op in (">", ">="):
            low, low_inc = enc[0], op == ">="
        elif op == "BETWEEN":
            low, high = enc
        else:
            low, prefix = enc[0], values[0]
    if start_rk is not None and (low is None or start_rk >= low):
        low, low_inc = start_rk, False
    # Entries with the prefix are contiguous from ``low`` on: the first one without it ends the walk.
    prefix_cond = ex.KeyCondition(scope.hash_key, {}, scope.range_key, ("begins_with", (prefix,))) \
        if prefix is not None else None
    for data in scope.query(hk, low=low, low_inclusive=low_inc, high=high, high_inclusive=high_inc):
        item = orjson.loads(data)
        if prefix_cond is not None and not ex.range_matches(prefix_cond, item.get(scope.range_key)):
            return
        yield item


def _encode_token(key: dict[str, Any], fingerprint: str) -> str:
    return base64.urlsafe_b64encode(orjson.dumps({"f": fingerprint, "k": key})).decode()


def _decode_token(token: str, fingerprint: str) -> dict[str, Any]:
    try:
        state = orjson.loads(base64.urlsafe_b64decode(token.encode()))
    except (ValueError, orjson.JSONDecodeError):
        raise ValidationException("Invalid NextToken") from None
    key = state.get("k") if isinstance(state, dict) else None
    if not isinstance(key, dict):
        raise ValidationException("Invalid NextToken")
    if state.get("f") != fingerprint:
        raise ValidationException("NextToken does not match request")
    return key


def fingerprint(statement: str, params: list[AV]) -> str:
    return hashlib.sha256(statement.encode() + orjson.dumps(params, option=orjson.OPT_SORT_KEYS)).hexdigest()[:24]


def get_one(ctx: DdbContext, stmt: ast.Select, params: list[AV]) -> dict[str, Any] | None:
    """A SELECT that names one item by its full primary key (BatchExecuteStatement, ExecuteTransaction)."""
    table = resolve_table(ctx, stmt.table)
    key, cond = tr.split_key(stmt.where, table.key_names, params)
    hk, rk, _ = table.key_of_key(key)
    item = items.load(ctx.store, table, hk, rk)
    if item is None or (cond is not None and not ex.evaluate_condition(cond, item)):
        return None
    return ex.project(item, [p.elements for p in stmt.projection]) if stmt.projection is not None else item


# --- writes -----------------------------------------------------------------------------------------

@dataclass
class WritePlan:
    kind: str                     # Insert | Update | Delete | Check
    table: Table
    hk: bytes
    rk: bytes
    key: dict[str, AV]
    item: dict[str, AV] | None = None
    update: ex.UpdatePlan | None = None
    condition: ex.Node | None = None
    returning: str | None = None


def plan_write(ctx: DdbContext, stmt: ast.Statement, params: list[AV]) -> WritePlan:
    if isinstance(stmt, ast.Exists):
        target = stmt.select
        if target.index is not None:
            raise ValidationException("Operations on indices are not supported in transactions")
        table = resolve_table(ctx, target.table)
        key, cond = tr.split_key(target.where, table.key_names, params)
        hk, rk, key = table.key_of_key(key)
        return WritePlan("Check", table, hk, rk, key, condition=cond)
    assert isinstance(stmt, (ast.Insert, ast.Update, ast.Delete))
    if stmt.index is not None:
        raise ValidationException("This operation is not supported on an index")
    table = resolve_table(ctx, stmt.table)
    if isinstance(stmt, ast.Insert):
        value = tr.value_of(stmt.value, params)
        if types.av_type(value) != "M":
            raise ValidationException("Unsupported format in item expression. Please use struct format {...} to "
                                      "express item values for insert statement.")
        item = types.validate_item(value["M"])
        hk, rk, key = table.key_of_item(item)
        items.check_size(item)
        return WritePlan("Insert", table, hk, rk, key, item=item)
    key, cond = tr.split_key(stmt.where, table.key_names, params)
    hk, rk, key = table.key_of_key(key)
    if isinstance(stmt, ast.Delete):
        if stmt.returning not in (None, "ALL OLD"):
            raise ValidationException(f"Invalid returning clause: RETURNING {stmt.returning} *. Only RETURNING "
                                      "ALL OLD * is allowed in DELETE statements.")
        return WritePlan("Delete", table, hk, rk, key, condition=cond, returning=stmt.returning)
    return WritePlan("Update", table, hk, rk, key, update=tr.update_plan(stmt, params), condition=cond,
                     returning=stmt.returning)


def check_write(plan: WritePlan, old: dict[str, AV] | None) -> ServiceError | None:
    """The error this write fails with given the current item, or None."""
    if plan.kind == "Insert":
        return error("DuplicateItemException", DUPLICATE) if old is not None else None
    if plan.kind in ("Update", "Check") and old is None:
        return ConditionalCheckFailedException()
    if plan.condition is not None and not ex.evaluate_condition(plan.condition, old or {}):
        return ConditionalCheckFailedException()
    return None


def apply_write(ctx: DdbContext, txn: Any, plan: WritePlan, old: dict[str, AV] | None) -> list[dict[str, AV]]:
    """Commit the write (stream record and indexes included); the RETURNING items."""
    if plan.kind == "Check":
        return []
    dyn = ctx.backend
    touched: set[str] = set()
    if plan.kind == "Insert":
        new = plan.item
    elif plan.kind == "Delete":
        new = None
    else:
        assert plan.update is not None and old is not None
        new, touched = ex.apply_update(plan.update, dict(old))
        for name in plan.table.key_names:
            if name in touched:
                raise ValidationException("One or more parameter values were invalid: Cannot update attribute "
                                          f"{name}. This attribute is part of the key")
    items.commit(txn, dyn.streams, plan.table, plan.hk, plan.rk, plan.key, old, new, region=ctx.region,
                 indexes=dyn.indexes)
    return _returned(plan, old, new, touched)


def _returned(plan: WritePlan, old: dict[str, AV] | None, new: dict[str, AV] | None,
              touched: set[str]) -> list[dict[str, AV]]:
    if plan.returning == "ALL OLD":
        return [old] if old else []
    if plan.returning == "ALL NEW":
        return [new] if new else []
    if plan.returning == "MODIFIED OLD":
        picked = {k: v for k, v in (old or {}).items() if k in touched}
        return [picked] if picked else []
    if plan.returning == "MODIFIED NEW":
        picked = {k: v for k, v in (new or {}).items() if k in touched}
        return [picked] if picked else []
    return []


def write(ctx: DdbContext, stmt: ast.Statement, params: list[AV], *, return_on_failure: str | None = None
          ) -> list[dict[str, AV]]:
    """One write statement in its own transaction (ExecuteStatement, BatchExecuteStatement)."""
    if isinstance(stmt, ast.Exists):
        raise ValidationException("EXISTS can only be used in ExecuteTransaction write requests.")
    plan = plan_write(ctx, stmt, params)
    with ctx.store.transaction() as txn:
        old = items.load(txn, plan.table, plan.hk, plan.rk)
        failure = check_write(plan, old)
        if failure is not None:
            if isinstance(failure, ConditionalCheckFailedException):
                raise items.condition_failed(old, return_on_failure)
            raise failure
        return apply_write(ctx, txn, plan, old)
