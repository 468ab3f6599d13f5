"""Request validation against an operation's input shape, answered the way each AWS service does.

Owns: turning a shape from the botocore model into a checker (compiled once per operation and style,
lazily, kept in ``ServiceModel.cache``) and running it on a request dict in JSON wire form.  Two kinds
of failure exist, in AWS's order:

* a *type* mismatch (a number where a string belongs, a list where a map belongs) is a failure to
  deserialize: AWS stops at the first one.  DynamoDB answers ``SerializationException`` in the older
  Coral wording (``NUMBER_VALUE cannot be converted to String``); SQS/KMS in the newer one
  (``NUMBER_VALUE can not be converted to a String``); Lambda ``InvalidRequestContentException``.
* *constraint* violations (required, length, range, size, enum, pattern) are collected and reported
  together: ``2 validation errors detected: Value 'x' at 'a.b' failed to satisfy constraint: ...; ...``
  with lowerCamel paths, ``.N.member`` for list elements and ``.<key>.member`` for map values.  DynamoDB,
  Streams, KMS and Lambda say ``ValidationException``; the query services ``ValidationError`` (IAM also
  hides the value); SQS checks only required members (``MissingParameter``) and leaves the rest to the
  service, as SQS does.

Texts come from recorded AWS responses (tests/data/aws-recorded) and from dynalite's tests against DynamoDB
(https://github.com/mhart/dynalite, test/helpers.js).  Unknown members are ignored, as AWS does;
JSON ``null`` counts as absent and is removed from the request, so services never see ``None``; a null
list element or map value is a ``Member must not be null`` violation at that element.  Integer members
given as JSON numbers with a fraction are truncated in place (Coral accepts them: dynalite's tests, run
against DynamoDB, expect ``Limit: 34.56`` to pass), so services always see ``int``; a number outside
Java's int/long range is a type error.

SQS errors follow the awsQueryCompatible convention shared with the gateway: ``code`` is the JSON error
type (``MissingRequiredParameterException``) and ``extra['__query_code']`` the query code
(``MissingParameter``) that the gateway sends in ``x-amzn-query-error`` and boto3 reports as
``Error.Code`` (sqs snapshot: Code ``MissingParameter``, QueryErrorCode ``MissingRequiredParameterException``).

How each style words what it finds lives in ``dialects``.

Must not: know any operation's semantics (cross-field rules belong to the service), or crash on any
input: whatever the request holds, the result is ``None`` or a :class:`ServiceError`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from riverbed.core.models import ServiceModel
from riverbed.errors import ServiceError, ValidationException
from riverbed.protocol.dialects import (
    SCALARS,
    STYLES,
    Mismatch,
    Spec,
    mismatch,
    style_for,
)

__all__ = ["STYLES", "style_for", "validate_input"]

# A recorded constraint violation: (parent, meta, value, shape_name, text); see "compiling shapes into checkers".
Violation = tuple[Any, Any, Any, str | None, str]
Checker = Callable[[Any, Any, Any, list[Violation]], Any]

_NOT_NULL = "Member must not be null"
_JACKSON_BOOLEANS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_BAD = object()  # a scalar test's "violates a constraint"
_B64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_B64_VAL = {c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}
_INF = float("inf")


def validate_input(model: ServiceModel, operation: str, params: Any, style: str | None = None,
                   package: str = "") -> None:
    """Check ``params`` against ``operation``'s input shape; raise the service's ServiceError if bad.

    ``style`` is the dialect (see the module docstring); ``package`` the Java package an older Coral
    deserializer names in its "Unrecognized collection type" texts (DynamoDB and Streams), both data
    on the service description.
    """
    key = ("validate", operation, style, package)
    validator = model.cache.get(key)
    if validator is None:
        validator = model.compiled(key, lambda: _build(model, operation, style or style_for(model), package))
    validator(params)


def _java_double(x: float) -> str:
    """``Double.toString``: plain between 1e-3 and 1e7, else ``1.0E7`` style."""
    if math.isnan(x):
        return "NaN"
    if x in (_INF, -_INF):
        return "Infinity" if x > 0 else "-Infinity"
    ax = abs(x)
    if ax == 0 or 1e-3 <= ax < 1e7:
        text = repr(float(x))
        return text if "." in text else text + ".0"
    from decimal import Decimal  # only on the error path

    sign, digits, exponent = Decimal(repr(float(x))).normalize().as_tuple()
    text = "".join(map(str, digits))
    mantissa = text[0] + "." + (text[1:] or "0")
    return f"{'-' if sign else ''}{mantissa}E{len(text) - 1 + int(exponent)}"


def _blob_len(value: Any) -> int:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return len(value)
    text = value if isinstance(value, str) else ""
    n = len(text)
    pad = 2 if text.endswith("==") else (1 if text.endswith("=") else 0)
    return max(0, n * 3 // 4 - pad)


def _lower_camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def _render(model: ServiceModel, shape_name: str | None, value: Any, depth: int = 0) -> str:
    """Java-style rendering: lists ``[a, b]``, maps ``{k=v}``, structures ``Name(member=value, ...)``."""
    if value is None:
        return "null"
    if depth > 20:
        return "..."
    shape = model.shapes.get(shape_name or "", {})
    if shape.get("sensitive"):
        return "*** Sensitive Data Redacted ***"
    t = shape.get("type")
    if t == "blob" or isinstance(value, (bytes, bytearray)):
        n = _blob_len(value)
        return f"java.nio.HeapByteBuffer[pos=0 lim={n} cap={n}]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _java_double(value)
    if isinstance(value, int):
        return _java_double(float(value)) if t in ("double", "float") else str(value)
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        member = shape.get("member", {}).get("shape") if t == "list" else None
        return "[" + ", ".join(_render(model, member, v, depth + 1) for v in value) + "]"
    if isinstance(value, dict):
        if t == "structure":
            members = shape.get("members", {})
            inner = ", ".join(f"{_lower_camel(m)}={_render(model, ref['shape'], value.get(m), depth + 1)}"
                              for m, ref in members.items())
            return f"{shape_name}({inner})"
        vshape = shape.get("value", {}).get("shape") if t == "map" else None
        return "{" + ", ".join(f"{k}={_render(model, vshape, v, depth + 1)}" for k, v in value.items()) + "}"
    return str(value)


# --- constraint texts ---------------------------------------------------------------------------

def _num_text(shape: dict[str, Any], x: Any) -> str:
    if shape["type"] in ("double", "float"):
        return _java_double(float(x))
    return str(int(x)) if isinstance(x, float) and x.is_integer() else str(x)


def _single_constraints(shape: dict[str, Any], spec: Spec) -> list[tuple[str, str]]:
    """The checks of one scalar shape, in the order DynamoDB reports them (pattern before length)."""
    out: list[tuple[str, str]] = []
    t = shape["type"]
    if t == "string":
        if "enum" in shape:
            if spec.enum_values:
                out.append(("enum", "Member must satisfy enum value set: [" + ", ".join(shape["enum"]) + "]"))
            else:
                out.append(("enum", "Member must satisfy enum value set"))
        if "pattern" in shape and _compile_pattern(shape["pattern"]) is not None:
            out.append(("pattern", f"Member must satisfy regular expression pattern: {shape['pattern']}"))
    if t in ("string", "blob", "list", "map"):
        if "min" in shape:
            out.append(("minlen", f"Member must have length greater than or equal to {int(shape['min'])}"))
        if "max" in shape:
            out.append(("maxlen", f"Member must have length less than or equal to {int(shape['max'])}"))
    elif t in ("integer", "long", "double", "float"):
        if "min" in shape:
            out.append(("min", f"Member must have value greater than or equal to {_num_text(shape, shape['min'])}"))
        if "max" in shape:
            out.append(("max", f"Member must have value less than or equal to {_num_text(shape, shape['max'])}"))
    return out


def _aggregate_text(shape: dict[str, Any], spec: Spec, not_null: bool) -> str:
    """All constraints of an element shape, as Lambda lists them: max, min, pattern, enum, not null."""
    texts = dict(_single_constraints(shape, spec))
    order = ("maxlen", "max", "minlen", "min", "pattern", "enum")
    parts = [texts[k] for k in order if k in texts]
    if not_null:
        parts.append(_NOT_NULL)
    return "[" + ", ".join(parts) + "]"


_pattern_cache: dict[str, Any] = {}


def _compile_pattern(pattern: str) -> Any:
    """``re.fullmatch``-able pattern, or None when Python's ``re`` cannot read the Java regex."""
    if pattern in _pattern_cache:
        return _pattern_cache[pattern]
    try:
        compiled = re.compile(pattern)
    except (re.error, RecursionError, OverflowError):
        compiled = None
    _pattern_cache[pattern] = compiled
    return compiled


