"""Condition and filter expressions: validation in AWS's order, and evaluation semantics."""

from __future__ import annotations

import base64

import pytest

from riverbed.errors import ValidationException
from riverbed.services.dynamodb.expressions import (
    AttributeExists,
    ExpressionAttributes,
    Path,
    evaluate_condition,
    parse_condition,
)


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def cond(text: str, names: dict | None = None, values: dict | None = None, kind: str = "FilterExpression"):
    return parse_condition(text, ExpressionAttributes(names, values), kind)


def error(
    text: str, names: dict | None = None, values: dict | None = None, kind: str = "FilterExpression"
) -> str:
    with pytest.raises(ValidationException) as info:
        cond(text, names, values, kind)
    return info.value.message


# --- length ---------------------------------------------------------------------------------


def test_empty_expressions() -> None:
    for kind in ("ConditionExpression", "FilterExpression", "KeyConditionExpression"):
        assert error("", kind=kind) == f"Invalid {kind}: The expression can not be empty;"


def test_expression_size_limit() -> None:
    text = "a = b AND " * 420 + "c = d"
    size = len(text.encode())
    assert error(text) == (
        "Invalid FilterExpression: Expression size has exceeded the maximum allowed size; "
        f"expression size: {size}"
    )
    name = "a" * 4092
    assert cond(f"{name} = b") is not None  # exactly 4096 bytes is accepted


def test_expression_size_counts_utf8_bytes() -> None:
    text = "#a = :v OR a = :é" + " " * 4080  # 4097 characters is too long; but bytes are what count
    assert len(text.encode()) > 4096
    assert "expression size: " + str(len(text.encode())) in error(text)


# --- whole-expression checks -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text, function",
    [
        ("a=a and whatever((:things)) > a", "whatever"),
        ("attRIbute_exIsts((views), #a)", "attRIbute_exIsts"),
        ("dog(a) = :things", "dog"),
        ("SIZE(a) > :things", "SIZE"),
    ],
)
def test_invalid_function_names(text: str, function: str) -> None:
    assert (
        error(text, {"#a": "a"}, {":things": {"S": "x"}})
        == f"Invalid FilterExpression: Invalid function name; function: {function}"
    )


@pytest.mark.parametrize(
    "text, function",
    [
        ("a=a and attribute_exists((views), (#a)) > b", "attribute_exists"),
        ("attribute_not_exists(things) > b", "attribute_not_exists"),
        ("attribute_type(things, :a) > b", "attribute_type"),
        ("begins_with(things, a) > b", "begins_with"),
        ("contains(:a, c) > b", "contains"),
        ("size(contains(a, b)) > a", "contains"),
        ("size(things)", "size"),
        ("a between b and attribute_exists(things)", "attribute_exists"),
        ("a in (b, attribute_exists(things))", "attribute_exists"),
        ("if_not_exists(a, a) = :a", "if_not_exists"),
        ("list_append(a, a) = :a", "list_append"),
    ],
)
def test_functions_used_the_wrong_way(text: str, function: str) -> None:
    assert (
        error(text, {"#a": "a"}, {":a": {"S": "x"}})
        == "Invalid FilterExpression: The function is not allowed to be used this way in an "
        f"expression; function: {function}"
    )


@pytest.mark.parametrize(
    "text, word",
    [
        ("attribute_exists(views, #a)", "views"),
        (":a < abOrT", "abOrT"),
        ("status = :a", "status"),
        ("a.status = :a", "status"),
        ("#a = :a AND #a.Name = :a", "Name"),
    ],
)
def test_reserved_keywords(text: str, word: str) -> None:
    assert (
        error(text, {"#a": "a"}, {":a": {"S": "x"}})
        == f"Invalid FilterExpression: Attribute name is a reserved keyword; reserved keyword: {word}"
    )


def test_reserved_words_are_fine_through_names() -> None:
    node = cond("#s = :a", {"#s": "status"}, {":a": {"S": "x"}})
    assert evaluate_condition(node, {"status": {"S": "x"}})


# --- references -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, ref",
    [
        ("attribute_exists(#Pictures.RearView, :a) and a=a", "#Pictures"),
        ("begins_with(Pictures.#RearView)", "#RearView"),
        ("(#P between :lo and :hi) and (#PC in (:cat1, :cat2))", "#P"),
        ("#4g > a", "#4g"),
        ("#_ > a", "#_"),
        ("(a)between(b.c[45].#d)and(:a)", "#d"),
    ],
)
def test_undefined_names(text: str, ref: str) -> None:
    assert error(text) == (
        "Invalid FilterExpression: An expression attribute name used in the document path is "
        f"not defined; attribute name: {ref}"
    )


