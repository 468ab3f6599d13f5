"""Property tests (hypothesis): numbers, key encoding, value equality, parser round-trips, robustness."""

from __future__ import annotations

import base64
from decimal import Context, Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riverbed.errors import ValidationException
from riverbed.services.dynamodb.expressions import (
    And,
    AttributeExists,
    AttributeNotExists,
    AttributeType,
    BeginsWith,
    Between,
    Comparison,
    Contains,
    ExpressionAttributes,
    In,
    Node,
    Not,
    Or,
    Path,
    Size,
    Value,
    apply_update,
    evaluate_condition,
    parse_condition,
    parse_key_condition,
    parse_projection,
    parse_update,
    project,
)
from riverbed.services.dynamodb.expressions.tokens import is_reserved
from riverbed.services.dynamodb.types import (
    compare_values,
    copy_value,
    decode_key_value,
    encode_key_value,
    item_equal,
    item_size,
    normalize_number,
    number_size,
    validate_value,
    value_size,
    values_equal,
)

SETTINGS = settings(
    max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)

# --- strategies ----------------------------------------------------------------------------------


@st.composite
def number_texts(draw: Any) -> str:
    """Valid DynamoDB number text in varied spellings (exponents, padding, signs)."""
    mantissa = draw(st.integers(0, 10**38 - 1))
    length = len(str(mantissa))
    exponent = draw(
        st.integers(-200, 200) if mantissa == 0 else st.integers(-130 - (length - 1), 125 - (length - 1))
    )
    sign = draw(st.sampled_from(["", "-", "+"]))
    style = draw(st.sampled_from(["plain", "sci", "padded"]))
    if style == "sci":
        return f"{sign}{mantissa}{draw(st.sampled_from(['e', 'E']))}{exponent}"
    text = format(Decimal(mantissa).scaleb(exponent, context=Context(prec=100)), "f")
    if style == "padded":
        text = "00" + text + ("0" if "." in text else ".000")
    return sign + text


def numbers() -> st.SearchStrategy[str]:
    return number_texts().map(normalize_number)


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


scalar_values = st.one_of(
    st.builds(lambda s: {"S": s}, st.text(max_size=8)),
    st.builds(lambda n: {"N": n}, numbers()),
    st.builds(lambda b: {"B": b64(b)}, st.binary(max_size=8)),
)
simple_values = st.one_of(
    scalar_values,
    st.builds(lambda b: {"BOOL": b}, st.booleans()),
    st.just({"NULL": True}),
    st.builds(lambda s: {"SS": sorted(s)}, st.sets(st.text(max_size=4), min_size=1, max_size=4)),
    st.builds(lambda s: {"NS": sorted(s)}, st.sets(st.integers(-50, 50).map(str), min_size=1, max_size=4)),
    st.builds(
        lambda s: {"BS": [b64(x) for x in sorted(s)]}, st.sets(st.binary(max_size=3), min_size=1, max_size=3)
    ),
)
attribute_values = st.recursive(
    simple_values,
    lambda children: st.one_of(
        st.builds(lambda items: {"L": items}, st.lists(children, max_size=3)),
        st.builds(lambda items: {"M": items}, st.dictionaries(st.text(max_size=4), children, max_size=3)),
    ),
    max_leaves=8,
)


# --- numbers ---------------------------------------------------------------------------------------


@SETTINGS
@given(number_texts())
def test_normalize_number_is_idempotent_and_value_preserving(text: str) -> None:
    canonical = normalize_number(text)
    assert normalize_number(canonical) == canonical
    assert Decimal(canonical) == Decimal(text)
    assert "e" not in canonical.lower() and "+" not in canonical and canonical != "-0"
    if "." in canonical:
        assert not canonical.endswith("0") and not canonical.endswith(".")
    digits = canonical.lstrip("-")
    assert digits == "0" or not digits.startswith("0") or digits.startswith("0.")


@SETTINGS
@given(number_texts())
def test_number_size_depends_on_the_value_only(text: str) -> None:
    size = number_size(text)
    assert size == number_size(normalize_number(text))
    assert 1 <= size <= 22
    assert (size == 1) == (Decimal(text) == 0)


