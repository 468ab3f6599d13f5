"""PartiQL tokens: statement text -> a list of tokens with their positions.

Owns: the lexical rules of DynamoDB's PartiQL subset -- bare identifiers, "quoted identifiers" ("" escapes
a quote), 'string literals' ('' escapes a quote), numbers, ``?`` parameters, punctuation including the bag
brackets ``<<`` ``>>``, and ``--`` / ``/* */`` comments.

Must not: know the grammar (``parser.py``) or values (``executor.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

from riverbed.errors import ValidationException

IDENT = "IDENT"      # bare identifier or keyword (case-insensitive)
QIDENT = "QIDENT"    # "quoted identifier" (case-sensitive, never a keyword)
STRING = "STRING"    # 'string literal'
NUMBER = "NUMBER"
PARAM = "PARAM"      # ?
PUNCT = "PUNCT"
EOF = "EOF"

NOT_WELL_FORMED = "Statement wasn't well formed, can't be processed: "
_PUNCT = ("<<", ">>", "<=", ">=", "<>", "!=", "(", ")", "[", "]", "{", "}", ",", ".", ":", "=", "<", ">", "*",
          "+", "-", ";")
_WORD_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_WORD = _WORD_START | frozenset("0123456789$")
_DIGITS = frozenset("0123456789")


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    text: str      # identifier / literal text with quotes removed and escapes resolved
    pos: int

    def is_word(self, *words: str) -> bool:
        return self.kind == IDENT and self.text.upper() in words


def malformed(detail: str) -> ValidationException:
    return ValidationException(NOT_WELL_FORMED + detail)


def _quoted(text: str, start: int, quote: str) -> tuple[str, int]:
    """The content of a quoted run starting at ``start`` (the opening quote) and the index after it."""
    out = []
    i = start + 1
    while True:
        end = text.find(quote, i)
        if end < 0:
            raise malformed("Invalid string literal" if quote == "'" else "Invalid quoted identifier")
        out.append(text[i:end])
        if text.startswith(quote * 2, end):
            out.append(quote)
            i = end + 2
            continue
        return "".join(out), end + 1


def _number(text: str, i: int) -> int:
    n = len(text)
    while i < n and text[i] in _DIGITS:
        i += 1
    if i < n and text[i] == "." and i + 1 < n and text[i + 1] in _DIGITS:
        i += 1
        while i < n and text[i] in _DIGITS:
            i += 1
    if i < n and text[i] in "eE":
        j = i + 1
        if j < n and text[j] in "+-":
            j += 1
        if j < n and text[j] in _DIGITS:
            i = j
            while i < n and text[i] in _DIGITS:
                i += 1
    return i


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif text.startswith("--", i):
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                raise malformed("Unterminated comment")
            i = end + 2
        elif c == "'":
            value, i2 = _quoted(text, i, "'")
            tokens.append(Token(STRING, value, i))
            i = i2
        elif c == '"':
            value, i2 = _quoted(text, i, '"')
            tokens.append(Token(QIDENT, value, i))
            i = i2
        elif c in _DIGITS:
            end = _number(text, i)
            tokens.append(Token(NUMBER, text[i:end], i))
            i = end
        elif c in _WORD_START:
            j = i + 1
            while j < n and text[j] in _WORD:
                j += 1
            tokens.append(Token(IDENT, text[i:j], i))
            i = j
        elif c == "?":
            tokens.append(Token(PARAM, "?", i))
            i += 1
        else:
            for p in _PUNCT:
                if text.startswith(p, i):
                    tokens.append(Token(PUNCT, p, i))
                    i += len(p)
                    break
            else:
                raise malformed(f"Unexpected character: {c}")
    tokens.append(Token(EOF, "", n))
    return tokens