@pytest.mark.parametrize(
    "text, ref",
    [
        ("begins_with(:hello, #a, #b)", ":hello"),
        (":a < :b", ":a"),
        (":_ > a", ":_"),
    ],
)
def test_undefined_values(text: str, ref: str) -> None:
    assert error(text) == (
        "Invalid FilterExpression: An expression attribute value used in expression is not "
        f"defined; attribute value: {ref}"
    )


def test_path_depth_limit() -> None:
    assert cond("a" + ".b" * 31 + " = :v", values={":v": {"N": "1"}}) is not None
    assert (
        error("a" + ".b" * 32 + " = :v", values={":v": {"N": "1"}})
        == "Invalid FilterExpression: The document path has too many nesting levels; nesting levels: 33"
    )


# --- per-node checks ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, function, count",
    [
        ("attribute_exists(things, a) and a=a", "attribute_exists", 2),
        ("attribute_not_exists(things, b)", "attribute_not_exists", 2),
        ("attribute_type(things)", "attribute_type", 1),
        ("begins_with(things)", "begins_with", 1),
        ("begins_with(things, size(a), b)", "begins_with", 3),
        ("contains(things)", "contains", 1),
        ("size(things, a) > b", "size", 2),
    ],
)
def test_operand_counts(text: str, function: str, count: int) -> None:
    assert error(text) == (
        "Invalid FilterExpression: Incorrect number of operands for operator or function; "
        f"operator or function: {function}, number of operands: {count}"
    )


@pytest.mark.parametrize(
    "text, function, value, operand_type",
    [
        ("attribute_type(a, size(a)) and a=a and a=:a", "attribute_type", {"N": "1"}, "N"),
        ("attribute_type(a, :a)", "attribute_type", {"N": "1"}, "N"),
        ("attribute_type(a, :a)", "attribute_type", {"B": "YQ=="}, "B"),
        ("attribute_type(a, :a)", "attribute_type", {"BOOL": True}, "BOOL"),
        ("attribute_type(a, :a)", "attribute_type", {"NULL": True}, "NULL"),
        ("attribute_type(a, :a)", "attribute_type", {"L": []}, "L"),
        ("attribute_type(a, :a)", "attribute_type", {"M": {}}, "M"),
        ("attribute_type(a, :a)", "attribute_type", {"SS": ["1"]}, "SS"),
        ("begins_with(a, size(a)) and a=:a", "begins_with", {"N": "1"}, "N"),
        ("begins_with(a, :a)", "begins_with", {"N": "1"}, "N"),
        ("begins_with(a, :a)", "begins_with", {"BOOL": True}, "BOOL"),
        ("begins_with(a, :a)", "begins_with", {"L": []}, "L"),
        ("begins_with(a, :a)", "begins_with", {"BS": ["YQ=="]}, "BS"),
        ("begins_with(:a, a)", "begins_with", {"NS": ["1"]}, "NS"),
        ("size(size(a)) > :a", "size", {"N": "1"}, "N"),
        ("attribute_not_exists(size(:a))", "size", {"N": "1"}, "N"),
        ("size(:a) > a", "size", {"BOOL": True}, "BOOL"),
        ("size(:a) > a", "size", {"NULL": True}, "NULL"),
        ("a < :a", "<", {"L": []}, "L"),
        (":a >= a", ">=", {"BOOL": True}, "BOOL"),
        ("a BETWEEN :a AND b", "BETWEEN", {"M": {}}, "M"),
    ],
)
def test_operand_types(text: str, function: str, value: dict, operand_type: str) -> None:
    assert error(text, values={":a": value}) == (
        "Invalid FilterExpression: Incorrect operand type for operator or "
        f"function; operator or function: {function}, operand type: {operand_type}"
    )


def test_attribute_type_needs_a_value_and_a_known_type() -> None:
    assert error("attribute_type(a, b)") == (
        "Invalid FilterExpression: Incorrect operand type for operator or "
        "function; operator or function: attribute_type, operand type: PATH"
    )
    assert error("attribute_type(a, :a)", values={":a": {"S": "DOG"}}) == (
        "Invalid FilterExpression: Invalid attribute type name found; type: DOG, valid types: "
        "{B,NULL,SS,BOOL,L,BS,N,NS,S,M}"
    )


