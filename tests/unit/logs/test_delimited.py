"""Space-delimited filter patterns (``[ip, user, ..., status=404]``): AWS's examples and properties of the
parser checked with hypothesis."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riverbed.errors import ServiceError
from riverbed.services.logs.delimited import split_event
from riverbed.services.logs.patterns import compile_pattern

# The Apache log line of AWS's filter pattern syntax page.
APACHE = '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534'
FIELDS = "[ip, user, username, timestamp, request, status_code, bytes]"


def test_brackets_and_quotes_make_one_field():
    assert split_event(APACHE) == ["127.0.0.1", "-", "frank", "10/Oct/2000:13:25:15 -0700",
                                   "GET /apache_pb.gif HTTP/1.0", "200", "1534"]


@pytest.mark.parametrize(("pattern", "expected"), [
    (FIELDS, True),
    ("[ip, user, username, timestamp, request, status_code]", False),          # one field short: no ellipsis
    ("[ip, user, username, timestamp, request, status_code, bytes, more]", False),
    ("[..., status_code, bytes]", True),
    ("[ip, ...]", True),
    ("[ip, ..., bytes]", True),
    ("[..., status_code=200, bytes]", True),
    ("[..., status_code=404, bytes]", False),
    ("[..., status_code!=404, bytes]", True),
    ("[..., status_code=2*, bytes]", True),
    ("[..., status_code=4*, bytes]", False),
    ("[..., bytes>1000]", True),
    ("[..., bytes>=1534]", True),
    ("[..., bytes<1534]", False),
    ("[ip=127.0.0.1, ...]", True),
    ("[ip=127.0.0.*, ...]", True),
    ("[ip, user, username=fr*, ...]", True),
    ('[ip, user, username, timestamp, request="GET /apache_pb.gif HTTP/1.0", ...]', True),
    ("[ip, user, username, timestamp, request=*.gif*, ...]", True),
    ("[ip, user, username, timestamp, request=*.html*, ...]", False),
    ("[..., status_code, bytes>1000 && status_code=200]", True),     # a condition may name another field
    ("[..., status_code, bytes>1000 && status_code=404]", False),
    ("[..., code, bytes=404 || bytes>1000]", True),
    ("[..., code, bytes=404 || bytes>2000]", False),
    ("[..., status_code = 2* && status_code != 200, bytes]", False),
    ("[..., status_code=%2[0-9]{2}%, bytes]", True),
    ("[ip, user=%^-$%, ...]", True),
    ("[ip, user, username>5, ...]", False),                                    # not a number: no match
])
def test_apache_log_line(pattern, expected):
    assert compile_pattern(pattern)(APACHE) is expected


def test_term_alternatives_and_exclusions_still_work():
    assert compile_pattern("?ERROR ?WARN -timeout")("WARN disk") is True
    assert compile_pattern("?ERROR ?WARN -timeout")("WARN timeout") is False


# --- properties -----------------------------------------------------------------------------------------

WORD = st.text(alphabet=string.ascii_letters + string.digits + "./:-_", min_size=1, max_size=8).filter(
    lambda w: w != "...")
NAMES = st.lists(st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=6), min_size=1, max_size=6,
                 unique=True)


@given(st.lists(WORD, min_size=1, max_size=8), NAMES)
def test_names_only_match_exactly_as_many_fields(words, names):
    pattern = compile_pattern("[" + ", ".join(names) + "]")
    assert pattern(" ".join(words)) is (len(words) == len(names))


@given(st.lists(WORD, min_size=1, max_size=8), st.integers(min_value=0, max_value=8))
def test_an_ellipsis_needs_only_the_fields_named_after_it(words, named):
    names = [f"f{i}" for i in range(named)]
    pattern = compile_pattern("[" + ", ".join(["...", *names]) + "]")
    assert pattern(" ".join(words)) is (len(words) >= named)


@given(st.lists(WORD, min_size=1, max_size=6), st.data())
def test_a_condition_on_each_field_matches_its_own_event_and_not_a_changed_one(words, data):
    conditions = [f'f{i}="{w}"' for i, w in enumerate(words)]
    pattern = compile_pattern("[" + ", ".join(conditions) + "]")
    assert pattern(" ".join(words))
    changed = data.draw(st.integers(min_value=0, max_value=len(words) - 1))
    other = data.draw(WORD.filter(lambda w: w != words[changed]))
    assert not pattern(" ".join([*words[:changed], other, *words[changed + 1:]]))


@given(st.integers(min_value=-10_000, max_value=10_000), st.integers(min_value=-10_000, max_value=10_000),
       st.sampled_from(["<", "<=", ">", ">=", "=", "!="]))
def test_numeric_comparisons_agree_with_python(value, threshold, op):
    expected = {"<": value < threshold, "<=": value <= threshold, ">": value > threshold,
                ">=": value >= threshold, "=": value == threshold, "!=": value != threshold}[op]
    assert compile_pattern(f"[a, n {op} {threshold}]")(f"x {value}") is expected


@settings(max_examples=300)
@given(st.text(alphabet="[]{}(),.=!<>&|%*\"? -$abc019", max_size=30))
def test_any_pattern_text_compiles_or_is_refused_as_aws_does(text):
    try:
        predicate = compile_pattern(text)
    except ServiceError as err:
        assert err.code == "InvalidParameterException" and err.status == 400
        return
    assert predicate(APACHE) in (True, False)