@SETTINGS
@given(st.text(max_size=12))
def test_arbitrary_text_is_a_number_or_a_validation_error(text: str) -> None:
    try:
        canonical = normalize_number(text)
    except ValidationException:
        return
    assert Decimal(canonical) == Decimal(text)


# --- key encoding ----------------------------------------------------------------------------------


def _sign(x: int) -> int:
    return (x > 0) - (x < 0)


@SETTINGS
@given(number_texts(), number_texts())
def test_number_encoding_preserves_order(a: str, b: str) -> None:
    left, right = encode_key_value({"N": a}), encode_key_value({"N": b})
    expected = _sign((Decimal(a) > Decimal(b)) - (Decimal(a) < Decimal(b)))
    assert _sign((left > right) - (left < right)) == expected
    assert (left == right) == (Decimal(a) == Decimal(b))
    assert compare_values({"N": a}, {"N": b}) == expected


@SETTINGS
@given(number_texts())
def test_number_encoding_round_trips(text: str) -> None:
    assert decode_key_value("N", encode_key_value({"N": text})) == {"N": normalize_number(text)}


@SETTINGS
@given(st.text(), st.text())
def test_string_encoding_preserves_order(a: str, b: str) -> None:
    left, right = encode_key_value({"S": a}), encode_key_value({"S": b})
    assert _sign((left > right) - (left < right)) == compare_values({"S": a}, {"S": b})
    assert decode_key_value("S", left) == {"S": a}


@SETTINGS
@given(st.binary(), st.binary())
def test_binary_encoding_preserves_order(a: bytes, b: bytes) -> None:
    left, right = encode_key_value({"B": b64(a)}), encode_key_value({"B": b64(b)})
    assert _sign((left > right) - (left < right)) == _sign((a > b) - (a < b))
    assert decode_key_value("B", left) == {"B": b64(a)}


# --- values ----------------------------------------------------------------------------------------


@SETTINGS
@given(attribute_values, attribute_values)
def test_equality_copy_size_and_validation(a: dict, b: dict) -> None:
    assert validate_value(a) == a  # generated values are already canonical
    assert values_equal(a, a) and values_equal(a, copy_value(a))
    assert values_equal(a, b) == values_equal(b, a)
    assert value_size(a) >= 0
    item = {"x": a, "y": b}
    assert item_size(item) == 2 + value_size(a) + value_size(b)
    assert item_equal(item, {"y": copy_value(b), "x": copy_value(a)})
    assert project(item, [("x",), ("y",)]) == item


# --- parser round trip ------------------------------------------------------------------------------

PATHS = [("a",), ("b",), ("c",), ("status",), ("m", "x"), ("m", "status"), ("l", 0), ("l", 1)]
TYPE_NAMES = ["S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"]