@pytest.mark.parametrize(
    "text, function",
    [
        ("attribute_exists(:a) and a=a", "attribute_exists"),
        ("attribute_not_exists(size(:a))", "attribute_not_exists"),
    ],
)
def test_functions_requiring_a_path(text: str, function: str) -> None:
    assert (
        error(text, values={":a": {"S": "1"}})
        == "Invalid FilterExpression: Operator or function requires a document path; operator or "
        f"function: {function}"
    )


@pytest.mark.parametrize(
    "text, operator, first",
    [
        ("a = a AND #a = b AND :views > a", "=", "[a]"),
        ("#a <> a", "<>", "[a]"),
        ("a > #a", ">", "[a]"),
        ("((a=a) OR (a=a))", "=", "[a]"),
        ("contains(ab.bc[1].a, ab.bc[1].#a)", "contains", "[ab, bc, [1], a]"),
        ("attribute_type(ab.bc[1].#a, ab.bc[1].a)", "attribute_type", "[ab, bc, [1], a]"),
        ("begins_with(ab.bc[1].a, ab.bc[1].#a)", "begins_with", "[ab, bc, [1], a]"),
        ("a IN (b, a)", "IN", "[a]"),
    ],
)
def test_operands_must_be_distinct(text: str, operator: str, first: str) -> None:
    assert error(text, {"#a": "a"}, {":views": {"S": "x"}}) == (
        "Invalid FilterExpression: The first operand must be distinct from the remaining operands for this "
        f"operator or function; operator: {operator}, first operand: {first}"
    )


def test_same_values_are_not_a_distinctness_error() -> None:
    assert cond(":a > :a", values={":a": {"N": "1"}}) is not None


def test_between_bounds() -> None:
    assert error(
        "a between :b and :a", values={":a": {"S": "a"}, ":b": {"N": "1"}}, kind="ConditionExpression"
    ) == (
        "Invalid ConditionExpression: The BETWEEN operator requires same data type for lower and "
        "upper bounds; "
        "lower bound operand: AttributeValue: {N:1}, upper bound operand: AttributeValue: {S:a}"
    )
    assert error(
        "a between :b and :a", values={":a": {"S": "a"}, ":b": {"S": "b"}}, kind="ConditionExpression"
    ) == (
        "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than "
        "or equal to "
        "lower bound; lower bound operand: AttributeValue: {S:b}, upper bound operand: AttributeValue: {S:a}"
    )
    assert cond("a between :a and :a", values={":a": {"N": "1"}}) is not None
    assert cond("a between b and :a", values={":a": {"N": "1"}}) is not None  # only literals are checked


def test_in_operand_limit() -> None:
    values = {f":v{i}": {"N": str(i)} for i in range(101)}
    hundred = ", ".join(list(values)[:100])
    assert cond(f"a IN ({hundred})", values={k: values[k] for k in list(values)[:100]}) is not None
    everything = ", ".join(values)
    assert (
        error(f"a IN ({everything})", values=values)
        == "Invalid FilterExpression: The IN operator is provided with too many operands; number of "
        "operands: 101"
    )


def test_error_kind_is_named() -> None:
    assert error("a = :x", kind="ConditionExpression").startswith("Invalid ConditionExpression: ")
    assert error("a = :x", kind="KeyConditionExpression").startswith("Invalid KeyConditionExpression: ")


def test_value_references_are_recorded() -> None:
    attrs = ExpressionAttributes({"#a": "a", "#b": "b"}, {":v": {"S": "x"}})
    parse_condition("#a = :v", attrs)
    assert attrs.used_names == {"#a"} and attrs.used_values == {":v"}


# --- evaluation -------------------------------------------------------------------------------

