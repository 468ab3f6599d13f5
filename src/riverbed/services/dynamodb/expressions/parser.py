"""Recursive-descent parser: expression text -> syntax tree (:class:`Syn` nodes).

Owns: DynamoDB's expression grammars and their syntax errors, following
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.html ::

    condition   := disjunct (OR disjunct)*          precedence: comparisons/IN/BETWEEN/functions
    disjunct    := conjunct (AND conjunct)*                       > NOT > AND > OR
    conjunct    := NOT conjunct | primary
    primary     := '(' condition ')' | operand comparator operand
                 | operand BETWEEN operand AND operand | operand IN '(' operand (',' operand)* ')'
                 | function '(' operand (',' operand)* ')'
    operand     := '(' operand ')' | path | :value | function '(' operand (',' operand)* ')'
    path        := (name | #name) ('.' (name | #name) | '[' digits ']')*
    update      := (SET set (',' set)* | REMOVE path (',' path)* | ADD path :value (, ...)*
                   | DELETE path :value (, ...)*)+
    set         := path '=' value;  value := operand (('+' | '-') operand)?
                   (in updates an operand may also be '(' value ')')
    projection  := path (',' path)*

Keywords are case-insensitive; AND/OR/NOT/BETWEEN/IN are keywords only in conditions and
SET/REMOVE/ADD/DELETE only in updates.  ``((x))`` -- a parenthesized group directly inside
another -- is AWS's "redundant parentheses" error, raised as soon as it is recognised.

Must not: resolve #names or :values, judge function names, reserved words or types (analysis.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, NoReturn

from riverbed.errors import ValidationException
from riverbed.services.dynamodb.expressions.tokens import (
    EOF,
    IDENT,
    NAME,
    NUMBER,
    PUNCT,
    VALUE,
    Token,
    syntax_error,
    tokenize,
)

CONDITION_KEYWORDS = frozenset({"AND", "OR", "NOT", "BETWEEN", "IN"})
CLAUSE_KEYWORDS = ("SET", "REMOVE", "ADD", "DELETE")
COMPARATORS = frozenset({"=", "<>", "<", "<=", ">", ">="})


@dataclass(slots=True, eq=False)
class Syn:
    """A syntax-tree node.

    ``kind`` is one of: path (args: elements ``("ident", text)``, ``("name", "#n")`` or
    ``("index", int)``), value (text ":v"), call (text: function name; role "condition" when
    used as a boolean, else "operand"), paren, compare (text: operator), between, in (args:
    operand then candidates), and, or, not, arith (text: + or -), clause (text: SET...),
    set, remove, add, delete.  ``resolved`` is filled in by analysis (path tuple or AV).
    """

    kind: str
    text: str = ""
    args: list[Any] = field(default_factory=list)
    role: str = "operand"
    resolved: Any = None


def walk(node: Syn) -> Iterator[Syn]:
    """Every node of a tree in source order (pre-order)."""
    yield node
    for arg in node.args:
        if isinstance(arg, Syn):
            yield from walk(arg)


def unwrap(node: Syn) -> Syn:
    """The node inside any parentheses."""
    while node.kind == "paren":
        node = node.args[0]
    return node


class _Fail(Exception):
    """Syntax failure at a token index (the parser may backtrack and try another reading)."""

    def __init__(self, index: int) -> None:
        super().__init__(index)
        self.index = index


class _Redundant(Exception):
    """A ``((...))`` group: never backtracked over."""


class Parser:
    """One parse of one expression text; ``kind`` names the expression in error messages."""

    def __init__(self, text: str, kind: str, grammar: str) -> None:
        self.text = text
        self.kind = kind
        self.grammar = grammar  # "condition", "update" or "projection"
        self.tokens = tokenize(text)
        self.i = 0
        if grammar == "condition":
            self.keywords: frozenset[str] = CONDITION_KEYWORDS
        elif grammar == "update":
            self.keywords = frozenset(CLAUSE_KEYWORDS)
        else:
            self.keywords = frozenset()

    # --- entry points ---------------------------------------------------------------------

    def parse(self) -> Syn:
        """The whole text as the parser's grammar; raises AWS's ValidationException."""
        rule: Callable[[], Syn] = {
            "condition": self._condition_expression,
            "update": self._update_expression,
            "projection": self._projection_expression,
        }[self.grammar]
        try:
            return rule()
        except _Fail as failure:
            raise syntax_error(self.kind, self.text, self.tokens, failure.index) from None
        except _Redundant:
            raise ValidationException(
                f"Invalid {self.kind}: The expression has redundant parentheses;"
            ) from None

    def _condition_expression(self) -> Syn:
        node = self._condition()
        self._expect_end()
        return node

    def _update_expression(self) -> Syn:
        clauses: list[Any] = []
        while True:
            token = self._peek()
            if token.kind == IDENT and token.text.upper() in CLAUSE_KEYWORDS:
                clauses.append(self._clause())
            elif token.kind == EOF and clauses:
                return Syn("update", args=clauses)
            else:
                self._fail()

    def _projection_expression(self) -> Syn:
        paths: list[Any] = [self._path()]
        while self._is_punct(","):
            self._advance()
            paths.append(self._path())
        self._expect_end()
        return Syn("projection", args=paths)

    # --- token helpers --------------------------------------------------------------------

    def _peek(self, offset: int = 0) -> Token:
        return self.tokens[min(self.i + offset, len(self.tokens) - 1)]

    def _advance(self) -> Token:
        token = self.tokens[self.i]
        if token.kind != EOF:
            self.i += 1
        return token

    def _fail(self) -> NoReturn:
        raise _Fail(self.i)

    def _is_punct(self, text: str, offset: int = 0) -> bool:
        token = self._peek(offset)
        return token.kind == PUNCT and token.text == text

    def _is_keyword(self, word: str) -> bool:
        token = self._peek()
        return token.kind == IDENT and token.text.upper() == word

    def _expect_punct(self, text: str) -> None:
        if not self._is_punct(text):
            self._fail()
        self._advance()

    def _expect_end(self) -> None:
        if self._peek().kind != EOF:
            self._fail()

    def _paren(self, inner: Syn) -> Syn:
        if inner.kind == "paren":
            raise _Redundant()
        return Syn("paren", args=[inner])

    # --- conditions -----------------------------------------------------------------------

    def _condition(self) -> Syn:
        node = self._conjunction()
        while self._is_keyword("OR"):
            self._advance()
            node = Syn("or", args=[node, self._conjunction()])
        return node

    def _conjunction(self) -> Syn:
        node = self._negation()
        while self._is_keyword("AND"):
            self._advance()
            node = Syn("and", args=[node, self._negation()])
        return node

    def _negation(self) -> Syn:
        if self._is_keyword("NOT"):
            self._advance()
            return Syn("not", args=[self._negation()])
        return self._primary()

    def _continues_comparison(self) -> bool:
        token = self._peek()
        return (
            (token.kind == PUNCT and token.text in COMPARATORS)
            or self._is_keyword("BETWEEN")
            or self._is_keyword("IN")
        )

    def _primary(self) -> Syn:
        if not self._is_punct("("):
            return self._simple_condition()
        # "(" opens either a condition group or a parenthesized operand: try the group first,
        # then the operand reading, and report whichever failure got further.
        start = self.i
        try:
            self._advance()
            inner = self._condition()
            self._expect_punct(")")
            if not self._continues_comparison():
                return self._paren(inner)
            group_failure = _Fail(self.i)
        except _Fail as failure:
            group_failure = failure
        self.i = start
        try:
            return self._simple_condition()
        except _Fail as failure:
            raise failure if failure.index >= group_failure.index else group_failure from None

    def _simple_condition(self) -> Syn:
        left = self._operand()
        token = self._peek()
        if token.kind == PUNCT and token.text in COMPARATORS:
            self._advance()
            return Syn("compare", token.text, [left, self._operand()])
        if self._is_keyword("BETWEEN"):
            self._advance()
            low = self._operand()
            if not self._is_keyword("AND"):
                self._fail()
            self._advance()
            return Syn("between", args=[left, low, self._operand()])
        if self._is_keyword("IN"):
            self._advance()
            self._expect_punct("(")
            candidates = [self._operand()]
            while self._is_punct(","):
                self._advance()
                candidates.append(self._operand())
            self._expect_punct(")")
            return Syn("in", args=[left, *candidates])
        if left.kind == "call":
            left.role = "condition"
            return left
        self._fail()

    # --- operands -------------------------------------------------------------------------

    def _operand(self) -> Syn:
        token = self._peek()
        if token.kind == PUNCT and token.text == "(":
            self._advance()
            inner = self._set_value() if self.grammar == "update" else self._operand()
            self._expect_punct(")")
            return self._paren(inner)
        if token.kind == VALUE:
            self._advance()
            return Syn("value", token.text)
        if token.kind == IDENT and self._is_punct("(", 1) and token.text.upper() not in self.keywords:
            return self._call()
        return self._path()

    def _call(self) -> Syn:
        name = self._advance()
        self._advance()  # "("
        args = [self._operand()]
        while self._is_punct(","):
            self._advance()
            args.append(self._operand())
        self._expect_punct(")")
        return Syn("call", name.text, args)

    def _path(self) -> Syn:
        elements: list[Any] = [self._path_name()]
        while True:
            if self._is_punct("."):
                self._advance()
                elements.append(self._path_name())
            elif self._is_punct("["):
                self._advance()
                token = self._peek()
                if token.kind != NUMBER:
                    self._fail()
                self._advance()
                self._expect_punct("]")
                elements.append(("index", int(token.text)))
            else:
                return Syn("path", args=elements)

    def _path_name(self) -> tuple[str, str]:
        token = self._peek()
        if token.kind == NAME:
            self._advance()
            return ("name", token.text)
        if token.kind == IDENT and token.text.upper() not in self.keywords:
            self._advance()
            return ("ident", token.text)
        self._fail()

    # --- updates --------------------------------------------------------------------------

    def _clause(self) -> Syn:
        word = self._advance().text.upper()
        action = {
            "SET": self._set_action,
            "REMOVE": self._remove_action,
            "ADD": self._add_action,
            "DELETE": self._delete_action,
        }[word]
        actions = [action()]
        while self._is_punct(","):
            self._advance()
            actions.append(action())
        return Syn("clause", word, actions)

    def _set_action(self) -> Syn:
        target = self._path()
        self._expect_punct("=")
        return Syn("set", args=[target, self._set_value()])

    def _set_value(self) -> Syn:
        left = self._operand()
        token = self._peek()
        if token.kind == PUNCT and token.text in ("+", "-"):
            self._advance()
            return Syn("arith", token.text, [left, self._operand()])
        return left

    def _remove_action(self) -> Syn:
        return Syn("remove", args=[self._path()])

    def _path_and_value(self, kind: str) -> Syn:
        target = self._path()
        token = self._peek()
        if token.kind != VALUE:
            self._fail()
        self._advance()
        return Syn(kind, args=[target, Syn("value", token.text)])

    def _add_action(self) -> Syn:
        return self._path_and_value("add")

    def _delete_action(self) -> Syn:
        return self._path_and_value("delete")


def parse_syntax(text: str, kind: str, grammar: str) -> Syn:
    """Parse ``text`` with ``grammar`` ("condition", "update", "projection")."""
    return Parser(text, kind, grammar).parse()
