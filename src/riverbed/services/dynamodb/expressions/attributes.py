"""ExpressionAttributeNames / ExpressionAttributeValues of one request.

Owns: validating the two maps (AWS's order: names empty, names keys, values empty, values keys,
values contents), resolving ``#name`` / ``:value`` references for every expression of the
request, remembering which were used, and the "unused" errors once all expressions are parsed.

Must not: parse expressions.
"""

from __future__ import annotations

import re
from typing import Any

from riverbed.errors import ValidationException
from riverbed.services.dynamodb.types import AV, validate_value

_NAME_KEY = re.compile(r"#[A-Za-z0-9_]+")
_VALUE_KEY = re.compile(r":[A-Za-z0-9_]+")


class ExpressionAttributes:
    """Substitutions shared by all expressions of one request (condition, update, filter, ...)."""

    def __init__(self, names: dict[str, str] | None = None, values: dict[str, Any] | None = None) -> None:
        if names is not None:
            if not names:
                raise ValidationException("ExpressionAttributeNames must not be empty")
            for key in names:
                if not isinstance(key, str) or not _NAME_KEY.fullmatch(key):
                    raise ValidationException(
                        f'ExpressionAttributeNames contains invalid key: Syntax error; key: "{key}"'
                    )
        checked: dict[str, AV] = {}
        if values is not None:
            if not values:
                raise ValidationException("ExpressionAttributeValues must not be empty")
            for key in values:
                if not isinstance(key, str) or not _VALUE_KEY.fullmatch(key):
                    raise ValidationException(
                        f'ExpressionAttributeValues contains invalid key: Syntax error; key: "{key}"'
                    )
            for key, value in values.items():
                try:
                    checked[key] = validate_value(value)
                except ValidationException as exc:
                    raise ValidationException(
                        f"ExpressionAttributeValues contains invalid value: {exc.message} for key {key}"
                    ) from None
        self.names: dict[str, str] = dict(names or {})
        self.values: dict[str, AV] = checked
        self.used_names: set[str] = set()
        self.used_values: set[str] = set()

    def name(self, ref: str, kind: str) -> str:
        """The attribute name behind ``#ref`` (records it as used)."""
        if ref not in self.names:
            raise ValidationException(
                f"Invalid {kind}: An expression attribute name used in the document path is not defined; "
                f"attribute name: {ref}"
            )
        self.used_names.add(ref)
        return self.names[ref]

    def value(self, ref: str, kind: str) -> AV:
        """The AttributeValue behind ``:ref`` (records it as used)."""
        if ref not in self.values:
            raise ValidationException(
                f"Invalid {kind}: An expression attribute value used in expression is not defined; "
                f"attribute value: {ref}"
            )
        self.used_values.add(ref)
        return self.values[ref]

    def check_all_used(self) -> None:
        """After every expression of the request is parsed: refuse unused names, then values."""
        unused = [key for key in self.names if key not in self.used_names]
        if unused:
            raise ValidationException(
                "Value provided in ExpressionAttributeNames unused in expressions: keys: {"
                + ", ".join(unused)
                + "}"
            )
        unused = [key for key in self.values if key not in self.used_values]
        if unused:
            raise ValidationException(
                "Value provided in ExpressionAttributeValues unused in expressions: keys: {"
                + ", ".join(unused)
                + "}"
            )
