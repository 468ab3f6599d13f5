"""UpdateExpression: parsing errors in AWS's order, and applying plans to items."""

from __future__ import annotations

import base64
import copy

import pytest

from riverbed.errors import ValidationException
from riverbed.services.dynamodb.expressions import (
    AddAction,
    Arithmetic,
    DeleteAction,
    ExpressionAttributes,
    IfNotExists,
    ListAppend,
    Path,
    RemoveAction,
    SetAction,
    UpdatePlan,
    Value,
    apply_update,
    parse_update,
    updated_attributes,
)

VALUES = {
    ":s": {"S": "a"},
    ":n": {"N": "1"},
    ":b": {"B": "YQ=="},
    ":bool": {"BOOL": False},
    ":null": {"NULL": True},
    ":ss": {"SS": ["a"]},
    ":ns": {"NS": ["1"]},
    ":bs": {"BS": ["YQ=="]},
    ":m": {"M": {}},
    ":l": {"L": []},
    ":two": {"N": "2"},
    ":lst": {"L": [{"S": "x"}]},
}


def plan(text: str, names: dict | None = None, values: dict | None = None) -> UpdatePlan:
    return parse_update(text, ExpressionAttributes(names, values))


def error(text: str, names: dict | None = None, values: dict | None = None) -> str:
    with pytest.raises(ValidationException) as info:
        plan(text, names, values)
    return info.value.message


def run(text: str, item: dict | None, values: dict | None = None, names: dict | None = None) -> dict:
    return apply_update(plan(text, names, values), item)[0]


def run_error(text: str, item: dict | None, values: dict | None = None, names: dict | None = None) -> str:
    parsed = plan(text, names, values)
    with pytest.raises(ValidationException) as info:
        apply_update(parsed, item)
    return info.value.message


# --- parsing -----------------------------------------------------------------------------------


def test_parse_builds_a_plan() -> None:
    parsed = plan(
        "SET a = :n, b = c + :n, d = if_not_exists(d, :n), e = list_append(e, :lst) "
        "REMOVE f, g[1] ADD h :n DELETE i :ss",
        values=VALUES,
    )
    assert parsed.sets == (
        SetAction(Path(("a",)), Value({"N": "1"}, ":n")),
        SetAction(Path(("b",)), Arithmetic("+", Path(("c",)), Value({"N": "1"}, ":n"))),
        SetAction(Path(("d",)), IfNotExists(Path(("d",)), Value({"N": "1"}, ":n"))),
        SetAction(Path(("e",)), ListAppend(Path(("e",)), Value({"L": [{"S": "x"}]}, ":lst"))),
    )
    assert parsed.removes == (RemoveAction(Path(("f",))), RemoveAction(Path(("g", 1))))
    assert parsed.adds == (AddAction(Path(("h",)), Value({"N": "1"}, ":n")),)
    assert parsed.deletes == (DeleteAction(Path(("i",)), Value({"SS": ["a"]}, ":ss")),)
    assert parsed.paths() == [("a",), ("b",), ("d",), ("e",), ("f",), ("g", 1), ("h",), ("i",)]
    assert parsed.top_level_names() == {"a", "b", "d", "e", "f", "g", "h", "i"}


def test_empty_update_expression() -> None:
    assert error("") == "Invalid UpdateExpression: The expression can not be empty;"


@pytest.mark.parametrize(
    "text, word", [(" set #c = :c set abOrt = true ", "abOrt"), (" remove Absolute ", "Absolute")]
)
def test_reserved_words_before_duplicate_sections(text: str, word: str) -> None:
    assert (
        error(text, {"#c": "c"}, {":c": {"S": "a"}})
        == f"Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: {word}"
    )


def test_invalid_function_names() -> None:
    assert error("set #c = if_not_exist(:c) set c = d").startswith(
        "Invalid UpdateExpression: Invalid function name; function: if_not_exist"
    )
    assert (
        error("SET a = size(b)")
        == "Invalid UpdateExpression: The function is not allowed in an update expression; function: size"
    )
    assert (
        error("SET a = attribute_exists(b)")
        == "Invalid UpdateExpression: The function is not allowed in an update expression; "
        "function: attribute_exists"
    )


@pytest.mark.parametrize(
    "text, section",
    [
        ("set a = #c set c = :d", "SET"),
        ("remove #d set a = b remove e", "REMOVE"),
        ("add #d :e set a = b add e :f", "ADD"),
        ("delete #d :e set a = b delete #e :f", "DELETE"),
    ],
)
def test_sections_used_twice(text: str, section: str) -> None:
    assert (
        error(text)
        == f'Invalid UpdateExpression: The "{section}" section can only be used once in an update expression;'
    )


