"""PartiQL parser: tokens -> one statement of ``ast.py`` (recursive descent).

Owns: the grammar of DynamoDB's PartiQL subset and AWS's texts for statements it refuses
(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.html):

    SELECT (* | path, ...) FROM "table"["index"] [WHERE cond]
    INSERT INTO "table" VALUE {'k': v, ...}
    UPDATE "table" (SET path = expr [, ...] | REMOVE path [, ...])... WHERE cond [RETURNING (ALL|MODIFIED) (OLD|NEW) *]
    DELETE FROM "table" WHERE cond [RETURNING ALL OLD *]
    EXISTS(SELECT ...)                      -- condition checks in ExecuteTransaction

Conditions: OR, AND, NOT, comparisons (= <> != < <= > >=), [NOT] BETWEEN, [NOT] IN [..] / (..),
IS [NOT] MISSING|NULL|<type>, functions (begins_with, contains, attribute_type, size, ...), parentheses.
Values: 'strings', numbers, TRUE/FALSE, NULL, MISSING, {structs}, [lists], <<bags>>, ``?`` parameters.

Must not: resolve parameters or touch tables (``executor.py``).
"""

from __future__ import annotations

from riverbed.errors import ValidationException
from riverbed.services.dynamodb.partiql import ast
from riverbed.services.dynamodb.partiql.tokens import (
    EOF,
    IDENT,
    NUMBER,
    PARAM,
    PUNCT,
    QIDENT,
    STRING,
    Token,
    malformed,
    tokenize,
)