ITEM = {
    "n": {"N": "5"},
    "s": {"S": "hello"},
    "b": {"B": b64(b"hi there")},
    "t": {"BOOL": True},
    "z": {"NULL": True},
    "ss": {"SS": ["dog", "cat"]},
    "ns": {"NS": ["2", "4", "7"]},
    "bs": {"BS": [b64(b"x"), b64(b"y")]},
    "l": {"L": [{"N": "2"}, {"S": "dog"}, {"L": [{"N": "3"}]}, {"SS": ["p"]}]},
    "m": {
        "M": {"x": {"N": "1"}, "y": {"M": {"m": {"N": "3"}, "n": {"N": "4"}}}, "lst": {"L": [{"N": "-1"}]}}
    },
    "five": {"N": "5.0"},
    "hello": {"S": "hello"},
}
VALUES = {
    ":5": {"N": "5"},
    ":4": {"N": "4"},
    ":6": {"N": "6"},
    ":hell": {"S": "hell"},
    ":hello": {"S": "hello"},
    ":dog": {"S": "dog"},
    ":ell": {"S": "ell"},
    ":x": {"S": "x"},
    ":S": {"S": "S"},
    ":N": {"S": "N"},
    ":hi": {"B": b64(b"hi")},
    ":here": {"B": b64(b"here")},
    ":bx": {"B": b64(b"x")},
    ":2": {"N": "2"},
    ":l3": {"L": [{"N": "3"}]},
    ":ssp": {"SS": ["p"]},
    ":true": {"BOOL": True},
    ":null": {"NULL": True},
    ":SS": {"S": "SS"},
    ":M": {"S": "M"},
    ":L": {"S": "L"},
    ":BOOL": {"S": "BOOL"},
    ":NULL": {"S": "NULL"},
    ":B": {"S": "B"},
    ":NS": {"S": "NS"},
    ":BS": {"S": "BS"},
    ":8": {"N": "8"},
    ":3": {"N": "3"},
    ":catdog": {"SS": ["cat", "dog"]},
    ":map": {
        "M": {"x": {"N": "1.0"}, "y": {"M": {"n": {"N": "4"}, "m": {"N": "3"}}}, "lst": {"L": [{"N": "-1"}]}}
    },
    ":eight": {"N": "8"},
    ":ten": {"N": "10"},
    ":a": {"S": "a"},
    ":z": {"S": "z"},
}


def holds(text: str, item: dict | None = None) -> bool:
    return evaluate_condition(cond(text, {"#m": "m", "#and": "and"}, VALUES), ITEM if item is None else item)