def test_undefined_references() -> None:
    assert error("SET #c = if_not_exists(:c)") == (
        "Invalid UpdateExpression: An expression attribute name used in "
        "the document path is not defined; attribute name: #c"
    )
    assert error("SET #a = if_not_exists(:c)", {"#a": "a"}) == (
        "Invalid UpdateExpression: An expression attribute "
        "value used in expression is not defined; attribute value: :c"
    )


@pytest.mark.parametrize(
    "text, one, two",
    [
        ("set d[1] = a, d.b = a, c[1].a = a, #c = if_not_exists(a)", "[c, [1], a]", "[c]"),
        ("set #c[3].#d = a, #c[3] = a", "[c, [3], [3]]", "[c, [3]]"),
        ("SET a = :n, a = :n", "[a]", "[a]"),
        ("SET a = :n REMOVE a.b", "[a]", "[a, b]"),
        ("REMOVE a.b ADD a :n", "[a, b]", "[a]"),
        ("SET a[1] = :n DELETE a[1] :ss", "[a, [1]]", "[a, [1]]"),
    ],
)
def test_overlapping_paths(text: str, one: str, two: str) -> None:
    assert error(text, {"#c": "c", "#d": "[3]"}, {":n": {"N": "1"}, ":ss": {"SS": ["x"]}}) == (
        "Invalid UpdateExpression: Two document paths overlap with each other; must remove or "
        "rewrite one of these "
        f"paths; path one: {one}, path two: {two}"
    )


@pytest.mark.parametrize(
    "text, one, two",
    [
        ("set #c[3].#d = a, #c.#d[3] = if_not_exists(a)", "[c, [3], [3]]", "[c, [3], [3]]"),
        ("remove a.#c set a[1] = #d", "[a, c]", "[a, [1]]"),
    ],
)
def test_conflicting_paths(text: str, one: str, two: str) -> None:
    assert error(text, {"#b": "b", "#c": "c", "#d": "[3]"}) == (
        "Invalid UpdateExpression: Two document paths conflict with each other; must remove or "
        "rewrite one of these "
        f"paths; path one: {one}, path two: {two}"
    )


def test_distinct_paths_do_not_overlap() -> None:
    assert plan("SET a.b = :n, a.c = :n, l[0] = :n, l[1] = :n", values={":n": {"N": "1"}}) is not None


@pytest.mark.parametrize(
    "text, value, operator, type_name",
    [
        ("set b = list_append(:a, a), c = if_not_exists(a) add a.b :a", {"S": "a"}, "ADD", "STRING"),
        ("delete a.b :a", {"S": "a"}, "DELETE", "STRING"),
        ("add a.b :a", {"NULL": True}, "ADD", "NULL"),
        ("delete a.b :a", {"NULL": True}, "DELETE", "NULL"),
        ("add a.b :a", {"BOOL": False}, "ADD", "BOOLEAN"),
        ("delete a.b :a", {"BOOL": False}, "DELETE", "BOOLEAN"),
        ("add a.b :a", {"B": "YQ=="}, "ADD", "BINARY"),
        ("delete a.b :a", {"B": "YQ=="}, "DELETE", "BINARY"),
        ("add a.b :a", {"M": {"a": {"L": [{"N": "1"}]}}}, "ADD", "MAP"),
        ("delete a.b :a", {"M": {}}, "DELETE", "MAP"),
        ("add a.b :a", {"L": [{"N": "1"}]}, "ADD", "LIST"),
        ("delete a.b :a", {"L": []}, "DELETE", "LIST"),
        ("delete a.b :a", {"N": "1"}, "DELETE", "NUMBER"),
    ],
)
def test_add_and_delete_operand_types(text: str, value: dict, operator: str, type_name: str) -> None:
    assert error(text, values={":a": value, ":b": {"S": "a"}} if ":b" in text else {":a": value}) == (
        "Invalid UpdateExpression: Incorrect operand type for operator or function; "
        f"operator: {operator}, operand type: {type_name}"
    )


