"""The alias rules that need no server: RoutingConfig checks and the weighted pick of a version."""

from __future__ import annotations

import random

import pytest

from riverbed.errors import InvalidParameterValueException
from riverbed.services.lambda_ import aliases


def alias(version="1", weights=None):
    return {"name": "live", "function_version": version, "weights": weights or {}}


def test_pick_without_route_is_the_alias_version():
    assert aliases.pick_version(alias("1", {"2": 1.0}), None) == "1"


def test_weighted_pick_follows_the_weight():
    route = random.Random(7)
    picks = [aliases.pick_version(alias("1", {"2": 0.1}), route) for _ in range(10_000)]
    assert 800 <= picks.count("2") <= 1200
    assert {aliases.pick_version(alias("1", {"2": 0.0}), route) for _ in range(100)} == {"1"}
    assert {aliases.pick_version(alias("1", {"2": 1.0}), route) for _ in range(100)} == {"2"}


@pytest.mark.parametrize(("version", "weights", "text"), [
    ("1", {"2": 0.5, "3": 0.1}, "Number of items in AdditionalVersionWeights cannot be greater than 1"),
    ("$LATEST", {"1": 0.5}, "$LATEST is not supported for an alias pointing to more than 1 version"),
    ("1", {"1": 0.5}, "Invalid function version 1. Function version 1 is already included in routing configuration."),
])
def test_routing_rules(version, weights, text):
    with pytest.raises(InvalidParameterValueException) as excinfo:
        aliases.check_routing(version, weights)
    assert excinfo.value.message == text


def test_alias_names_are_qualifiers_that_are_neither_latest_nor_numbers():
    assert aliases.is_alias_name("live") and aliases.is_alias_name("2024-01-02")
    assert not aliases.is_alias_name("$LATEST") and not aliases.is_alias_name("12")
    assert not aliases.is_alias_name(None)