@pytest.mark.parametrize(
    "text, expected",
    [
        # equality and inequality, numbers by value, different types never equal
        ("n = :5", True),
        ("five = :5", True),
        ("n = five", True),
        ("s = :hello", True),
        ("s = hello", True),
        ("n = :4", False),
        ("n = :hello", False),
        ("ss = :catdog", True),
        ("m = :map", True),
        ("n <> :4", True),
        ("n <> :5", False),
        ("n <> :hello", True),
        ("absent = :5", False),
        ("absent <> :5", True),
        ("absent <> gone", True),
        ("absent = gone", False),
        # ordering: S, N, B only; mixed or absent is false
        ("n < :6", True),
        ("n <= :5", True),
        ("n > :4", True),
        ("n >= :6", False),
        ("s < :x", True),
        ("b > :bx", False),
        ("b < :bx", True),
        ("n < :hello", False),
        ("absent < :5", False),
        (":5 < absent", False),
        ("l < :5", False),
        ("absent < gone", False),
        ("t > :5", False),
        # BETWEEN
        ("n BETWEEN :4 AND :6", True),
        ("n BETWEEN :5 AND :5", True),
        ("n BETWEEN :6 AND :8", False),
        ("s BETWEEN :a AND :z", True),
        ("n BETWEEN :a AND :z", False),
        ("absent BETWEEN :4 AND :6", False),
        ("n BETWEEN :6 AND five", False),
        ("n BETWEEN :4 AND five", True),
        ("n BETWEEN l AND :6", False),
        # IN
        ("n IN (:4, :5)", True),
        ("n IN (:4, :6)", False),
        ("n IN (:hello, five)", True),
        ("absent IN (:5)", False),
        ("l[2] IN (:l3)", True),
        ("l[3] IN (:ssp, :4)", True),
        # functions
        ("attribute_exists(n)", True),
        ("attribute_exists(absent)", False),
        ("attribute_exists(m.y.n)", True),
        ("attribute_exists(m.y.q)", False),
        ("attribute_exists(l[3])", True),
        ("attribute_exists(l[4])", False),
        ("attribute_exists(n.x)", False),
        ("attribute_exists(m[0])", False),
        ("attribute_exists(l.x)", False),
        ("attribute_not_exists(absent)", True),
        ("attribute_not_exists(n)", False),
        ("attribute_type(s, :S)", True),
        ("attribute_type(n, :N)", True),
        ("attribute_type(ss, :SS)", True),
        ("attribute_type(m, :M)", True),
        ("attribute_type(l, :L)", True),
        ("attribute_type(t, :BOOL)", True),
        ("attribute_type(z, :NULL)", True),
        ("attribute_type(b, :B)", True),
        ("attribute_type(ns, :NS)", True),
        ("attribute_type(bs, :BS)", True),
        ("attribute_type(n, :S)", False),
        ("attribute_type(absent, :S)", False),
        ("attribute_type(:5, :N)", True),
        ("begins_with(s, :hell)", True),
        ("begins_with(s, :dog)", False),
        ("begins_with(b, :hi)", True),
        ("begins_with(b, :hell)", False),
        ("begins_with(n, :hell)", False),
        ("begins_with(absent, :hell)", False),
        ("begins_with(:hello, s)", True),
        ("begins_with(s, hello)", True),
        ("contains(s, :ell)", True),
        ("contains(s, :dog)", False),
        ("contains(b, :here)", True),
        ("contains(ss, :dog)", True),
        ("contains(ss, :hello)", False),
        ("contains(ns, :4)", True),
        ("contains(ns, :5)", False),
        ("contains(bs, :bx)", True),
        ("contains(l, :2)", True),
        ("contains(l, :dog)", True),
        ("contains(l, :l3)", True),
        ("contains(l, :ssp)", True),
        ("contains(l, :5)", False),
        ("contains(n, :5)", False),
        ("contains(absent, :5)", False),
        ("contains(m, :x)", False),
        ("contains(ns, :dog)", False),
        ("contains(s, n)", False),
        ("size(s) = :5", True),
        ("size(ss) = :2", True),
        ("size(ns) = :3", True),
        ("size(l) = :4", True),
        ("size(m) = :3", True),
        ("size(b) = :8", True),
        ("size(bs) = :2", True),
        ("size(n) = :5", False),
        ("size(t) > :2", False),
        ("size(absent) = :5", False),
        ("size(s) = n", True),
        ("size(s) <> :4", True),
        ("size(s) = :hello", False),
        ("size(:hello) = :5", True),
        ("size(m.y) = :2", True),
        # nested paths and name references
        ("#m.x = :5", False),
        ("m.x < m.y.n", True),
        ("m.lst[0] < m.x", True),
        ("m.y.z < m.lst[100]", False),
        # logic
        ("n = :5 AND s = :hello", True),
        ("n = :4 OR s = :hello", True),
        ("NOT n = :4", True),
        ("NOT (n = :5 OR s = :x)", False),
        ("n = :4 OR s = :x AND n = :5", False),
        ("NOT n = :5 AND s = :x", False),
        ("(n = :4 OR s = :hello) AND n = :5", True),
    ],
)
def test_evaluation(text: str, expected: bool) -> None:
    assert holds(text) is expected


def test_missing_item_behaves_like_an_empty_item() -> None:
    assert evaluate_condition(cond("attribute_not_exists(pk)"), None)
    assert not evaluate_condition(cond("attribute_exists(pk)"), None)
    assert evaluate_condition(cond("a <> :v", values={":v": {"N": "1"}}), None)


def test_reserved_word_attribute_via_name() -> None:
    node = cond("attribute_exists(#and)", {"#and": "and"})
    assert node == AttributeExists(Path(("and",)))
    assert evaluate_condition(node, {"and": {"N": "1"}})


def test_numbers_compare_by_value_not_text() -> None:
    item = {"a": {"N": "10"}, "b": {"N": "9"}}
    assert evaluate_condition(cond("a > b"), item)
    assert evaluate_condition(cond("a = :v", values={":v": {"N": "1e1"}}), item)


def test_strings_compare_by_code_point() -> None:
    item = {"a": {"S": "Z"}, "b": {"S": "a"}, "c": {"S": "é"}}
    assert evaluate_condition(cond("a < b AND b < c"), item)


def test_binary_compares_unsigned() -> None:
    item = {"a": {"B": b64(b"\x7f")}, "b": {"B": b64(b"\x80")}}
    assert evaluate_condition(cond("a < b"), item)


def test_document_paths_and_referenced_attributes() -> None:
    from riverbed.services.dynamodb.expressions import document_paths, referenced_attributes

    node = cond(
        "a.b = :x AND (size(c[1]) > :x OR d IN (:x, e)) AND NOT attribute_exists(#s)",
        {"#s": "status"},
        {":x": {"N": "1"}},
    )
    assert document_paths(node) == [("a", "b"), ("c", 1), ("d",), ("e",), ("status",)]
    assert referenced_attributes(node) == {"a", "c", "d", "e", "status"}