# --- compiling shapes into checkers -----------------------------------------------------------------
#
# A checker is ``check(value, parent, meta, errs)``: ``(parent, meta)`` is the value's path node, built
# lazily (a tuple only when a composite descends or an error is recorded).  ``meta`` is a structure
# member's ``(lowerCamelName, index, Name)``, a list element's 1-based index, or a map key.  A checker
# returns None, or a replacement value (an int for a fractional JSON number in an integer member).
# Errors are recorded as ``(parent, meta, value, shape_name, text)``.


class _Compiler:
    def __init__(self, model: ServiceModel, spec: Spec) -> None:
        self.model = model
        self.spec = spec
        self.memo: dict[tuple[str, str], Checker] = {}
        self.tests: dict[str, Callable[[Any], bool]] = {}

    def shape(self, name: str) -> dict[str, Any]:
        return self.model.shapes[name]

    def checker(self, name: str, role: str) -> Checker:
        key = (name, role)
        found = self.memo.get(key)
        if found is not None:
            return found
        cell: list[Checker] = []

        def trampoline(v: Any, parent: Any, meta: Any, errs: list[Violation]) -> Any:  # for recursive shapes
            return cell[0](v, parent, meta, errs)

        self.memo[key] = trampoline
        real = self._build(name, role)
        cell.append(real)
        self.memo[key] = real
        return real

    def _build(self, name: str, role: str) -> Checker:
        shape = self.shape(name)
        t = shape["type"]
        if t == "structure":
            return self._structure(name, shape, role)
        if t == "list":
            return self._list(name, shape, role)
        if t == "map":
            return self._map(name, shape, role)
        return self._scalar(name, shape, role)

    # --- scalars ---------------------------------------------------------------------------------
    def scalar_test(self, name: str) -> Callable[[Any], Any]:
        """``test(v)`` for an element: raises Mismatch on a wrong type; returns None when fine, ``_BAD``
        on a constraint violation, or the coerced value to store instead."""
        found = self.tests.get(name)
        if found is None:
            found = self.tests[name] = self._scalar_test(name, self.shape(name))
        return found

    def _type_guard(self, name: str, shape: dict[str, Any], role: str) -> Callable[[Any], Any]:
        """``guard(v)``: raises Mismatch unless v has the shape's wire type; returns a fixed value or None."""
        t = shape["type"]
        table = self.spec.mismatch_table(self.model, name, role)
        flavor = self.spec.flavor
        if t == "string":
            if flavor == "lambda":
                def guard_lambda_str(v: Any) -> Any:  # Jackson coerces scalars to String
                    if v.__class__ is str:
                        return None
                    if isinstance(v, bool):
                        return "true" if v else "false"
                    if isinstance(v, (int, float)):
                        return str(v)
                    if isinstance(v, str):
                        return None
                    raise mismatch(v, table)
                return guard_lambda_str

            def guard_str(v: Any) -> Any:
                if v.__class__ is str or isinstance(v, str):
                    return None
                raise mismatch(v, table)
            return guard_str
        if t in ("integer", "long"):
            # Java's int/long: a JSON number outside the range does not deserialize (Jackson refuses
            # it as out of range), so a Scan Limit of 10**29 is a type error, not a huge page.
            low, high = (-(2**31), 2**31 - 1) if t == "integer" else (-(2**63), 2**63 - 1)

            def guard_int(v: Any) -> Any:
                if v.__class__ is int and low <= v <= high:
                    return None
                if isinstance(v, float) and math.isfinite(v) and low <= v < high + 1:
                    return int(v)
                if isinstance(v, int) and not isinstance(v, bool) and low <= v <= high:
                    return None
                if flavor == "lambda" and isinstance(v, str):
                    try:
                        n = int(v.strip())
                    except ValueError:
                        n = None
                    if n is not None and low <= n <= high:
                        return n
                raise mismatch(v, table)
            return guard_int
        if t in ("double", "float", "timestamp"):
            def guard_num(v: Any) -> Any:
                if (v.__class__ is float or v.__class__ is int) and v is not True and v is not False:
                    return None
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    return None
                if flavor == "lambda" and isinstance(v, str):
                    try:
                        return float(v)
                    except ValueError:
                        pass
                raise mismatch(v, table)
            return guard_num
        if t == "boolean":
            def guard_bool(v: Any) -> Any:
                if v is True or v is False:
                    return None
                # Jackson's textual booleans: exactly these six spellings (StdDeserializer._isTrue/_isFalse).
                if flavor == "lambda" and isinstance(v, str) and v in _JACKSON_BOOLEANS:
                    return _JACKSON_BOOLEANS[v]
                raise mismatch(v, table)
            return guard_bool
        if t == "blob":
            strict = flavor == "old"

            def guard_blob(v: Any) -> Any:
                if isinstance(v, str):
                    if strict:
                        _check_base64(v)
                    return None
                if isinstance(v, (bytes, bytearray, memoryview)):
                    return None
                raise mismatch(v, table)
            return guard_blob

        def guard_any(v: Any) -> Any:
            return None
        return guard_any

    def _violations(self, shape: dict[str, Any]) -> list[tuple[str, Callable[[Any], bool]]]:
        """(text, ok(v)) pairs for the constraints of a scalar, in report order."""
        out: list[tuple[str, Callable[[Any], bool]]] = []
        if not self.spec.constraints:
            return out
        t = shape["type"]
        for kind, text in _single_constraints(shape, self.spec):
            if kind == "enum":
                out.append((text, frozenset(shape["enum"]).__contains__))
            elif kind == "pattern":
                out.append((text, _pattern_ok(_compile_pattern(shape["pattern"]))))
            else:
                out.append((text, _bound(kind, shape["min" if kind.startswith("min") else "max"], t)))
        return out

    def _scalar(self, name: str, shape: dict[str, Any], role: str) -> Checker:
        guard = self._type_guard(name, shape, role)
        checks = tuple(self._violations(shape))
        t = shape["type"]
        if t == "string" and self.spec.flavor != "lambda" and not checks:
            table = self.spec.mismatch_table(self.model, name, role)

            def check_plain_str(v: Any, parent: Any, meta: Any, errs: list[Violation]) -> Any:
                if v.__class__ is str or isinstance(v, str):
                    return None
                raise mismatch(v, table)
            return check_plain_str

        def check_scalar(v: Any, parent: Any, meta: Any, errs: list[Violation]) -> Any:
            fixed = guard(v)
            if fixed is not None:
                v = fixed
            for text, ok in checks:
                if not ok(v):
                    errs.append((parent, meta, v, name, text))
            return fixed
        return check_scalar

    def _scalar_test(self, name: str, shape: dict[str, Any]) -> Callable[[Any], Any]:
        guard = self._type_guard(name, shape, "value")
        checks = tuple(ok for _, ok in self._violations(shape))

        def test(v: Any) -> Any:
            fixed = guard(v)
            for ok in checks:
                if not ok(v if fixed is None else fixed):
                    return _BAD
            return fixed
        return test

    # --- composites ------------------------------------------------------------------------------
    def _structure(self, name: str, shape: dict[str, Any], role: str) -> Checker:
        table = self.spec.mismatch_table(self.model, name, role)
        members: dict[str, tuple[Checker, tuple[str, int, str]]] = {}
        required: list[tuple[str, tuple[str, int, str]]] = []
        required_names = set(shape.get("required", ()))
        for index, (mname, ref) in enumerate(shape.get("members", {}).items()):
            location_meta = (_lower_camel(mname), index, mname)
            members[mname] = (self.checker(ref["shape"], "field"), location_meta)
            if mname in required_names:
                required.append((mname, location_meta))
        required_t = tuple(required)
        # SQS treats an empty string like a missing parameter ("The request must contain the parameter
        # MessageBody." for MessageBody="" as well).
        missing: tuple[Any, ...] = (None, "") if self.spec.style == "sqs" else (None,)

        def check_structure(v: Any, parent: Any, meta: Any, errs: list[Violation]) -> Any:
            if v.__class__ is not dict and not isinstance(v, dict):
                raise mismatch(v, table)
            here = None if meta is None else (parent, meta)
            absent = None
            for k, x in v.items():
                if x is None:  # a JSON null member is an absent member (Coral); services never see None
                    absent = [k] if absent is None else [*absent, k]
                    continue
                m = members.get(k)
                if m is None:
                    continue
                fixed = m[0](x, here, m[1], errs)
                if fixed is not None:
                    v[k] = fixed
            if absent is not None:
                for k in absent:
                    del v[k]
            for rname, rmeta in required_t:
                if v.get(rname) in missing:
                    errs.append((here, rmeta, None, None, _NOT_NULL))
            return None
        return check_structure

    def _list(self, name: str, shape: dict[str, Any], role: str) -> Checker:
        table = self.spec.mismatch_table(self.model, name, role)
        member_name = shape["member"]["shape"]
        member = self.shape(member_name)
        size = tuple(self._violations(shape))
        if member["type"] in SCALARS:
            test = self.scalar_test(member_name)
            aggregate = "Member must satisfy constraint: " + _aggregate_text(member, self.spec, True)

            def check_scalar_list(v: Any, parent: Any, meta: Any, errs: list[Violation]) -> Any:
                if v.__class__ is not list and not isinstance(v, list):
                    raise mismatch(v, table)
                for text, ok in size:
                    if not ok(v):
                        errs.append((parent, meta, v, name, text))
                bad = False
                for i, x in enumerate(v):
                    fixed = _BAD if x is None else test(x)
                    if fixed is _BAD:
                        bad = True
                    elif fixed is not None:
                        v[i] = fixed
                if bad and self.spec.constraints:
                    errs.append((parent, meta, v, name, aggregate))
                return None
            return check_scalar_list

        element = self.checker(member_name, "value")

        def check_list(v: Any, parent: Any, meta: Any, errs: list[Violation]) -> Any:
            if v.__class__ is not list and not isinstance(v, list):
                raise mismatch(v, table)
            for text, ok in size:
                if not ok(v):
                    errs.append((parent, meta, v, name, text))
            here = None if meta is None else (parent, meta)
            for i, x in enumerate(v, 1):
                if x is None:  # a null element is a constraint violation at that element
                    errs.append((here, i, None, None, _NOT_NULL))
                    continue
                fixed = element(x, here, i, errs)
                if fixed is not None:
                    v[i - 1] = fixed
            return None
        return check_list

    def _map(self, name: str, shape: dict[str, Any], role: str) -> Checker:
        table = self.spec.mismatch_table(self.model, name, role)
        size = tuple(self._violations(shape))
        key_shape = self.shape(shape["key"]["shape"])
        key_checks = tuple(ok for _, ok in self._violations(key_shape))
        key_text = "Map keys must satisfy constraint: " + _aggregate_text(key_shape, self.spec, False)
        value_name = shape["value"]["shape"]
        value_shape = self.shape(value_name)
        value_text = "Map value must satisfy constraint: " + _aggregate_text(value_shape, self.spec, True)
        if value_shape["type"] in SCALARS:
            value_test, value_check = self.scalar_test(value_name), None
        else:
            value_test, value_check = None, self.checker(value_name, "value")
        constraints = self.spec.constraints

        def check_map(v: Any, parent: Any, meta: Any, errs: list[Violation]) -> Any:
            if v.__class__ is not dict and not isinstance(v, dict):
                raise mismatch(v, table)
            for text, ok in size:
                if not ok(v):
                    errs.append((parent, meta, v, name, text))
            bad_key = bad_value = False
            if key_checks:
                bad_key = any(not ok(k) for k in v for ok in key_checks)
            if value_check is not None:
                here = None if meta is None else (parent, meta)
                for k, x in v.items():
                    if x is None:
                        bad_value = True
                        continue
                    fixed = value_check(x, here, k, errs)
                    if fixed is not None:
                        v[k] = fixed
            else:
                for k, x in v.items():
                    fixed = _BAD if x is None else value_test(x)  # type: ignore[misc]
                    if fixed is _BAD:
                        bad_value = True
                    elif fixed is not None:
                        v[k] = fixed
            if constraints:
                if bad_key:
                    errs.append((parent, meta, v, name, key_text))
                if bad_value:
                    errs.append((parent, meta, v, name, value_text))
            return None
        return check_map


