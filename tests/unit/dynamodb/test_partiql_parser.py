"""PartiQL tokenizer, parser and translation onto the expression AST."""

from __future__ import annotations

import pytest

from riverbed.errors import ValidationException
from riverbed.services.dynamodb import expressions as ex
from riverbed.services.dynamodb.partiql import ast
from riverbed.services.dynamodb.partiql import translate as tr
from riverbed.services.dynamodb.partiql.parser import parse
from riverbed.services.dynamodb.partiql.tokens import IDENT, NUMBER, PARAM, PUNCT, QIDENT, STRING, tokenize


def test_tokens():
    toks = tokenize("SELECT \"my \"\"t\"\" \" FROM x WHERE a <= 'it''s' AND b = ? -- c\n AND n <> 1.5e3 /* c */ <<1>>")
    kinds = [(t.kind, t.text) for t in toks[:-1]]
    assert kinds == [(IDENT, "SELECT"), (QIDENT, 'my "t" '), (IDENT, "FROM"), (IDENT, "x"), (IDENT, "WHERE"),
                     (IDENT, "a"), (PUNCT, "<="), (STRING, "it's"), (IDENT, "AND"), (IDENT, "b"), (PUNCT, "="),
                     (PARAM, "?"), (IDENT, "AND"), (IDENT, "n"), (PUNCT, "<>"), (NUMBER, "1.5e3"), (PUNCT, "<<"),
                     (NUMBER, "1"), (PUNCT, ">>")]


@pytest.mark.parametrize("text", ["SELECT * FROM t WHERE a = 'x", 'SELECT * FROM "t', "SELECT * FROM t WHERE a = #"])
def test_token_errors(text):
    with pytest.raises(ValidationException) as exc:
        tokenize(text)
    assert exc.value.message.startswith("Statement wasn't well formed, can't be processed: ")


def test_select_shapes():
    stmt, count = parse('SELECT a, b.c[2], "d e" FROM "tbl"."idx" WHERE pk = ? AND sk BETWEEN 1 AND ?')
    assert count == 2
    assert isinstance(stmt, ast.Select)
    assert (stmt.table, stmt.index) == ("tbl", "idx")
    assert [p.elements for p in stmt.projection] == [("a",), ("b", "c", 2), ("d e",)]
    parts = tr.conjuncts(stmt.where)
    assert parts[0] == ast.Binary("=", ast.PathRef(("pk",)), ast.Param(0))
    assert parts[1] == ast.BetweenExpr(ast.PathRef(("sk",)), ast.Literal("N", "1"), ast.Param(1))
    star, _ = parse("select * from t")
    assert star.projection is None and star.where is None


def test_write_shapes():
    ins, _ = parse("INSERT INTO t VALUE {'pk': 'a', 'm': {'x': [1, -2]}, 's': <<'a'>>}")
    assert isinstance(ins, ast.Insert)
    assert tr.value_of(ins.value, []) == {"M": {"pk": {"S": "a"}, "m": {"M": {"x": {"L": [{"N": "1"}, {"N": "-2"}]}}},
                                                "s": {"SS": ["a"]}}}
    upd, _ = parse("UPDATE t SET a = a + 1, b = 'x' REMOVE c SET d = list_append(d, [1]) WHERE pk = 'k' "
                   "RETURNING MODIFIED NEW *")
    assert isinstance(upd, ast.Update)
    assert [t.elements for t, _ in upd.sets] == [("a",), ("b",), ("d",)]
    assert [r.elements for r in upd.removes] == [("c",)]
    assert upd.returning == "MODIFIED NEW"
    plan = tr.update_plan(upd, [])
    assert plan.sets[0].value == ex.Arithmetic("+", ex.Path(("a",)), ex.Value({"N": "1"}))
    assert plan.removes == (ex.RemoveAction(ex.Path(("c",))),)
    dele, _ = parse('DELETE FROM "t" WHERE pk = 1 RETURNING ALL OLD *')
    assert isinstance(dele, ast.Delete) and dele.returning == "ALL OLD"
    exists, _ = parse("EXISTS(SELECT * FROM t WHERE pk = 'a' AND v > 1)")
    assert isinstance(exists, ast.Exists) and exists.select.table == "t"


