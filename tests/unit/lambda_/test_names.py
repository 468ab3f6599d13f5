"""FunctionName forms, qualifiers and not-found texts."""

from __future__ import annotations

import pytest

from riverbed.errors import InvalidParameterValueException, LambdaResourceNotFoundException
from riverbed.services.lambda_ import names

ACCOUNT, REGION = "000000000000", "us-east-1"


@pytest.mark.parametrize("value, expected", [
    ("fn", ("000000000000", "us-east-1", "fn", None)),
    ("fn:1", ("000000000000", "us-east-1", "fn", "1")),
    ("fn:$LATEST", ("000000000000", "us-east-1", "fn", "$LATEST")),
    ("123456789012:function:fn", ("123456789012", "us-east-1", "fn", None)),
    ("function:fn:prod", ("000000000000", "us-east-1", "fn", "prod")),
    ("arn:aws:lambda:us-east-1:123456789012:function:fn", ("123456789012", "us-east-1", "fn", None)),
    ("arn:aws:lambda:us-east-1:123456789012:function:fn:7", ("123456789012", "us-east-1", "fn", "7")),
    ("arn:aws:lambda:us-east-1:111111111111:function", ("111111111111", "us-east-1", "function", None)),
])
def test_parse_forms(value, expected):
    ref = names.parse(value, ACCOUNT, REGION)
    assert (ref.account, ref.region, ref.name, ref.qualifier) == expected


def test_parse_rejects_garbage_and_other_regions():
    assert names.parse("my-function!", ACCOUNT, REGION) is None
    with pytest.raises(LambdaResourceNotFoundException) as exc:
        names.parse("arn:aws:lambda:eu-west-1:123456789012:function:fn", ACCOUNT, REGION)
    assert exc.value.message == "Functions from 'eu-west-1' are not reachable in this region ('us-east-1')"
    ref = names.parse("arn:aws:lambda:eu-west-1:123456789012:function:fn", ACCOUNT, REGION, check_region=False)
    assert ref.region == "eu-west-1"


def test_qualifier_reconciliation():
    ref = names.parse("fn:1", ACCOUNT, REGION)
    assert names.resolve_qualifier(ref, "1").qualifier == "1"
    assert names.resolve_qualifier(names.parse("fn", ACCOUNT, REGION), "2").qualifier == "2"
    with pytest.raises(InvalidParameterValueException) as exc:
        names.resolve_qualifier(ref, "$LATEST")
    assert exc.value.message == names.DERIVED_QUALIFIER_MISMATCH


def test_not_found_texts():
    ref = names.FunctionRef(ACCOUNT, REGION, "fn")
    assert names.not_found(ref).message == "Function not found: arn:aws:lambda:us-east-1:000000000000:function:fn"
    assert names.not_found(ref, "$LATEST").message.endswith("function:fn:$LATEST")
    assert names.not_found(ref).status == 404
    assert names.name_from("arn:aws:lambda:us-east-1:000000000000:function:fn:3") == "fn"