@pytest.mark.parametrize(
    "text", ["set a = if_not_exists(c)", "set a = list_append(c)", "set a = if_not_exists(c, d, e)"]
)
def test_function_operand_counts(text: str) -> None:
    name = text.split("=")[1].split("(")[0].strip()
    count = text.count(",") + 1
    assert error(text) == (
        "Invalid UpdateExpression: Incorrect number of operands for operator or function; "
        f"operator or function: {name}, number of operands: {count}"
    )


@pytest.mark.parametrize(
    "text", ["set a = if_not_exists(:s, c)", "set a = if_not_exists(if_not_exists(a, b), c)"]
)
def test_if_not_exists_needs_a_path(text: str) -> None:
    assert error(text, values=VALUES) == (
        "Invalid UpdateExpression: Operator or function requires a document path; "
        "operator or function: if_not_exists"
    )


@pytest.mark.parametrize(
    "text, operator, type_name",
    [
        ("set a = list_append(:s, a)", "list_append", "S"),
        ("set a = list_append(a, :n)", "list_append", "N"),
        ("set a = list_append(:b, a)", "list_append", "B"),
        ("set a = list_append(:bool, a)", "list_append", "BOOL"),
        ("set a = list_append(:null, a)", "list_append", "NULL"),
        ("set a = list_append(:ss, a)", "list_append", "SS"),
        ("set a = list_append(:ns, a)", "list_append", "NS"),
        ("set a = list_append(:bs, a)", "list_append", "BS"),
        ("set a = list_append(:m, a)", "list_append", "M"),
        ("set a = a + :s", "+", "S"),
        ("set a = :s + :b", "+", "S"),
        ("set a = :b + a", "+", "B"),
        ("set a = a + :bool", "+", "BOOL"),
        ("set a = a + :null", "+", "NULL"),
        ("set a = a + :ss", "+", "SS"),
        ("set a = a + :ns", "+", "NS"),
        ("set a = a + :bs", "+", "BS"),
        ("set a = a + :m", "+", "M"),
        ("set a = a + :l", "+", "L"),
        ("set a = a - :s", "-", "S"),
        ("set a = :s - :b", "-", "S"),
        ("set a = a - :l", "-", "L"),
        ("set a = list_append(a, :l) + :n", "+", "L"),
    ],
)
def test_set_operand_types(text: str, operator: str, type_name: str) -> None:
    assert error(text, values=VALUES) == (
        "Invalid UpdateExpression: Incorrect operand type for operator or function; "
        f"operator or function: {operator}, operand type: {type_name}"
    )


def test_parenthesized_operands_are_allowed() -> None:
    assert plan("set b.c=((c[1])+(b.a)),b.a = a") is not None
    assert plan("set a = (b + c)") is not None


# --- applying ------------------------------------------------------------------------------------


def test_set_creates_and_replaces() -> None:
    assert run("SET a = :s, b = :n", None, VALUES) == {"a": {"S": "a"}, "b": {"N": "1"}}
    assert run("SET a = :s", {"a": {"N": "5"}, "k": {"S": "x"}}, VALUES) == {"a": {"S": "a"}, "k": {"S": "x"}}


def test_set_arithmetic_and_functions() -> None:
    item = {"n": {"N": "10"}, "l": {"L": [{"N": "1"}]}}
    assert run("SET n = n + :two", item, VALUES)["n"] == {"N": "12"}
    assert run("SET n = n - :two", item, VALUES)["n"] == {"N": "8"}
    assert run("SET n = :two - n", item, VALUES)["n"] == {"N": "-8"}
    assert run("SET x = if_not_exists(x, :two)", item, VALUES)["x"] == {"N": "2"}
    assert run("SET n = if_not_exists(n, :two)", item, VALUES)["n"] == {"N": "10"}
    assert run("SET l = list_append(l, :lst)", item, VALUES)["l"] == {"L": [{"N": "1"}, {"S": "x"}]}
    assert run("SET l = list_append(:lst, l)", item, VALUES)["l"] == {"L": [{"S": "x"}, {"N": "1"}]}
    assert run("SET l = list_append(if_not_exists(q, :l), :lst)", item, VALUES)["l"] == {"L": [{"S": "x"}]}
    assert run("SET c = if_not_exists(c, :n) + :two", item, VALUES)["c"] == {"N": "3"}