COMPARATORS = {"=": "=", "<>": "<>", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
IS_TYPES = ("MISSING", "NULL", "BOOLEAN", "BLOB", "STRING", "NUMERIC", "STRUCT", "TUPLE", "LIST")
# Words that end an expression or a clause; a bare identifier that is one of them is not an attribute name.
RESERVED = frozenset({"SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "BETWEEN", "IN", "IS", "SET", "REMOVE",
                      "RETURNING", "VALUE", "VALUES", "INTO", "INSERT", "UPDATE", "DELETE", "EXISTS", "TRUE",
                      "FALSE", "NULL", "MISSING", "ORDER", "BY", "LIMIT", "AS", "AT", "ON"})


class Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.pos = 0
        self.params = 0

    # --- token helpers ------------------------------------------------------------------------
    @property
    def tok(self) -> Token:
        return self.tokens[self.pos]

    def advance(self) -> Token:
        tok = self.tokens[self.pos]
        if tok.kind != EOF:
            self.pos += 1
        return tok

    def at(self, *texts: str) -> bool:
        return self.tok.kind == PUNCT and self.tok.text in texts

    def at_word(self, *words: str) -> bool:
        return self.tok.is_word(*words)

    def expect(self, text: str) -> None:
        if not self.at(text):
            raise self.unexpected()
        self.advance()

    def expect_word(self, word: str) -> None:
        if not self.at_word(word):
            raise self.unexpected()
        self.advance()

    def unexpected(self) -> ValidationException:
        if self.tok.kind == EOF:
            return malformed("Unexpected end of statement")
        return malformed(f"Unexpected token: {self.tok.text!r} at position {self.tok.pos + 1}")

    # --- statements ---------------------------------------------------------------------------
    def statement(self) -> ast.Statement:
        if self.at_word("SELECT"):
            stmt: ast.Statement = self.select()
        elif self.at_word("INSERT"):
            stmt = self.insert()
        elif self.at_word("UPDATE"):
            stmt = self.update()
        elif self.at_word("DELETE"):
            stmt = self.delete()
        elif self.at_word("EXISTS"):
            self.advance()
            self.expect("(")
            if not self.at_word("SELECT"):
                raise self.unexpected()
            stmt = ast.Exists(self.select())
            self.expect(")")
        else:
            raise malformed("Expected data manipulation")
        if self.at(";"):
            self.advance()
        if self.tok.kind != EOF:
            if self.at_word("SELECT", "INSERT", "UPDATE", "DELETE"):
                raise ValidationException("Only one operation is allowed in a statement.")
            raise malformed("Unexpected token after expression")
        return stmt

    def source(self) -> tuple[str, str | None]:
        table = self.name("Unexpected term")
        index = None
        if self.at("."):
            self.advance()
            if self.at("*"):
                raise ValidationException("Invalid path dot component in this operation, expecting either an "
                                          "IDENTIFIER or STAR.")
            index = self.name("Expected identifier for simple path")
            if self.at("."):
                raise ValidationException("A path may contain at most 2 components in the FROM clause")
        if self.at_word("AS") or (self.tok.kind == IDENT and self.tok.text.upper() not in RESERVED):
            raise ValidationException("Aliasing is not supported")
        return table, index

    def name(self, missing: str) -> str:
        tok = self.tok
        if tok.kind == QIDENT or (tok.kind == IDENT and tok.text.upper() not in RESERVED):
            self.advance()
            return tok.text
        raise malformed(missing)

    def select(self) -> ast.Select:
        self.expect_word("SELECT")
        projection: list[ast.PathRef] | None = []
        if self.at("*"):
            self.advance()
            projection = None
            if self.at(","):
                raise ValidationException("Other attributes should not be present in the projection when '*' is "
                                          "used.")
        else:
            assert projection is not None
            projection.append(self.path())
            while self.at(","):
                self.advance()
                if self.at("*"):
                    raise ValidationException("Other attributes should not be present in the projection when '*' "
                                              "is used.")
                projection.append(self.path())
        self.expect_word("FROM")
        table, index = self.source()
        where = None
        if self.at_word("WHERE"):
            self.advance()
            where = self.expression()
        if self.at_word("ORDER"):
            raise malformed("ORDER BY is not supported by riverbed")
        return ast.Select(table, index, tuple(projection) if projection is not None else None, where)

    def insert(self) -> ast.Insert:
        self.expect_word("INSERT")
        self.expect_word("INTO")
        table, index = self.source()
        if self.at_word("VALUES"):
            raise ValidationException('Unsupported operation: Inserting multiple items in a single statement is not '
                                      'supported, use "INSERT INTO tableName VALUE item" instead')
        self.expect_word("VALUE")
        if not (self.at("{") or self.tok.kind == PARAM):
            raise ValidationException("Unsupported format in item expression. Please use struct format {...} to "
                                      "express item values for insert statement.")
        value = self.primary()
        if self.at_word("RETURNING"):
            raise ValidationException("RETURNING is not supported in INSERT")
        return ast.Insert(table, index, value)

    def update(self) -> ast.Update:
        self.expect_word("UPDATE")
        table, index = self.source()
        sets: list[tuple[ast.PathRef, ast.Expr]] = []
        removes: list[ast.PathRef] = []
        if not self.at_word("SET", "REMOVE"):
            raise self.unexpected()
        while self.at_word("SET", "REMOVE"):
            clause = self.advance().text.upper()
            while True:
                target = self.path()
                if clause == "SET":
                    self.expect("=")
                    sets.append((target, self.additive()))
                else:
                    removes.append(target)
                if not self.at(","):
                    break
                self.advance()
        where = None
        if self.at_word("WHERE"):
            self.advance()
            where = self.expression()
        return ast.Update(table, index, tuple(sets), tuple(removes), where, self.returning())

    def delete(self) -> ast.Delete:
        self.expect_word("DELETE")
        self.expect_word("FROM")
        table, index = self.source()
        where = None
        if self.at_word("WHERE"):
            self.advance()
            where = self.expression()
        return ast.Delete(table, index, where, self.returning())

    def returning(self) -> str | None:
        if not self.at_word("RETURNING"):
            return None
        self.advance()
        if not self.at_word("ALL", "MODIFIED"):
            raise self.unexpected()
        which = self.advance().text.upper()
        if not self.at_word("OLD", "NEW"):
            raise self.unexpected()
        side = self.advance().text.upper()
        if not self.at("*"):
            raise ValidationException("Expected '*' after ( MODIFIED | ALL ) ( NEW | OLD ) in RETURNING clause")
        self.advance()
        if self.at(","):
            raise ValidationException("Invalid syntax with multiple returning elements in RETURNING clause")
        return f"{which} {side}"

    # --- paths --------------------------------------------------------------------------------
    def path(self) -> ast.PathRef:
        elements: list[ast.PathElement] = [self.name("Expected identifier for simple path")]
        while True:
            if self.at("."):
                self.advance()
                elements.append(self.name("Expected identifier for simple path"))
            elif self.at("["):
                self.advance()
                tok = self.advance()
                if tok.kind == NUMBER and tok.text.isdigit():
                    elements.append(int(tok.text))
                elif tok.kind == STRING:
                    elements.append(tok.text)
                else:
                    raise malformed("Invalid path component")
                self.expect("]")
            else:
                return ast.PathRef(tuple(elements))

    # --- expressions --------------------------------------------------------------------------
    def expression(self) -> ast.Expr:
        left = self.conjunction()
        while self.at_word("OR"):
            self.advance()
            left = ast.Binary("OR", left, self.conjunction())
        return left

    def conjunction(self) -> ast.Expr:
        left = self.negation()
        while self.at_word("AND"):
            self.advance()
            left = ast.Binary("AND", left, self.negation())
        return left

    def negation(self) -> ast.Expr:
        if self.at_word("NOT"):
            self.advance()
            return ast.NotExpr(self.negation())
        return self.predicate()

    def predicate(self) -> ast.Expr:
        left = self.additive()
        if self.tok.kind == PUNCT and self.tok.text in COMPARATORS:
            op = COMPARATORS[self.advance().text]
            return ast.Binary(op, left, self.additive())
        negated = False
        if self.at_word("NOT") and self.tokens[self.pos + 1].is_word("BETWEEN", "IN"):
            self.advance()
            negated = True
        if self.at_word("BETWEEN"):
            self.advance()
            low = self.additive()
            self.expect_word("AND")
            node: ast.Expr = ast.BetweenExpr(left, low, self.additive())
            return ast.NotExpr(node) if negated else node
        if self.at_word("IN"):
            self.advance()
            if not self.at("[", "("):
                raise ValidationException("IN operator must have a left hand argument of type Variable Reference "
                                          "and right hand argument of type Seq with at least one member")
            closing = "]" if self.advance().text == "[" else ")"
            candidates = [self.additive()]
            while self.at(","):
                self.advance()
                candidates.append(self.additive())
            self.expect(closing)
            node = ast.InExpr(left, tuple(candidates))
            return ast.NotExpr(node) if negated else node
        if self.at_word("IS"):
            self.advance()
            is_not = False
            if self.at_word("NOT"):
                self.advance()
                is_not = True
            tok = self.advance()
            what = tok.text.upper() if tok.kind == IDENT else ""
            if what not in IS_TYPES:
                raise ValidationException(f"Unsupported data type for IS operator: {tok.text}. Supported data types "
                                          "are [MISSING, NULL, BOOLEAN, BLOB, STRING, NUMERIC, STRUCT, TUPLE, LIST]")
            return ast.IsExpr(left, what, is_not)
        return left

    def additive(self) -> ast.Expr:
        left = self.unary()
        while self.at("+", "-"):
            op = self.advance().text
            left = ast.Binary(op, left, self.unary())
        return left

    def unary(self) -> ast.Expr:
        if self.at("-") and self.tokens[self.pos + 1].kind == NUMBER:
            self.advance()
            return ast.Literal("N", "-" + self.advance().text)
        return self.primary()

    def primary(self) -> ast.Expr:
        tok = self.tok
        if tok.kind == STRING:
            self.advance()
            return ast.Literal("S", tok.text)
        if tok.kind == NUMBER:
            self.advance()
            return ast.Literal("N", tok.text)
        if tok.kind == PARAM:
            self.advance()
            self.params += 1
            return ast.Param(self.params - 1)
        if self.at("("):
            self.advance()
            inner = self.expression()
            self.expect(")")
            return inner
        if self.at("{"):
            return self.struct()
        if self.at("["):
            self.advance()
            return ast.ListExpr(tuple(self.sequence("]")))
        if self.at("<<"):
            self.advance()
            items = self.sequence(">>")
            if not items:
                raise ValidationException("Empty bags are not supported")
            return ast.Bag(tuple(items))
        if tok.kind == IDENT:
            word = tok.text.upper()
            if word in ("TRUE", "FALSE"):
                self.advance()
                return ast.Literal("BOOL", word == "TRUE")
            if word == "NULL":
                self.advance()
                return ast.Literal("NULL", True)
            if word == "MISSING":
                self.advance()
                return ast.Literal("MISSING", None)
            if self.tokens[self.pos + 1].kind == PUNCT and self.tokens[self.pos + 1].text == "(" \
                    and word not in RESERVED:
                self.advance()
                self.advance()
                args = self.sequence(")")
                return ast.Call(tok.text.lower(), tuple(args))
        if tok.kind in (IDENT, QIDENT) and not (tok.kind == IDENT and tok.text.upper() in RESERVED):
            return self.path()
        raise self.unexpected()

    def sequence(self, closing: str) -> list[ast.Expr]:
        items: list[ast.Expr] = []
        if self.at(closing):
            self.advance()
            return items
        while True:
            items.append(self.expression())
            if self.at(closing):
                self.advance()
                return items
            self.expect(",")

    def struct(self) -> ast.Struct:
        self.expect("{")
        fields: list[tuple[str, ast.Expr]] = []
        if self.at("}"):
            self.advance()
            return ast.Struct(())
        while True:
            tok = self.advance()
            if tok.kind not in (STRING, QIDENT, IDENT):
                raise malformed("Expected a string key in struct")
            self.expect(":")
            fields.append((tok.text, self.expression()))
            if self.at("}"):
                self.advance()
                return ast.Struct(tuple(fields))
            self.expect(",")


def parse(text: str) -> tuple[ast.Statement, int]:
    """The statement and the number of ``?`` parameters it uses."""
    parser = Parser(text)
    stmt = parser.statement()
    return stmt, parser.params
