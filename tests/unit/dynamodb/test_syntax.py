"""Tokenizer and grammar: tokens, syntax-error texts, redundant parentheses, precedence."""

from __future__ import annotations

import pytest

from riverbed.errors import ValidationException
from riverbed.services.dynamodb.expressions import (
    And,
    Comparison,
    ExpressionAttributes,
    Not,
    Or,
    Path,
    parse_condition,
    parse_projection,
    parse_update,
)
from riverbed.services.dynamodb.expressions.tokens import RESERVED_WORDS, is_reserved, tokenize


def kinds(text: str) -> list[tuple[str, str]]:
    return [(token.kind, token.text) for token in tokenize(text)]


def test_tokenize() -> None:
    assert kinds("#a.b[12] <= :v") == [
        ("NAME", "#a"),
        ("PUNCT", "."),
        ("IDENT", "b"),
        ("PUNCT", "["),
        ("NUMBER", "12"),
        ("PUNCT", "]"),
        ("PUNCT", "<="),
        ("VALUE", ":v"),
        ("EOF", ""),
    ]
    assert kinds("a<>b>=c") == [
        ("IDENT", "a"),
        ("PUNCT", "<>"),
        ("IDENT", "b"),
        ("PUNCT", ">="),
        ("IDENT", "c"),
        ("EOF", ""),
    ]
    assert kinds("# : ! ü") == [
        ("UNKNOWN", "#"),
        ("UNKNOWN", ":"),
        ("UNKNOWN", "!"),
        ("UNKNOWN", "ü"),
        ("EOF", ""),
    ]
    assert kinds("\t a_1\n") == [("IDENT", "a_1"), ("EOF", "")]


def test_reserved_words() -> None:
    assert len(RESERVED_WORDS) == 573
    assert is_reserved("status") and is_reserved("Status") and is_reserved("aBoRt")
    assert not is_reserved("statuses")


def cond(text: str, names: dict | None = None, values: dict | None = None, kind: str = "ConditionExpression"):
    return parse_condition(text, ExpressionAttributes(names, values), kind)


def error_of(call, *args, **kwargs) -> str:
    with pytest.raises(ValidationException) as info:
        call(*args, **kwargs)
    return info.value.message


# Syntax-error texts: AWS names the token and quotes the source from the previous to the next token.
@pytest.mark.parametrize(
    "text, grammar, message",
    [
        (
            "INVALID SYNTAX HERE",
            "update",
            'Invalid UpdateExpression: Syntax error; token: "INVALID", near: "INVALID SYNTAX"',
        ),
        (
            "ADD hits : incr",
            "update",
            'Invalid UpdateExpression: Syntax error; token: ":", near: "hits : incr"',
        ),
        ("a-b", "condition", 'Invalid ConditionExpression: Syntax error; token: "-", near: "a-b"'),
        ("!!", "projection", 'Invalid ProjectionExpression: Syntax error; token: "!", near: "!!"'),
        ("set a", "update", 'Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "a"'),
        ("a < ", "condition", 'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "<"'),
        ("SET #as, #x = :v", "update", 'Invalid UpdateExpression: Syntax error; token: ",", near: "#as, #x"'),
        (
            "SET a = :v, #, b = :w",
            "update",
            'Invalid UpdateExpression: Syntax error; token: "#", near: ", #,"',
        ),
        ("set a = b + c + d", "update", 'Invalid UpdateExpression: Syntax error; token: "+", near: "c + d"'),
        ("   ", "condition", 'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: ""'),
    ],
)
def test_syntax_error_messages(text: str, grammar: str, message: str) -> None:
    if grammar == "update":
        assert (
            error_of(parse_update, text, ExpressionAttributes(None, {":v": {"S": "x"}, ":w": {"S": "y"}}))
            == message
        )
    elif grammar == "projection":
        assert error_of(parse_projection, text, ExpressionAttributes()) == message
    else:
        assert error_of(cond, text) == message


# Expressions AWS rejects with a syntax error (dynalite's tests, recorded against AWS).
@pytest.mark.parametrize(
    "text",
    [
        "things are not gonna be ok",
        "a > 4",
        "attribute_exists(Pictures-RearView)",
        'attribute_exists("Pictures.RearView")',
        "attribute_exists(Pictures..RearView)",
        "attribute_exists(Pi#ctures.RearView)",
        "attribute_exists(asdf[a])",
        "a in b, c",
        "a > between",
        "a in b",
        "a in (b,c,)",
        "(a)between(b.(c.d))and(c)",
        "(a)between(b.c.d)and((c)",
        "#$.b > a",
        "a > :things.stuff",
        "b[:a] > a",
        "b[#_] > a",
        "ü > a",
        "(a)between(b.c[4.5].#d)and(:a)",
        "size(a).b > a",
        "(size(a)).b > a",
        "size(a)[0] > a",
        "(size(a))[0] > a",
        "a IN ()",
        "a = b = c",
        "a",
        "(a)",
        "a = ",
        "NOT",
        "a AND b",
        "f()",
        "a[-1] = b",
        "a.:b = c",
    ],
)
def test_condition_syntax_errors(text: str) -> None:
    assert error_of(cond, text).startswith("Invalid ConditionExpression: Syntax error; ")