def test_arithmetic_is_exact_and_range_checked() -> None:
    values = {
        ":a": {"N": "1"},
        ":b": {"N": "10000000000000000000000"},
        ":big": {"N": "9.9e125"},
        ":tiny": {"N": "0.1"},
        ":c": {"N": "1e50"},
    }
    assert run("SET x = :a + :b", None, values)["x"] == {"N": "10000000000000000000001"}
    assert run("SET x = :tiny + :tiny", None, values)["x"] == {"N": "0.2"}
    overflow = "Number overflow. Attempting to store a number with magnitude larger than supported range"
    assert run_error("SET x = :big + :big", None, values) == overflow
    assert run_error("SET x = :c + :a", None, values) == overflow  # needs 51 digits: AWS says overflow


def test_right_hand_sides_read_the_old_item() -> None:
    item = {"a": {"N": "1"}, "b": {"N": "2"}}
    assert run("SET a = b, b = a", item) == {"a": {"N": "2"}, "b": {"N": "1"}}


def test_set_errors_at_evaluation() -> None:
    item = {"s": {"S": "x"}, "l": {"L": []}, "ns": {"NS": ["1"]}}
    missing = "The provided expression refers to an attribute that does not exist in the item"
    wrong = "An operand in the update expression has an incorrect data type"
    assert run_error("SET c = b", item) == missing
    assert run_error("SET e = list_append(b, c)", item) == missing
    assert run_error("SET e = s + :n", item, VALUES) == wrong
    assert run_error("SET e = list_append(s, l)", item, VALUES) == wrong
    assert run_error("SET e = list_append(ns, if_not_exists(f, :l))", item, VALUES) == wrong


def test_nested_set_and_list_appends() -> None:
    # dynalite's "should update nested attributes", recorded against AWS.
    item = {
        "a": {"S": "x"},
        "b": {"M": {"a": {"N": "1"}, "b": {"N": "2"}, "c": {"N": "3"}}},
        "c": {"L": [{"N": "1"}, {"N": "3"}]},
    }
    before = copy.deepcopy(item)
    parsed = plan(
        "set b.c=((c[1])+(b.a)),b.a = a,c[1] = a, c[4] = b.a - b.b, c[2] = b.c add c[8] :b, c[6] :a",
        values={":a": {"N": "2"}, ":b": {"SS": ["a"]}},
    )
    new, touched = apply_update(parsed, item)
    assert item == before
    assert new == {
        "a": {"S": "x"},
        "b": {"M": {"a": {"S": "x"}, "b": {"N": "2"}, "c": {"N": "4"}}},
        "c": {"L": [{"N": "1"}, {"S": "x"}, {"N": "3"}, {"N": "-1"}, {"N": "2"}, {"SS": ["a"]}]},
    }
    assert touched == {"b", "c"}
    assert updated_attributes(item, new, parsed, "UPDATED_NEW") == {
        "b": {"M": {"a": {"S": "x"}, "c": {"N": "4"}}},
        "c": {"L": [{"S": "x"}, {"N": "3"}, {"N": "2"}]},
    }
    assert updated_attributes(item, new, parsed, "UPDATED_OLD") == {
        "b": {"M": {"a": {"N": "1"}, "c": {"N": "3"}}},
        "c": {"L": [{"N": "3"}]},
    }


@pytest.mark.parametrize(
    "text",
    [
        "set b.a = :a",
        "set b[1] = :a",
        "set y.a = :a",
        "set y[1] = :a",
        "set c[1] = :a",
        "set d.#1 = :a",
        "remove b.a",
        "remove b[1]",
        "remove y.a",
        "remove y[1]",
        "remove c[1]",
        "remove d.#1",
        "delete b.a :a",
        "delete b[1] :a",
        "delete y.a :a",
        "delete y[1] :a",
        "delete c[1] :a",
        "delete d.#1 :a",
        "add b.a :a",
        "add b[1] :a",
        "add y.a :a",
        "add y[1] :a",
        "add c[1] :a",
        "add d.#1 :a",
    ],
)
def test_invalid_document_paths(text: str) -> None:
    item = {
        "k": {"S": "key"},
        "b": {"S": "x"},
        "c": {"M": {"1": {"S": "a"}}},
        "d": {"L": [{"S": "a"}, {"S": "b"}]},
    }
    names = {"#1": "1"} if "#1" in text else None
    assert (
        run_error(text, item, {":a": {"SS": ["a"]}}, names)
        == "The document path provided in the update expression is invalid for update"
    )


def test_remove() -> None:
    item = {
        "a": {"N": "1"},
        "m": {"M": {"x": {"N": "1"}, "y": {"N": "2"}}},
        "l": {"L": [{"N": "0"}, {"N": "1"}, {"N": "2"}, {"N": "3"}]},
    }
    assert run("REMOVE a, m.x, zz, m.q", item) == {"m": {"M": {"y": {"N": "2"}}}, "l": item["l"]}
    assert run("REMOVE l[1], l[3], l[9]", item)["l"] == {"L": [{"N": "0"}, {"N": "2"}]}  # original positions


