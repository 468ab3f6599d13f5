"""Tokenizer for DynamoDB expressions, the reserved-word list, and AWS's syntax-error text.

Owns: turning expression text into tokens (identifiers, ``#name`` and ``:value`` references,
list-index digits, punctuation) and formatting ``Syntax error; token: "x", near: "a x b"`` the
way AWS does: the offending token, and the source text from the previous token to the next.
A character that starts no token becomes a one-character UNKNOWN token, so the parser reports
it as the offending token (AWS: ``a-b`` in a condition -> token "-", near "a-b").

Must not: know the grammar (which tokens may follow which) -- that is parser.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from riverbed.errors import ValidationException

# https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ReservedWords.html (573 words;
# the list is case-insensitive).
_RESERVED_TEXT = """
ABORT ABSOLUTE ACTION ADD AFTER AGENT AGGREGATE ALL ALLOCATE ALTER ANALYZE AND ANY ARCHIVE ARE ARRAY
AS ASC ASCII ASENSITIVE ASSERTION ASYMMETRIC AT ATOMIC ATTACH ATTRIBUTE AUTH AUTHORIZATION AUTHORIZE
AUTO AVG BACK BACKUP BASE BATCH BEFORE BEGIN BETWEEN BIGINT BINARY BIT BLOB BLOCK BOOLEAN BOTH
BREADTH BUCKET BULK BY BYTE CALL CALLED CALLING CAPACITY CASCADE CASCADED CASE CAST CATALOG CHAR
CHARACTER CHECK CLASS CLOB CLOSE CLUSTER CLUSTERED CLUSTERING CLUSTERS COALESCE COLLATE COLLATION
COLLECTION COLUMN COLUMNS COMBINE COMMENT COMMIT COMPACT COMPILE COMPRESS CONDITION CONFLICT CONNECT
CONNECTION CONSISTENCY CONSISTENT CONSTRAINT CONSTRAINTS CONSTRUCTOR CONSUMED CONTINUE CONVERT COPY
CORRESPONDING COUNT COUNTER CREATE CROSS CUBE CURRENT CURSOR CYCLE DATA DATABASE DATE DATETIME DAY
DEALLOCATE DEC DECIMAL DECLARE DEFAULT DEFERRABLE DEFERRED DEFINE DEFINED DEFINITION DELETE
DELIMITED DEPTH DEREF DESC DESCRIBE DESCRIPTOR DETACH DETERMINISTIC DIAGNOSTICS DIRECTORIES DISABLE
DISCONNECT DISTINCT DISTRIBUTE DO DOMAIN DOUBLE DROP DUMP DURATION DYNAMIC EACH ELEMENT ELSE ELSEIF
EMPTY ENABLE END EQUAL EQUALS ERROR ESCAPE ESCAPED EVAL EVALUATE EXCEEDED EXCEPT EXCEPTION
EXCEPTIONS EXCLUSIVE EXEC EXECUTE EXISTS EXIT EXPLAIN EXPLODE EXPORT EXPRESSION EXTENDED EXTERNAL
EXTRACT FAIL FALSE FAMILY FETCH FIELDS FILE FILTER FILTERING FINAL FINISH FIRST FIXED FLATTERN FLOAT
FOR FORCE FOREIGN FORMAT FORWARD FOUND FREE FROM FULL FUNCTION FUNCTIONS GENERAL GENERATE GET GLOB
GLOBAL GO GOTO GRANT GREATER GROUP GROUPING HANDLER HASH HAVE HAVING HEAP HIDDEN HOLD HOUR
IDENTIFIED IDENTITY IF IGNORE IMMEDIATE IMPORT IN INCLUDING INCLUSIVE INCREMENT INCREMENTAL INDEX
INDEXED INDEXES INDICATOR INFINITE INITIALLY INLINE INNER INNTER INOUT INPUT INSENSITIVE INSERT
INSTEAD INT INTEGER INTERSECT INTERVAL INTO INVALIDATE IS ISOLATION ITEM ITEMS ITERATE JOIN KEY KEYS
LAG LANGUAGE LARGE LAST LATERAL LEAD LEADING LEAVE LEFT LENGTH LESS LEVEL LIKE LIMIT LIMITED LINES
LIST LOAD LOCAL LOCALTIME LOCALTIMESTAMP LOCATION LOCATOR LOCK LOCKS LOG LOGED LONG LOOP LOWER MAP
MATCH MATERIALIZED MAX MAXLEN MEMBER MERGE METHOD METRICS MIN MINUS MINUTE MISSING MOD MODE MODIFIES
MODIFY MODULE MONTH MULTI MULTISET NAME NAMES NATIONAL NATURAL NCHAR NCLOB NEW NEXT NO NONE NOT NULL
NULLIF NUMBER NUMERIC OBJECT OF OFFLINE OFFSET OLD ON ONLINE ONLY OPAQUE OPEN OPERATOR OPTION OR
ORDER ORDINALITY OTHER OTHERS OUT OUTER OUTPUT OVER OVERLAPS OVERRIDE OWNER PAD PARALLEL PARAMETER
PARAMETERS PARTIAL PARTITION PARTITIONED PARTITIONS PATH PERCENT PERCENTILE PERMISSION PERMISSIONS
PIPE PIPELINED PLAN POOL POSITION PRECISION PREPARE PRESERVE PRIMARY PRIOR PRIVATE PRIVILEGES
PROCEDURE PROCESSED PROJECT PROJECTION PROPERTY PROVISIONING PUBLIC PUT QUERY QUIT QUORUM RAISE
RANDOM RANGE RANK RAW READ READS REAL REBUILD RECORD RECURSIVE REDUCE REF REFERENCE REFERENCES
REFERENCING REGEXP REGION REINDEX RELATIVE RELEASE REMAINDER RENAME REPEAT REPLACE REQUEST RESET
RESIGNAL RESOURCE RESPONSE RESTORE RESTRICT RESULT RETURN RETURNING RETURNS REVERSE REVOKE RIGHT
ROLE ROLES ROLLBACK ROLLUP ROUTINE ROW ROWS RULE RULES SAMPLE SATISFIES SAVE SAVEPOINT SCAN SCHEMA
SCOPE SCROLL SEARCH SECOND SECTION SEGMENT SEGMENTS SELECT SELF SEMI SENSITIVE SEPARATE SEQUENCE
SERIALIZABLE SESSION SET SETS SHARD SHARE SHARED SHORT SHOW SIGNAL SIMILAR SIZE SKEWED SMALLINT
SNAPSHOT SOME SOURCE SPACE SPACES SPARSE SPECIFIC SPECIFICTYPE SPLIT SQL SQLCODE SQLERROR
SQLEXCEPTION SQLSTATE SQLWARNING START STATE STATIC STATUS STORAGE STORE STORED STREAM STRING STRUCT
STYLE SUB SUBMULTISET SUBPARTITION SUBSTRING SUBTYPE SUM SUPER SYMMETRIC SYNONYM SYSTEM TABLE
TABLESAMPLE TEMP TEMPORARY TERMINATED TEXT THAN THEN THROUGHPUT TIME TIMESTAMP TIMEZONE TINYINT TO
TOKEN TOTAL TOUCH TRAILING TRANSACTION TRANSFORM TRANSLATE TRANSLATION TREAT TRIGGER TRIM TRUE
TRUNCATE TTL TUPLE TYPE UNDER UNDO UNION UNIQUE UNIT UNKNOWN UNLOGGED UNNEST UNPROCESSED UNSIGNED
UNTIL UPDATE UPPER URL USAGE USE USER USERS USING UUID VACUUM VALUE VALUED VALUES VARCHAR VARIABLE
VARIANCE VARINT VARYING VIEW VIEWS VIRTUAL VOID WAIT WHEN WHENEVER WHERE WHILE WINDOW WITH WITHIN
WITHOUT WORK WRAPPED WRITE YEAR ZONE
"""
RESERVED_WORDS = frozenset(_RESERVED_TEXT.split())

IDENT = "IDENT"  # attribute name or keyword: [A-Za-z][A-Za-z0-9_]*
NAME = "NAME"  # #name reference
VALUE = "VALUE"  # :value reference
NUMBER = "NUMBER"  # digits (list indexes)
PUNCT = "PUNCT"  # ( ) [ ] , . = <> < <= > >= + -
UNKNOWN = "UNKNOWN"  # any other character; always a syntax error
EOF = "EOF"

_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
# A name starts with a letter: AWS answers ``SET _123 = :v`` with 'Syntax error; token: "_", near: "SET _123"'
# (Alternator's test_update_expression.py, run against DynamoDB), so "_" alone is an unknown token.
_WORD_START = _WORD_CHARS - frozenset("0123456789_")
_DIGITS = frozenset("0123456789")
_SPACE = frozenset(" \t\n\r")
_SINGLE = frozenset("()[],.=+-")


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    text: str
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    """All tokens of ``text``, ending with one EOF token."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char in _SPACE:
            i += 1
            continue
        start = i
        if char in _WORD_START:
            i += 1
            while i < n and text[i] in _WORD_CHARS:
                i += 1
            kind = IDENT
        elif char in _DIGITS:
            while i < n and text[i] in _DIGITS:
                i += 1
            kind = NUMBER
        elif char in "#:" and i + 1 < n and text[i + 1] in _WORD_CHARS:
            i += 2
            while i < n and text[i] in _WORD_CHARS:
                i += 1
            kind = NAME if char == "#" else VALUE
        elif char in "<>":
            i += 2 if text[i + 1 : i + 2] == "=" or text[i : i + 2] == "<>" else 1
            kind = PUNCT
        elif char in _SINGLE:
            i += 1
            kind = PUNCT
        else:
            i += 1
            kind = UNKNOWN
        tokens.append(Token(kind, text[start:i], start, i))
    tokens.append(Token(EOF, "", n, n))
    return tokens


def syntax_error(kind: str, text: str, tokens: list[Token], index: int) -> ValidationException:
    """AWS's message for a syntax error at ``tokens[index]`` in an expression of ``kind``.

    ``near`` is the source from the start of the previous token to the end of the next one,
    e.g. ``ADD hits : incr`` -> token ":", near "hits : incr"; at the end of the text the token
    is ``"<EOF>"`` and ``near`` ends with the last token.
    """
    token = tokens[index]
    previous = tokens[index - 1] if index > 0 else None
    start = previous.start if previous is not None else token.start
    if token.kind == EOF:
        end = previous.end if previous is not None else token.end
        shown = '"<EOF>"'  # quoted like any token (AWS: 'token: "<EOF>", near: ":type"', error log quoted in full)
    else:
        following = tokens[index + 1]
        end = following.end if following.kind != EOF else token.end
        shown = f'"{token.text}"'
    return ValidationException(f'Invalid {kind}: Syntax error; token: {shown}, near: "{text[start:end]}"')


def is_reserved(word: str) -> bool:
    """True if ``word`` is a DynamoDB reserved word (case-insensitive)."""
    return word.upper() in RESERVED_WORDS
