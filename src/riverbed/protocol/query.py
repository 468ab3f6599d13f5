"""The AWS query protocol: form fields in, XML out (SNS, IAM, STS, CloudWatch, SQS's legacy mode).

Owns: turning ``Action=...&A.B=...&L.member.1=...`` form fields into the operation name and a params
dict shaped like the JSON protocols' (numbers as numbers, booleans as booleans, timestamps as epoch
seconds, blobs left as base64 text), and writing a result dict or a ServiceError as the XML envelope
botocore's query parser reads.  Names on the wire follow the model: ``locationName``, ``flattened``,
``member``/``entry``/``key``/``value`` defaults.

A service whose current model has lost its query names (SQS is JSON-only now) hands over the legacy
names (``Attribute.N.Name``, ``SendMessageBatchRequestEntry.N.Id``...) as data on its service
description (``legacy``); parsing also accepts the model's own spelling.

Must not: validate constraints (``validate`` does), know what an operation means, or read the clock.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from riverbed.core.models import ServiceModel
from riverbed.errors import ServiceError
from riverbed.protocol.xml import escape, format_scalar

__all__ = ["parse_query_request", "serialize_query_error", "serialize_query_response"]

_INVALID_ACTION = "The action or operation requested is invalid. Verify that the action is typed correctly."


class _Names:
    """Wire names of one model's members, lists and maps."""

    def __init__(self, model: ServiceModel, legacy: dict[str, Any] | None = None) -> None:
        self.model = model
        self.legacy = legacy or {}

    def flattened(self, ref: dict[str, Any], shape: dict[str, Any]) -> bool:
        return bool(shape.get("flattened") or ref.get("flattened"))

    def member_names(self, member: str, ref: dict[str, Any]) -> list[str]:
        """Candidate names of a structure member on the wire, preferred first."""
        shape_name = ref["shape"]
        shape = self.model.shapes[shape_name]
        names: list[str] = []
        if shape.get("type") == "list" and self.flattened(ref, shape):
            element = shape["member"].get("locationName") or self._legacy_name(shape_name)
            if element:
                names.append(element)
        if "locationName" in ref:
            names.append(ref["locationName"])
        if shape.get("type") == "map" and self.flattened(ref, shape):
            legacy = self.legacy.get(shape_name)
            if isinstance(legacy, tuple):
                names.append(legacy[0])
        names.append(member)
        seen: set[str] = set()
        return [n for n in names if not (n in seen or seen.add(n))]  # type: ignore[func-returns-value]

    def _legacy_name(self, shape_name: str) -> str | None:
        legacy = self.legacy.get(shape_name)
        return legacy if isinstance(legacy, str) else None

    def list_element(self, shape: dict[str, Any]) -> str:
        return str(shape["member"].get("locationName", "member"))

    def map_names(self, shape_name: str, shape: dict[str, Any]) -> tuple[list[str], list[str]]:
        keys = [shape["key"].get("locationName", "key")]
        values = [shape["value"].get("locationName", "value")]
        legacy = self.legacy.get(shape_name)
        if isinstance(legacy, tuple):
            keys.insert(0, legacy[1])
            values.insert(0, legacy[2])
        return keys, values


# --- parsing ---------------------------------------------------------------------------------------

def parse_query_request(model: ServiceModel, form: dict[str, str], legacy: dict[str, Any] | None = None,
                        ) -> tuple[str, dict[str, Any]]:
    """``(operation, params)`` from decoded form fields; ``Action`` names the operation.

    ``legacy`` maps shape names to the element names of an older query API (SQS's 2012-11-05 names,
    which its JSON-only model has lost): a flattened list's element name, or a flattened map's
    ``(name, key, value)``; the service description carries them as data.
    """
    action = form.get("Action")
    if not action:
        raise ServiceError("Could not find operation to perform.", code="MissingAction")
    if action not in model.operations:
        raise ServiceError(_INVALID_ACTION, code="InvalidAction")
    input_name = model.input_shape_name(action)
    if input_name is None:
        return action, {}
    reader = _FormReader(model, form, legacy)
    params = reader.structure(model.shapes[input_name], "")
    return action, params if isinstance(params, dict) else {}