def test_set_list_index_past_the_end_appends() -> None:
    item = {"l": {"L": [{"N": "0"}]}}
    assert run("SET l[5] = :n, l[9] = :two", item, VALUES)["l"] == {"L": [{"N": "0"}, {"N": "1"}, {"N": "2"}]}
    assert run("SET l[0] = :two", item, VALUES)["l"] == {"L": [{"N": "2"}]}


def test_add() -> None:
    item = {
        "n": {"N": "5"},
        "ss": {"SS": ["a", "b"]},
        "ns": {"NS": ["1"]},
        "bs": {"BS": ["YQ=="]},
        "m": {"M": {}},
    }
    values = {
        ":n": {"N": "-2.5"},
        ":ss": {"SS": ["b", "c"]},
        ":ns": {"NS": ["1.0", "2"]},
        ":bs": {"BS": ["Yg=="]},
    }
    new = run("ADD n :n, ss :ss, ns :ns, bs :bs, fresh :n, m.x :ss", item, values)
    assert new["n"] == {"N": "2.5"}
    assert new["ss"] == {"SS": ["a", "b", "c"]}
    assert new["ns"] == {"NS": ["1", "2"]}
    assert new["bs"] == {"BS": ["YQ==", "Yg=="]}
    assert new["fresh"] == {"N": "-2.5"}
    assert new["m"] == {"M": {"x": {"SS": ["b", "c"]}}}
    wrong = "An operand in the update expression has an incorrect data type"
    assert run_error("ADD ss :n", item, values) == wrong
    assert run_error("ADD n :ss", item, values) == wrong
    assert run_error("ADD ns :ss", item, values) == wrong


def test_delete() -> None:
    item = {"ss": {"SS": ["a", "b", "c"]}, "ns": {"NS": ["1", "2"]}, "n": {"N": "1"}}
    assert run("DELETE ss :x", item, {":x": {"SS": ["a", "z"]}})["ss"] == {"SS": ["b", "c"]}
    assert "ns" not in run("DELETE ns :x", item, {":x": {"NS": ["1.0", "2"]}})
    assert run("DELETE absent :x", item, {":x": {"SS": ["a"]}}) == item
    wrong = "An operand in the update expression has an incorrect data type"
    assert run_error("DELETE ss :x", item, {":x": {"NS": ["1"]}}) == wrong
    assert run_error("DELETE n :x", item, {":x": {"NS": ["1"]}}) == wrong


def test_apply_never_mutates_its_input() -> None:
    item = {"m": {"M": {"l": {"L": [{"SS": ["a"]}]}}}, "ss": {"SS": ["x"]}}
    before = copy.deepcopy(item)
    new, _ = apply_update(plan("SET m.l[0] = :s ADD ss :ss, m.q :ss", values=VALUES), item)
    assert item == before
    new["m"]["M"]["l"]["L"].append({"S": "y"})
    assert item == before


def test_set_value_is_copied_not_shared() -> None:
    item = {"a": {"L": [{"N": "1"}]}}
    new, _ = apply_update(plan("SET b = a"), item)
    new["b"]["L"].append({"N": "2"})
    assert item == {"a": {"L": [{"N": "1"}]}} and new["a"] == {"L": [{"N": "1"}]}


def test_updated_attributes_for_top_level_updates() -> None:
    old = {"k": {"S": "1"}, "b": {"S": "a"}, "c": {"S": "a"}, "d": {"N": "4"}}
    parsed = plan("SET b = :s REMOVE d", values={":s": {"S": "b"}})
    new, touched = apply_update(parsed, old)
    assert touched == {"b", "d"}
    assert updated_attributes(old, new, parsed, "UPDATED_OLD") == {"b": {"S": "a"}, "d": {"N": "4"}}
    assert updated_attributes(old, new, parsed, "UPDATED_NEW") == {"b": {"S": "b"}}


def test_binary_sets_union_by_bytes() -> None:
    item = {"bs": {"BS": [base64.b64encode(b"\x01\x02").decode()]}}
    new = run("ADD bs :x", item, {":x": {"BS": ["AQI=", "Ag=="]}})
    assert new["bs"] == {"BS": ["AQI=", "Ag=="]}