def _pattern_ok(rx: Any) -> Callable[[Any], bool]:
    fullmatch = rx.fullmatch

    def ok(v: Any) -> bool:
        try:
            return fullmatch(v) is not None
        except (TypeError, RecursionError):
            return True
    return ok


def _bound(kind: str, limit: float, t: str) -> Callable[[Any], bool]:
    """ok(v) for ``min``/``max`` (values) and ``minlen``/``maxlen`` (lengths; a blob's decoded size)."""
    size: Callable[[Any], Any] = (lambda v: v) if kind in ("min", "max") else (_blob_len if t == "blob" else len)
    if kind.startswith("min"):
        return lambda v: bool(size(v) >= limit)
    return lambda v: bool(size(v) <= limit)


def _check_base64(text: str) -> None:
    """DynamoDB's base64 checks (dynalite test/helpers.js): length first, then the last character."""
    n = len(text)
    if n % 4:
        raise Mismatch(f"Base64 encoded length is expected a multiple of 4 bytes but found: {n}")
    if not n:
        return
    bad = "Invalid last non-pad Base64 character dectected"  # sic
    if _B64.fullmatch(text) is None:
        raise Mismatch(bad)
    stripped = text.rstrip("=")
    pad = n - len(stripped)
    if not stripped:
        raise Mismatch(bad)
    last = _B64_VAL[stripped[-1]]
    if (pad == 1 and last & 0x3) or (pad == 2 and last & 0xF):
        raise Mismatch(bad)