class _FormReader:
    def __init__(self, model: ServiceModel, form: dict[str, str], legacy: dict[str, Any] | None) -> None:
        self.model = model
        self.form = form
        self.names = _Names(model, legacy)
        children: dict[str, set[str]] = {}
        for key in form:
            parts = key.split(".")
            for i in range(len(parts)):
                children.setdefault(".".join(parts[:i]), set()).add(parts[i])
        self.children = children

    def _join(self, prefix: str, name: str) -> str:
        return f"{prefix}.{name}" if prefix else name

    def _present(self, key: str) -> bool:
        return key in self.form or key in self.children

    def value(self, shape_name: str, key: str, ref: dict[str, Any]) -> Any:
        shape = self.model.shapes[shape_name]
        t = shape["type"]
        if t == "structure":
            return self.structure(shape, key)
        if t == "list":
            return self.list(shape_name, shape, key, ref)
        if t == "map":
            return self.map(shape_name, shape, key, ref)
        text = self.form.get(key)
        return None if text is None else _coerce(t, text, key)

    def structure(self, shape: dict[str, Any], prefix: str) -> dict[str, Any] | None:
        out: dict[str, Any] = {}
        for member, ref in shape.get("members", {}).items():
            for name in self.names.member_names(member, ref):
                key = self._join(prefix, name)
                if self._present(key):
                    found = self.value(ref["shape"], key, ref)
                    if found is not None:
                        out[member] = found
                    break
        return out

    def _indices(self, prefix: str) -> list[str]:
        found = [s for s in self.children.get(prefix, ()) if s.isdigit()]
        return sorted(found, key=int)

    def list(self, shape_name: str, shape: dict[str, Any], key: str, ref: dict[str, Any]) -> list[Any] | None:
        member_shape = shape["member"]["shape"]
        # Lists arrive as ``Name.member.N`` or, flattened, ``Name.N``; accept both (SQS clients differ).
        element = self.names.list_element(shape)
        for prefix in (self._join(key, element), key):
            indices = self._indices(prefix)
            if indices:
                return [self.value(member_shape, f"{prefix}.{i}", shape["member"]) for i in indices]
        if self.form.get(key) == "" and key not in self.children:
            return []  # botocore sends ``Name=`` for an empty list
        return None

    def map(self, shape_name: str, shape: dict[str, Any], key: str, ref: dict[str, Any]) -> dict[str, Any] | None:
        key_names, value_names = self.names.map_names(shape_name, shape)
        for prefix in (self._join(key, "entry"), key):
            indices = self._indices(prefix)
            if not indices:
                continue
            out: dict[str, Any] = {}
            for i in indices:
                entry = f"{prefix}.{i}"
                k = next((f"{entry}.{n}" for n in key_names if f"{entry}.{n}" in self.form), None)
                if k is None:
                    continue
                v = next((f"{entry}.{n}" for n in value_names if self._present(f"{entry}.{n}")), None)
                out[self.form[k]] = None if v is None else self.value(shape["value"]["shape"], v, shape["value"])
            return out
        if self.form.get(key) == "" and key not in self.children:
            return {}
        return None


def _coerce(shape_type: str, text: str, key: str) -> Any:
    if shape_type in ("integer", "long"):
        try:
            return int(text.strip())
        except ValueError:
            raise _bad_value(text, key) from None
    if shape_type in ("double", "float"):
        try:
            return float(text)
        except ValueError:
            raise _bad_value(text, key) from None
    if shape_type == "boolean":
        lowered = text.strip().lower()
        if lowered in ("true", "false"):
            return lowered == "true"
        raise _bad_value(text, key)
    if shape_type == "timestamp":
        return _epoch(text, key)
    return text  # strings, and blobs (kept as base64 text, as in the JSON protocols)


def _bad_value(text: str, key: str) -> ServiceError:
    return ServiceError(f"Value ({text}) for parameter {key} is invalid.", code="InvalidParameterValue")


def _epoch(text: str, key: str) -> float | int:
    raw = text.strip()
    try:
        number = float(raw)
    except ValueError:
        pass
    else:
        return int(number) if number.is_integer() else number
    try:
        when = datetime.fromisoformat(raw)
    except ValueError:
        raise _bad_value(text, key) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    seconds = when.timestamp()
    return int(seconds) if seconds.is_integer() else seconds


# --- serializing ---------------------------------------------------------------------------------

def _namespace(model: ServiceModel | None, fallback: str = "") -> str:
    if model is None:
        return fallback
    return model.xml_namespace or fallback