@pytest.mark.parametrize("text, message", [
    ("DROP TABLE t", "Statement wasn't well formed, can't be processed: Expected data manipulation"),
    ("SELECT * FROM t x", "Aliasing is not supported"),
    ("SELECT * FROM a.b.c", "A path may contain at most 2 components in the FROM clause"),
    ("INSERT INTO t VALUES {'a': 1}", ('Unsupported operation: Inserting multiple items in a single statement is not '
                                      'supported, use "INSERT INTO tableName VALUE item" instead')),
    ("UPDATE t SET a = 1 WHERE pk = 1 RETURNING ALL NEW a", ("Expected '*' after ( MODIFIED | ALL ) ( NEW | OLD ) "
                                                            "in RETURNING clause")),
    ("SELECT * FROM t WHERE a IS WEIRD", ("Unsupported data type for IS operator: WEIRD. Supported data types are "
                                         "[MISSING, NULL, BOOLEAN, BLOB, STRING, NUMERIC, STRUCT, TUPLE, LIST]")),
    ("SELECT * FROM t WHERE a = <<>>", "Empty bags are not supported"),
])
def test_parse_errors(text, message):
    with pytest.raises(ValidationException) as exc:
        parse(text)
    assert exc.value.message == message


def _matches(where: str, item: dict, params=()) -> bool:
    stmt, _ = parse(f"SELECT * FROM t WHERE {where}")
    return ex.evaluate_condition(tr.condition(stmt.where, list(params)), item)


def test_conditions_evaluate_like_expressions():
    item = {"s": {"S": "hello"}, "n": {"N": "5"}, "l": {"L": [{"S": "x"}]}, "z": {"NULL": True},
            "m": {"M": {"k": {"N": "1"}}}}
    assert _matches("s = 'hello' AND n > 4 AND n <= 5", item)
    assert _matches("n != 4 AND NOT n = 4", item)
    assert _matches("n IN [1, 5] AND n NOT IN (2, 3)", item)
    assert _matches("n BETWEEN 1 AND 9 AND n NOT BETWEEN 6 AND 9", item)
    assert _matches("begins_with(s, 'he') AND contains(l, 'x') AND attribute_type(s, 'S')", item)
    assert _matches("missing_attr IS MISSING AND s IS NOT MISSING AND z IS NULL AND s IS NOT NULL", item)
    assert _matches("s IS STRING AND n IS NUMERIC AND m IS STRUCT AND l IS LIST", item)
    assert _matches("m.k = ? OR s = 'nope'", item, [{"N": "1"}])
    assert not _matches("(s = 'nope' OR n = 1) AND n = 5", item)
    assert _matches("size(s) = 5", item)


def test_split_key():
    stmt, _ = parse("UPDATE t SET a = 1 WHERE pk = 'k' AND 3 = sk AND a > 1")
    key, cond = tr.split_key(stmt.where, ("pk", "sk"), [])
    assert key == {"pk": {"S": "k"}, "sk": {"N": "3"}}
    assert cond == ex.Comparison(">", ex.Path(("a",)), ex.Value({"N": "1"}))
    stmt, _ = parse("DELETE FROM t WHERE pk = 'k' AND pk = 'j'")
    with pytest.raises(ValidationException) as exc:
        tr.split_key(stmt.where, ("pk",), [])
    assert exc.value.message.startswith("Multiple conditions on same key pk.")
    stmt, _ = parse("DELETE FROM t WHERE pk = 'k' OR pk = 'j'")
    with pytest.raises(ValidationException) as exc:
        tr.split_key(stmt.where, ("pk",), [])
    assert exc.value.message == "Where clause does not contain a mandatory equality on all key attributes"
