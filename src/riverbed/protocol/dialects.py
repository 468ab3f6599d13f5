"""Validation dialects: how each AWS front end words a request that fails its input shape.

Owns: the styles (``coral`` — DynamoDB and Streams, older or newer Coral deserializer —, ``lambda`` —
Jackson —, ``sqs``, ``query``, ``iam``), the default style of a model's protocol, the JSON kind of a wire
value, and :class:`Spec`, the texts each style gives a type mismatch (by target type and by where the
value sits), its error code and which constraints it reports.  A service description names its style and,
for the older Coral deserializer, the Java package its texts name.

Must not: walk requests or compile shapes (``validate`` does); it only words what ``validate`` finds.
"""

from __future__ import annotations

from typing import Any

from riverbed.core.models import ServiceModel
from riverbed.errors import SerializationException, ServiceError

__all__ = ["STYLES", "style_for"]

STYLES = ("coral", "lambda", "sqs", "query", "iam")

CAST_MSG = ("class sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl cannot be cast to class "
            "java.lang.Class (sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl and "
            "java.lang.Class are in module java.base of loader 'bootstrap')")
SCALARS = frozenset(("string", "integer", "long", "boolean", "double", "float", "blob", "timestamp"))


def style_for(model: ServiceModel) -> str:
    """The default validation style of a model's protocol; a service description names its own."""
    protocol = model.protocol
    if protocol == "query" or protocol == "ec2" or model.name == "cloudwatch":
        return "query"
    if protocol == "rest-json":
        return "lambda"
    return "coral"




class Mismatch(Exception):
    """A type mismatch found while walking the request: becomes the style's serialization error."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def json_kind(value: Any) -> str:
    """The JSON kind of a wire value, as the mismatch tables name it."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "list"
    if isinstance(value, dict):
        return "dict"
    return "other"


def mismatch(value: Any, table: dict[str, str]) -> Mismatch:
    return Mismatch(table.get(json_kind(value)) or table.get("*", ""))


_JAVA_SCALAR = {"string": "java.lang.String", "integer": "java.lang.Integer", "long": "java.lang.Long",
                "boolean": "java.lang.Boolean", "double": "java.lang.Double", "float": "java.lang.Float",
                "blob": "java.nio.ByteBuffer", "timestamp": "java.util.Date"}
_TITLE = {"string": "String", "integer": "Integer", "long": "Long", "boolean": "Boolean", "double": "Double",
          "float": "Float", "timestamp": "Date", "blob": "Blob"}
_ARTICLE = {"Integer": "an Integer", "Boolean": "a Boolean"}