def serialize_query_response(model: ServiceModel, operation: str, result: dict[str, Any],
                             request_id: str, legacy: dict[str, Any] | None = None, namespace: str = "") -> bytes:
    """``<OpResponse><OpResult>...</OpResult><ResponseMetadata>...`` for ``result``.

    ``legacy`` and ``namespace``: an older query API's element names and xmlns (see ``parse_query_request``).
    """
    op = model.operations[operation]
    ns = _namespace(model, namespace)
    xmlns = f' xmlns="{escape(ns)}"' if ns else ""
    out: list[str] = [f"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{operation}Response{xmlns}>"]
    output = op.get("output")
    if output:
        wrapper = output.get("resultWrapper") or (f"{operation}Result" if legacy else None)
        writer = _XmlWriter(model, out, legacy)
        shape = model.shapes[output["shape"]]
        if wrapper:
            out.append(f"<{wrapper}>")
            writer.members(shape, result or {})
            out.append(f"</{wrapper}>")
        else:
            writer.members(shape, result or {})
    out.append(f"<ResponseMetadata><RequestId>{escape(request_id)}</RequestId></ResponseMetadata>")
    out.append(f"</{operation}Response>")
    return "".join(out).encode("utf-8")


def serialize_query_error(error: ServiceError, request_id: str, model: ServiceModel | None = None,
                          namespace: str = "") -> bytes:
    """``<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>``.

    The code is ``error.extra['__query_code']`` when set (awsQueryCompatible services such as SQS keep
    their JSON type in ``code``), else ``error.code``.  Pass ``model`` to get the service's xmlns.
    """
    extra = error.extra or {}
    code = extra.get("__query_code") or error.code
    ns = _namespace(model, namespace)
    xmlns = f' xmlns="{escape(ns)}"' if ns else ""
    parts = [f"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ErrorResponse{xmlns}><Error>",
             f"<Type>{'Sender' if error.sender else 'Receiver'}</Type>",
             f"<Code>{escape(str(code))}</Code>"]
    if error.message:
        parts.append(f"<Message>{escape(error.message)}</Message>")
    for name, value in extra.items():
        if name.startswith("__") or name in ("Type", "Code", "Message") or isinstance(value, (dict, list)):
            continue
        if value is None:
            parts.append(f"<{name}/>")
        else:
            parts.append(f"<{name}>{format_scalar('string', value)}</{name}>")
    parts.append(f"</Error><RequestId>{escape(request_id)}</RequestId></ErrorResponse>")
    return "".join(parts).encode("utf-8")


class _XmlWriter:
    def __init__(self, model: ServiceModel, out: list[str], legacy: dict[str, Any] | None = None) -> None:
        self.model = model
        self.out = out
        self.names = _Names(model, legacy)

    def members(self, shape: dict[str, Any], value: dict[str, Any]) -> None:
        if not isinstance(value, dict):
            return
        for member, ref in shape.get("members", {}).items():
            item = value.get(member)
            if item is None:
                continue
            target_name = ref["shape"]
            target = self.model.shapes[target_name]
            t = target["type"]
            if t in ("list", "map") and self.names.flattened(ref, target):
                name = self.names.member_names(member, ref)[0]
                if t == "list":
                    for element in item:
                        self.element(name, target["member"]["shape"], element)
                else:
                    self.map_entries(target_name, target, item, name)
                continue
            self.element(ref.get("locationName", member), target_name, item)

    def element(self, name: str, shape_name: str, value: Any) -> None:
        shape = self.model.shapes[shape_name]
        t = shape["type"]
        out = self.out
        if value is None:
            return
        if t == "structure":
            out.append(f"<{name}>")
            self.members(shape, value)
            out.append(f"</{name}>")
        elif t == "list":
            element = self.names.list_element(shape)
            out.append(f"<{name}>")
            for item in value or ():
                self.element(element, shape["member"]["shape"], item)
            out.append(f"</{name}>")
        elif t == "map":
            out.append(f"<{name}>")
            self.map_entries(shape_name, shape, value, "entry")
            out.append(f"</{name}>")
        else:
            out.append(f"<{name}>{format_scalar(t, value)}</{name}>")

    def map_entries(self, shape_name: str, shape: dict[str, Any], value: dict[str, Any], entry: str) -> None:
        key_names, value_names = self.names.map_names(shape_name, shape)
        for k, v in (value or {}).items():
            self.out.append(f"<{entry}><{key_names[0]}>{escape(str(k))}</{key_names[0]}>")
            self.element(value_names[0], shape["value"]["shape"], v)
            self.out.append(f"</{entry}>")