# --- running ---------------------------------------------------------------------------------------

def _path_nodes(parent: Any, meta: Any) -> list[Any]:
    metas = [meta]
    node = parent
    guard = 0
    while node is not None and guard < 1000:
        node, m = node
        metas.append(m)
        guard += 1
    metas.reverse()
    return metas


def _segment(meta: Any) -> str:
    if isinstance(meta, tuple):
        return str(meta[0])
    return f"{meta}.member"


def _order(meta: Any) -> Any:
    if isinstance(meta, tuple):
        return meta[1]
    if isinstance(meta, int):
        return meta
    return 0


def _build(model: ServiceModel, operation: str, style: str, package: str) -> Callable[[Any], None]:
    spec = Spec(model, style, package)
    input_name = model.input_shape_name(operation)
    if input_name is None:
        def validate_nothing(params: Any) -> None:
            return None
        return validate_nothing
    compiler = _Compiler(model, spec)
    root = compiler.checker(input_name, "root")

    def validate(params: Any) -> None:
        errs: list[Violation] = []
        try:
            root({} if params is None else params, None, None, errs)
        except Mismatch as exc:
            raise spec.raise_mismatch(exc.message) from None
        except RecursionError:
            raise spec.raise_mismatch("") from None
        if errs:
            raise _report(model, spec, errs)
    return validate