class Spec:
    """How one style words its errors."""

    __slots__ = ("code", "constraints", "enum_values", "flavor", "hide_values", "package", "style")

    def __init__(self, model: ServiceModel, style: str, package: str = "") -> None:
        if style not in STYLES:
            raise ValueError(f"unknown validation style {style!r}")
        self.style = style
        self.package = package
        self.flavor = "lambda" if style == "lambda" else ("old" if self.package else "new")
        self.code = "ValidationError" if style in ("query", "iam") else "ValidationException"
        self.hide_values = style == "iam"  # IAM answers "Value at 'x'" and no enum list (iam snapshot)
        self.enum_values = style != "iam"
        self.constraints = style != "sqs"  # SQS validates its parameters in the service layer

    # The texts a type mismatch produces, by target type and by where the value sits.
    def mismatch_table(self, model: ServiceModel, name: str, role: str) -> dict[str, str]:
        shape = model.shapes[name]
        t = shape["type"]
        if self.flavor == "old":
            return self._old_table(model, name, shape, t, role)
        if self.flavor == "lambda":
            return self._lambda_table(name, t)
        return self._new_table(t)

    def java_type(self, model: ServiceModel, shape_name: str, depth: int = 0) -> str:
        shape = model.shapes.get(shape_name, {})
        t = shape.get("type", "structure")
        if t in _JAVA_SCALAR:
            return _JAVA_SCALAR[t]
        if depth > 8:
            return "java.lang.Object"
        if t == "list":
            return f"java.util.List<{self.java_type(model, shape['member']['shape'], depth + 1)}>"
        if t == "map":
            return f"java.util.Map<java.lang.String, {self.java_type(model, shape['value']['shape'], depth + 1)}>"
        return f"{self.package}.{shape_name}" if self.package else shape_name

    def _old_table(self, model: ServiceModel, name: str, shape: dict[str, Any], t: str, role: str) -> dict[str, str]:
        # dynalite test/helpers.js, assertType, recorded against DynamoDB.
        start_map = "Start of structure or map found where not expected"
        if t in ("string", "integer", "long", "double", "float", "timestamp"):
            title = _TITLE[t]
            table = {"true": f"TRUE_VALUE cannot be converted to {title}",
                     "false": f"FALSE_VALUE cannot be converted to {title}",
                     "int": f"NUMBER_VALUE cannot be converted to {title}",
                     "float": f"DECIMAL_VALUE cannot be converted to {title}",
                     "string": f"STRING_VALUE cannot be converted to {title}",
                     "list": f"Unrecognized collection type class {_JAVA_SCALAR[t]}",
                     "dict": start_map}
            return table
        if t == "boolean":
            return {"string": "Unexpected token received from parser",
                    "int": "NUMBER_VALUE cannot be converted to Boolean",
                    "float": "DECIMAL_VALUE cannot be converted to Boolean",
                    "list": "Unrecognized collection type class java.lang.Boolean", "dict": start_map}
        if t == "blob":
            only = "only base-64-encoded strings are convertible to bytes"
            return {"true": only, "false": only, "int": only, "float": only,
                    "list": "Unrecognized collection type class java.nio.ByteBuffer", "dict": start_map}
        if t == "list":
            member = model.shapes[shape["member"]["shape"]]
            scalar = "Unexpected field type" if member["type"] in SCALARS else CAST_MSG
            return {"*": scalar, "dict": start_map}
        if t == "map":
            value = model.shapes[shape["value"]["shape"]]
            scalar = CAST_MSG if value["type"] in ("list", "map") else "Unexpected field type"
            java = self.java_type(model, shape["value"]["shape"])
            return {"*": scalar, "list": f"Unrecognized collection type java.util.Map<java.lang.String, {java}>"}
        # structure: as a list element or map value Coral says "value", as a member "field".
        scalar = "Unexpected value type in payload" if role == "value" else "Unexpected field type"
        return {"*": scalar, "list": f"Unrecognized collection type class {self.package}.{name}"}

    @staticmethod
    def _new_table(t: str) -> dict[str, str]:
        # Newer Coral deserializer (SQS, KMS, Athena...): texts recorded by emulators that probe AWS.
        start_list = "Start of list found where not expected"
        start_map = "Start of structure or map found where not expected."
        if t in ("list",):
            return {"*": "Expected list or null", "dict": start_map}
        if t in ("structure", "map"):
            return {"*": "Expected null", "list": start_list}
        title = _TITLE.get(t, "String")
        target = _ARTICLE.get(title, f"a {title}")
        table = {"true": f"TRUE_VALUE can not be converted to {target}",
                 "false": f"FALSE_VALUE can not be converted to {target}",
                 "int": f"NUMBER_VALUE can not be converted to {target}",
                 "float": f"NUMBER_VALUE can not be converted to {target}",
                 "string": f"STRING_VALUE can not be converted to {target}",
                 "list": start_list, "dict": start_map}
        if t == "boolean":
            table["string"] = "STRING_VALUE can not be converted to an Boolean"  # sic, as AWS says it
        return table

    def _lambda_table(self, name: str, t: str) -> dict[str, str]:
        # Lambda parses bodies with Jackson and answers InvalidRequestContentException.
        prefix = "Could not parse request body into json: Could not parse payload into json: "
        java = _JAVA_SCALAR.get(t) or ("java.util.ArrayList" if t == "list" else
                                       "java.util.LinkedHashMap" if t == "map" else name)
        found = {"true": "Boolean value (token `JsonToken.VALUE_TRUE`)",
                 "false": "Boolean value (token `JsonToken.VALUE_FALSE`)",
                 "int": "Integer value (token `JsonToken.VALUE_NUMBER_INT`)",
                 "float": "Floating-point value (token `JsonToken.VALUE_NUMBER_FLOAT`)",
                 "string": "String value (token `JsonToken.VALUE_STRING`)",
                 "list": "Array value (token `JsonToken.START_ARRAY`)",
                 "dict": "Object value (token `JsonToken.START_OBJECT`)"}
        return {k: f"{prefix}Cannot deserialize value of type `{java}` from {v}" for k, v in found.items()}

    def raise_mismatch(self, message: str) -> ServiceError:
        if self.flavor == "lambda":
            return ServiceError(message, code="InvalidRequestContentException")
        return SerializationException(message)


# --- rendering values the way Java's toString does ------------------------------------------------