@pytest.mark.parametrize(
    "text",
    [
        "whatever",
        "set a",
        "add a",
        "delete a",
        "set a=set",
        "remove a = b",
        "add a = b",
        "delete a = b",
        "delete a b",
        "delete a if_not_exist(b)",
        "add abort b",
        "add a if_not_exist(b)",
        "remove a b",
        "set a b",
        "set :a = b",
        "add :a b",
        "delete :a b",
        "remove :a",
        "set a = b / c",
        "set a = b * c",
        'set a[1] = "eight"',
        "set a[1] = 1",
        "SET if_not_exist(a, b) = a",
        "set (a = (b + c))",
        "set a = (b.c).d + e",
        "set a = (b.c)[0] + e",
        "set a = b + c + d",
        "SET a = :v,",
        "",
        "SET a = :v REMOVE",
    ],
)
def test_update_syntax_errors(text: str) -> None:
    if text == "":
        return  # empty text has its own message (test_empty_expressions)
    message = error_of(parse_update, text, ExpressionAttributes(None, {":v": {"S": "x"}}))
    assert message.startswith("Invalid UpdateExpression: Syntax error; ")


@pytest.mark.parametrize("text", ["a,", ",a", "a b", "a.", "a[", "a[x]", "size(a)", ":v", "a = b"])
def test_projection_syntax_errors(text: str) -> None:
    assert error_of(parse_projection, text).startswith("Invalid ProjectionExpression: Syntax error; ")


@pytest.mark.parametrize(
    "text",
    [
        "a=a and a > ((views))",
        "(a)between(((b.c)).d)and(c)",
        "a > whatever((:things), ((a)))",
        "a=a AND ((a=a AND a=a)) AND a=a",
        "a=a OR ((a=a OR a=a)) OR a=a",
        "a=a AND ((a=a AND (a=a AND a=a)))",
        "a=a OR ((a=a OR (a=a OR a=a)))",
        "((attribute_not_exists(pk)))",
    ],
)
def test_redundant_parentheses(text: str) -> None:
    assert (
        error_of(cond, text, {"#a": "a"}, {":things": {"S": "x"}}, "FilterExpression")
        == "Invalid FilterExpression: The expression has redundant parentheses;"
    )


def test_redundant_parentheses_in_updates() -> None:
    message = error_of(parse_update, "SET a = ((b))", ExpressionAttributes())
    assert message == "Invalid UpdateExpression: The expression has redundant parentheses;"


def test_single_parentheses_are_fine() -> None:
    assert cond("(a = b)") == Comparison("=", Path(("a",)), Path(("b",)))
    assert cond("(a) = (b)") == Comparison("=", Path(("a",)), Path(("b",)))
    assert isinstance(cond("((a=b) OR (c=d))"), Or)


def test_precedence_and_binds_tighter_than_or() -> None:
    a, b, c = (Comparison("=", Path((x,)), Path((x + "2",))) for x in "abc")
    assert cond("a = a2 OR b = b2 AND c = c2") == Or(a, And(b, c))
    assert cond("a = a2 AND b = b2 OR c = c2") == Or(And(a, b), c)
    assert cond("NOT a = a2 AND b = b2") == And(Not(a), b)
    assert cond("NOT (a = a2 AND b = b2)") == Not(And(a, b))
    assert cond("(a = a2 OR b = b2) AND c = c2") == And(Or(a, b), c)
    assert cond("NOT NOT a = a2") == Not(Not(a))


def test_keywords_are_case_insensitive() -> None:
    assert isinstance(cond("a = b aNd c = d"), And)
    assert isinstance(cond("a = b oR c = d"), Or)
    assert isinstance(cond("nOt a = b"), Not)
    parse_update(
        "set a = :v remove b aDd c :n dElEtE d :s",
        ExpressionAttributes(None, {":v": {"S": "x"}, ":n": {"N": "1"}, ":s": {"SS": ["a"]}}),
    )


def test_whitespace_is_free() -> None:
    assert cond("a=b") == cond(" a \n=\tb ")
    assert cond("attribute_exists (a)") == cond("attribute_exists(a)")
