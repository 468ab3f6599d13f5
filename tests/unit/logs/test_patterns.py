"""Filter patterns: terms, phrases, alternatives, exclusions and JSON conditions."""

from __future__ import annotations

import pytest

from riverbed.errors import ServiceError
from riverbed.services.logs.patterns import compile_pattern


@pytest.mark.parametrize(("pattern", "message", "expected"), [
    ("", "anything", True),
    ("ERROR", "[ERROR] boom", True),
    ("ERROR", "error boom", False),                       # case-sensitive
    ("ERROR Exception", "ERROR: an Exception", True),
    ("ERROR Exception", "ERROR only", False),
    ('"hello world"', "say hello world!", True),
    ('"hello world"', "hello there world", False),
    ("?ERROR ?WARN", "WARN disk", True),
    ("?ERROR ?WARN", "INFO ok", False),
    ("ERROR -timeout", "ERROR timeout", False),
    ("ERROR -timeout", "ERROR crash", True),
    ('{ $.level = "ERROR" }', '{"level": "ERROR", "n": 1}', True),
    ('{ $.level = "ERROR" }', '{"level": "INFO"}', False),
    ('{ $.level = "ERROR" }', "ERROR not json", False),
    ('{ $.level = "ERR*" }', '{"level": "ERROR"}', True),
    ('{ $.level != "INFO" }', '{"level": "ERROR"}', True),
    ("{ $.latency > 100 }", '{"latency": 250}', True),
    ("{ $.latency > 100 }", '{"latency": 50}', False),
    ('{ $.a.b[1] = "x" }', '{"a": {"b": ["w", "x"]}}', True),
    ('{ ($.level = "ERROR" || $.level = "WARN") && $.n >= 2 }', '{"level": "WARN", "n": 2}', True),
    ('{ ($.level = "ERROR" || $.level = "WARN") && $.n >= 2 }', '{"level": "WARN", "n": 1}', False),
    ("{ $.gone IS NULL }", '{"gone": null}', True),
    ("{ $.gone NOT EXISTS }", '{"other": 1}', True),
    ("%AUTHORIZED%", "[ERROR 401] UNAUTHORIZED REQUEST", True),        # AWS's regex-expressions.html examples
    ("%AUTHORIZED%", "[SUCCESS 200] AUTHORIZED REQUEST", True),
    ("%^\\[SUCCESS%", "[ERROR 401] UNAUTHORIZED REQUEST", False),
    ("%[Ee]rror|[Ff]ail%", "the job failed", True),
    ("%\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}%", "from 10.0.0.12 port 22", True),
])
def test_patterns(pattern, message, expected):
    assert compile_pattern(pattern)(message) is expected


@pytest.mark.parametrize("pattern", ["{ $.level = }", "{ level = 1 }", '{ $.a < "x" }', "[ip, , user]",
                                     "[ip, user", "[ip, status > abc]", "[ip, ip]", "[a = ]", '[a = "x]',
                                     "[a = 1 &&]", "[a = 1 b = 2]", '[a > "1"]', "%(a|b)%", "%[%"])
def test_refused_patterns(pattern):
    with pytest.raises(ServiceError) as err:
        compile_pattern(pattern)
    assert err.value.code == "InvalidParameterException"