class Render:
    """Builds expression text and its ExpressionAttributes while the expected AST is drawn."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.values: dict[str, dict] = {}

    def path(self, elements: tuple) -> str:
        parts = []
        for element in elements:
            if isinstance(element, int):
                parts[-1] += f"[{element}]"
            elif is_reserved(element):
                ref = f"#n{len(self.names)}"
                self.names[ref] = element
                parts.append(ref)
            else:
                parts.append(element)
        return ".".join(parts)

    def value(self, av: dict) -> tuple[str, Value]:
        ref = f":v{len(self.values)}"
        self.values[ref] = av
        return ref, Value(validate_value(av), ref)


def _leaf(draw: Any, render: Render) -> tuple[str, Node]:
    path = draw(st.sampled_from(PATHS))
    text = render.path(path)
    kind = draw(
        st.sampled_from(
            [
                "compare",
                "order",
                "path_compare",
                "between",
                "in",
                "exists",
                "not_exists",
                "type",
                "begins",
                "contains",
                "size",
            ]
        )
    )
    if kind in ("compare", "order"):
        op = draw(st.sampled_from(["=", "<>"] if kind == "compare" else ["<", "<=", ">", ">="]))
        ref, value = render.value(draw(attribute_values if kind == "compare" else scalar_values))
        if draw(st.booleans()):
            return f"{text} {op} {ref}", Comparison(op, Path(path), value)
        return f"{ref} {op} {text}", Comparison(op, value, Path(path))
    if kind == "path_compare":
        other = draw(st.sampled_from([p for p in PATHS if p != path]))
        op = draw(st.sampled_from(["=", "<>", "<", "<=", ">", ">="]))
        return f"{text} {op} {render.path(other)}", Comparison(op, Path(path), Path(other))
    if kind == "between":
        low, high = sorted(draw(st.lists(numbers(), min_size=2, max_size=2)), key=Decimal)
        low_ref, low_value = render.value({"N": low})
        high_ref, high_value = render.value({"N": high})
        keyword = draw(st.sampled_from(["BETWEEN", "between"]))
        return (
            f"{text} {keyword} {low_ref} {draw(st.sampled_from(['AND', 'and']))} {high_ref}",
            Between(Path(path), low_value, high_value),
        )
    if kind == "in":
        candidates = [render.value(av) for av in draw(st.lists(attribute_values, min_size=1, max_size=4))]
        return (
            f"{text} {draw(st.sampled_from(['IN', 'in']))} ({', '.join(ref for ref, _ in candidates)})",
            In(Path(path), tuple(value for _, value in candidates)),
        )
    if kind == "exists":
        return f"attribute_exists({text})", AttributeExists(Path(path))
    if kind == "not_exists":
        return f"attribute_not_exists ({text})", AttributeNotExists(Path(path))
    if kind == "type":
        ref, value = render.value({"S": draw(st.sampled_from(TYPE_NAMES))})
        return f"attribute_type({text}, {ref})", AttributeType(Path(path), value)
    if kind == "begins":
        ref, value = render.value(
            draw(
                st.one_of(
                    st.builds(lambda s: {"S": s}, st.text(max_size=3)),
                    st.builds(lambda b: {"B": b64(b)}, st.binary(max_size=2)),
                )
            )
        )
        return f"begins_with({text}, {ref})", BeginsWith(Path(path), value)
    if kind == "contains":
        ref, value = render.value(draw(simple_values))
        return f"contains({text},{ref})", Contains(Path(path), value)
    ref, value = render.value({"N": str(draw(st.integers(0, 4)))})
    op = draw(st.sampled_from(["=", "<>", "<", "<=", ">", ">="]))
    return f"size({text}) {op} {ref}", Comparison(op, Size(Path(path)), value)


def _condition(draw: Any, render: Render, depth: int) -> tuple[str, Node]:
    if depth >= 3 or draw(st.integers(0, 2)) == 0:
        text, node = _leaf(draw, render)
        return (f"({text})" if draw(st.integers(0, 5)) == 0 else text), node
    kind = draw(st.sampled_from(["and", "or", "not"]))

    def child() -> tuple[str, Node]:
        text, node = _condition(draw, render, depth + 1)
        # Only leaves are ever pre-wrapped, so wrapping compound children never doubles parentheses.
        return (f"({text})" if isinstance(node, (And, Or, Not)) else text), node

    if kind == "not":
        text, node = child()
        return f"{draw(st.sampled_from(['NOT', 'not']))} {text}", Not(node)
    (left_text, left), (right_text, right) = child(), child()
    keyword = draw(st.sampled_from(["AND", "and", "aNd"] if kind == "and" else ["OR", "or"]))
    return f"{left_text} {keyword} {right_text}", (And if kind == "and" else Or)(left, right)


@st.composite
def rendered_conditions(draw: Any) -> tuple[str, Node, Render]:
    render = Render()
    text, node = _condition(draw, render, 0)
    return text, node, render


items = st.fixed_dictionaries(
    {},
    optional={
        "a": st.sampled_from([{"N": "1"}, {"N": "2"}, {"S": "a"}, {"S": "1"}]),
        "b": st.sampled_from([{"N": "1"}, {"N": "2.0"}, {"S": "a"}, {"B": "YQ=="}, {"BOOL": True}]),
        "c": attribute_values,
        "status": st.sampled_from([{"S": "a"}, {"S": "ab"}, {"N": "2"}, {"SS": ["a", "b"]}]),
        "m": st.builds(
            lambda x, s: {"M": {**({"x": x} if x else {}), **({"status": s} if s else {})}},
            st.none() | scalar_values,
            st.none() | scalar_values,
        ),
        "l": st.builds(lambda items: {"L": items}, st.lists(simple_values, max_size=3)),
    },
)


def _py(av: dict) -> tuple[str, Any]:
    """An independent model of a value: (type, Python value) with DynamoDB's equality."""
    kind, raw = next(iter(av.items()))
    if kind == "N":
        return kind, Decimal(raw)
    if kind == "B":
        return kind, base64.b64decode(raw)
    if kind in ("SS", "NS", "BS"):
        return kind, frozenset(_py({kind[0]: element})[1] for element in raw)
    if kind == "L":
        return kind, tuple(_py(element) for element in raw)
    if kind == "M":
        return kind, frozenset((name, _py(child)) for name, child in raw.items())
    return kind, raw


