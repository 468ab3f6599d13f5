"""Lambda's REST-JSON operations: every body member given null or each wrong JSON type, never a 5xx.

Lambda reads request bodies with Jackson (its errors say so: ``Could not parse request body into json: Could not
parse payload into json: Cannot deserialize value of type ...``, recorded in the lambda snapshots), whose default
``ALLOW_COERCION_OF_SCALARS`` turns some scalars into others instead of failing: a number or boolean given for a
string member becomes its text, a numeric string for an integer or double member becomes the number, ``"true"``
/ ``"false"`` (also ``"True"``, ``"TRUE"``...) for a boolean member becomes the boolean, and a fractional number
for an integer member is truncated.  Those are accepted, as Lambda accepts them; every other wrong type is a 400
``InvalidRequestContentException``.  ``null`` is an absent member.  Only raw HTTP is used (boto3 would refuse the
wrong types before sending them).
"""

from __future__ import annotations

import copy
import http.client
import json
import re
from typing import Any
from urllib.parse import quote, urlparse

from riverbed.core.models import ServiceModel, load_service_model
from tests.conformance.test_fuzz_members import WRONG, _paths, _place, _sample, _wrong

FUNCTION = "fuzz-members-fn"


def _coerced(kind: str, value: Any) -> bool:
    """Jackson's default scalar coercions (see the module docstring)."""
    if kind == "string":
        return isinstance(value, (bool, int, float))
    if kind in ("integer", "long", "double", "float"):
        return isinstance(value, str) and re.fullmatch(r"\s*-?\d+(\.\d+)?\s*", value) is not None
    if kind == "boolean":
        return isinstance(value, str) and value in ("true", "True", "TRUE", "false", "False", "FALSE")
    return False


def _body_root(model: ServiceModel, shape_name: str) -> tuple[dict[str, Any], bool]:
    """The members sent in the JSON body, and whether the body is a raw payload instead."""
    shape = model.shapes[shape_name]
    if shape.get("payload"):
        return {}, True
    return {m: ref for m, ref in shape.get("members", {}).items() if "location" not in ref}, False


def _uri(model: ServiceModel, operation: str, root: str) -> tuple[str, str]:
    http_info = model.operation(operation)["http"]
    uri = http_info["requestUri"].split("?", 1)[0]
    members = model.shapes[root].get("members", {})
    for name, ref in members.items():
        if ref.get("location") == "uri":
            value = FUNCTION if "Function" in ref.get("locationName", name) else "fuzz-1"
            uri = re.sub(r"\{" + re.escape(ref.get("locationName", name)) + r"\+?\}", quote(value, safe=""), uri)
    return http_info["method"], uri


def test_lambda_every_body_member_null_and_wrong_types(endpoint: str) -> None:
    model = load_service_model("lambda")
    url = urlparse(endpoint)
    conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=30)
    failures: list[str] = []
    swept = 0
    for operation in model.operation_names:
        root = model.input_shape_name(operation)
        if root is None:
            continue
        members, raw_payload = _body_root(model, root)
        if raw_payload or not members:
            continue
        method, uri = _uri(model, operation, root)
        base = {k: v for k, v in _sample(model, root).items() if k in members}
        conn.request(method, uri, json.dumps(base).encode(), {"Content-Type": "application/json"})
        resp = conn.getresponse()
        resp.read()
        if (resp.getheader("x-amzn-ErrorType") or "").startswith("UnknownOperationException"):
            continue  # not served: nothing behind it to reach
        for path, shape_name in _paths(model, root):
            if path[0] not in members:
                continue
            kind = model.shapes[shape_name]["type"]
            for value in [None, *(v for v in WRONG if _wrong(kind, v))]:
                request = copy.deepcopy(base)
                _place(model, root, request, path, value)
                conn.request(method, uri, json.dumps(request).encode(), {"Content-Type": "application/json"})
                resp = conn.getresponse()
                data = resp.read()
                swept += 1
                code = (resp.getheader("x-amzn-ErrorType") or "").split(":", 1)[0]
                where = f"{operation} {'.'.join(map(str, path))}={json.dumps(value)[:20]}"
                if resp.status >= 500:
                    failures.append(f"{where}: {resp.status} {data[:200]!r}")
                elif value is not None and _wrong(kind, value) and not _coerced(kind, value):
                    if resp.status != 400 or code != "InvalidRequestContentException":
                        failures.append(f"{where}: {resp.status} {code} {data[:200]!r}")
    assert swept > 500
    assert not failures, "\n".join(failures[:40])


def test_lambda_textual_booleans_are_jacksons_six_spellings(endpoint: str) -> None:
    url = urlparse(endpoint)
    conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=30)

    def create(publish: Any) -> tuple[int, str]:
        body = {"FunctionName": FUNCTION, "Runtime": "python3.12", "Handler": "h.h", "Publish": publish,
                "Code": {"ZipFile": "AAAA"}}   # no Role: refused after the body is read
        conn.request("POST", "/2015-03-31/functions", json.dumps(body).encode(), {"Content-Type": "application/json"})
        resp = conn.getresponse()
        resp.read()
        return resp.status, (resp.getheader("x-amzn-ErrorType") or "").split(":", 1)[0]

    for accepted in ("true", "TRUE", "False"):
        assert create(accepted)[1] != "InvalidRequestContentException"
    for refused in ("tRuE", "yes", "1"):
        assert create(refused) == (400, "InvalidRequestContentException")