def _report(model: ServiceModel, spec: Spec, errs: list[Violation]) -> ServiceError:
    entries = []
    for parent, meta, value, shape_name, text in errs:
        metas = _path_nodes(parent, meta)
        entries.append((tuple(_order(m) for m in metas), metas, value, shape_name, text))
    if len(entries) > 1:
        entries.sort(key=lambda e: e[0])
    if spec.style == "sqs":
        # SQS names the first missing parameter as it is spelled on the wire.
        metas = entries[0][1]
        last = metas[-1]
        pname = last[2] if isinstance(last, tuple) else _segment(last)
        return ServiceError(f"The request must contain the parameter {pname}.",
                            code="MissingRequiredParameterException", extra={"__query_code": "MissingParameter"})
    parts = []
    for _, metas, value, shape_name, text in entries:
        path = ".".join(_segment(m) for m in metas)
        shape = model.shapes.get(shape_name or "", {})
        if value is None:
            shown = "Value null at"
        elif spec.hide_values or shape.get("sensitive"):
            shown = "Value at"
        else:
            shown = f"Value '{_render(model, shape_name, value)}' at"
        parts.append(f"{shown} '{path}' failed to satisfy constraint: {text}")
    n = len(parts)
    message = f"{n} validation error{'s' if n > 1 else ''} detected: " + "; ".join(parts)
    if spec.code == "ValidationError":
        return ServiceError(message, code="ValidationError")
    return ValidationException(message)