def _lookup(item: dict, node: Node) -> tuple[str, Any] | None:
    if isinstance(node, Value):
        return _py(node.value)
    if isinstance(node, Size):
        inner = _lookup(item, node.operand)
        if inner is None or inner[0] in ("N", "BOOL", "NULL"):
            return None
        return "N", Decimal(len(inner[1].encode()) if inner[0] == "S" else len(inner[1]))
    assert isinstance(node, Path)
    current: Any = item.get(node.elements[0])
    for element in node.elements[1:]:
        if current is None:
            return None
        if isinstance(element, int):
            current = current["L"][element] if "L" in current and element < len(current["L"]) else None
        else:
            current = current["M"].get(element) if "M" in current else None
    return None if current is None else _py(current)


def oracle(node: Node, item: dict) -> bool:
    """A second, independently written evaluator for the generated conditions."""
    if isinstance(node, And):
        return oracle(node.left, item) and oracle(node.right, item)
    if isinstance(node, Or):
        return oracle(node.left, item) or oracle(node.right, item)
    if isinstance(node, Not):
        return not oracle(node.operand, item)
    if isinstance(node, AttributeExists):
        return _lookup(item, node.path) is not None
    if isinstance(node, AttributeNotExists):
        return _lookup(item, node.path) is None
    if isinstance(node, AttributeType):
        value = _lookup(item, node.operand)
        return value is not None and value[0] == node.type.value["S"]  # type: ignore[attr-defined]
    if isinstance(node, BeginsWith):
        value, prefix = _lookup(item, node.operand), _lookup(item, node.prefix)
        return (
            value is not None
            and prefix is not None
            and value[0] == prefix[0] in ("S", "B")
            and value[1].startswith(prefix[1])
        )
    if isinstance(node, Contains):
        container, value = _lookup(item, node.operand), _lookup(item, node.value)
        if container is None or value is None:
            return False
        if container[0] in ("S", "B"):
            return value[0] == container[0] and value[1] in container[1]
        if container[0] in ("SS", "NS", "BS"):
            return value[0] == container[0][0] and value[1] in container[1]
        return container[0] == "L" and value in container[1]
    if isinstance(node, In):
        value = _lookup(item, node.operand)
        return value is not None and any(value == _lookup(item, candidate) for candidate in node.candidates)
    if isinstance(node, Between):
        value, low, high = (_lookup(item, n) for n in (node.operand, node.low, node.high))
        if value is None or low is None or high is None or value[0] not in ("S", "N", "B"):
            return False
        return value[0] == low[0] == high[0] and low[1] <= value[1] <= high[1]
    assert isinstance(node, Comparison)
    left, right = _lookup(item, node.left), _lookup(item, node.right)
    if node.op == "=":
        return left is not None and left == right
    if node.op == "<>":
        return left is None or right is None or left != right
    if left is None or right is None or left[0] != right[0] or left[0] not in ("S", "N", "B"):
        return False
    return {
        "<": left[1] < right[1],
        "<=": left[1] <= right[1],
        ">": left[1] > right[1],
        ">=": left[1] >= right[1],
    }[node.op]


@SETTINGS
@given(rendered_conditions(), items)
def test_rendered_conditions_parse_back_and_evaluate_like_the_oracle(case: tuple, item: dict) -> None:
    text, expected, render = case
    attrs = ExpressionAttributes(render.names or None, render.values or None)
    parsed = parse_condition(text, attrs, "ConditionExpression")
    assert parsed == expected, text
    attrs.check_all_used()
    assert evaluate_condition(parsed, item) == oracle(expected, item), text


# --- robustness: anything that is not a valid expression is a ValidationException -------------------

TOKENS = [
    "a",
    "b",
    "status",
    "#n",
    "#zz",
    ":v",
    ":s",
    ":zz",
    "(",
    ")",
    ",",
    ".",
    "[0]",
    "[",
    "]",
    "=",
    "<>",
    "<",
    ">=",
    "AND",
    "OR",
    "NOT",
    "BETWEEN",
    "IN",
    "size",
    "contains",
    "attribute_exists",
    "attribute_type",
    "begins_with",
    "SET",
    "REMOVE",
    "ADD",
    "DELETE",
    "+",
    "-",
    "if_not_exists",
    "list_append",
    "!",
    "1",
    "dog",
    "ü",
    "#",
    ":",
]
SAMPLE_ITEM = {"a": {"N": "1"}, "b": {"L": [{"N": "1"}]}, "x": {"M": {"y": {"S": "z"}}}, "pk": {"S": "k"}}


def _attrs() -> ExpressionAttributes:
    return ExpressionAttributes({"#n": "x"}, {":v": {"N": "1"}, ":s": {"SS": ["a"]}})


def _exercise(text: str) -> None:
    for parse in (parse_condition, parse_projection):
        try:
            result = parse(text, _attrs())
        except ValidationException:
            continue
        if parse is parse_condition:
            evaluate_condition(result, SAMPLE_ITEM)
        else:
            project(SAMPLE_ITEM, result)
    try:
        plan = parse_update(text, _attrs())
        apply_update(plan, SAMPLE_ITEM)
    except ValidationException:
        pass
    try:
        parse_key_condition(text, _attrs(), "a", "b")
    except ValidationException:
        pass


@SETTINGS
@given(st.lists(st.sampled_from(TOKENS), max_size=14).map(" ".join))
def test_token_soup_raises_only_validation_errors(text: str) -> None:
    _exercise(text)


@SETTINGS
@given(st.text(alphabet=" ()[],.=<>!:#+-abinotdsuvANDORNOTSET0123456789_\"'ü\t", max_size=40))
def test_garbage_raises_only_validation_errors(text: str) -> None:
    _exercise(text)


@SETTINGS
@given(st.text(max_size=30))
def test_any_text_raises_only_validation_errors(text: str) -> None:
    _exercise(text)


# --- updates -----------------------------------------------------------------------------------------


@SETTINGS
@given(
    st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), attribute_values, max_size=4),
    st.dictionaries(st.sampled_from(["a", "b", "e"]), attribute_values, min_size=1, max_size=3),
    st.sets(st.sampled_from(["c", "d", "f"]), max_size=2),
)
def test_top_level_set_and_remove_match_dict_semantics(item: dict, sets: dict, removes: set) -> None:
    values = {f":v{i}": value for i, value in enumerate(sets.values())}
    text = "SET " + ", ".join(f"{name} = :v{i}" for i, name in enumerate(sets))
    if removes:
        text += " REMOVE " + ", ".join(sorted(removes))
    before = {name: copy_value(value) for name, value in item.items()}
    new, touched = apply_update(parse_update(text, ExpressionAttributes(None, values)), item)
    expected = {**item, **sets}
    for name in removes:
        expected.pop(name, None)
    assert new == expected
    assert touched == set(sets) | removes
    assert item == before
