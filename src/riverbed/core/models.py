"""botocore's service models, read as data.

Owns: finding botocore's ``data`` directory, reading a service's ``service-2.json.gz`` (newest API
version) once, on first use, and answering questions about it: metadata, operations, shapes,
``X-Amz-Target`` lookup, error shapes.  A :class:`ServiceModel` also carries ``cache``, a dict in
which other protocol modules keep what they compile from the model (validators, routers), so that
work is done once per service and dropped with the model.

Must not: import botocore's loaders or session (they cost tens of milliseconds at start-up and we
need none of their machinery), load anything at import time, or know about any one service.
"""

from __future__ import annotations

import functools
import gzip
import importlib.util
import os
import threading
from typing import Any

import orjson

__all__ = ["ServiceModel", "botocore_data_dir", "load_service_model"]


@functools.cache
def botocore_data_dir() -> str:
    """The ``botocore/data`` directory, found without importing botocore."""
    spec = importlib.util.find_spec("botocore")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("botocore is not installed; riverbed reads its service models")
    return os.path.join(next(iter(spec.submodule_search_locations)), "data")


def _model_path(service: str) -> str:
    base = os.path.join(botocore_data_dir(), service)
    try:
        versions = sorted(v for v in os.listdir(base) if not v.startswith("."))
    except FileNotFoundError:
        raise KeyError(f"no botocore model for service {service!r}") from None
    for version in reversed(versions):  # API versions are dates: the newest sorts last
        path = os.path.join(base, version, "service-2.json.gz")
        if os.path.exists(path):
            return path
    raise KeyError(f"no botocore model for service {service!r}")


class ServiceModel:
    """One service's model: the raw botocore dicts plus a few lookups."""

    __slots__ = ("_errors_by_code", "_lock", "cache", "metadata", "name", "operations", "shapes")

    def __init__(self, name: str, raw: dict[str, Any]) -> None:
        self.name = name
        self.metadata: dict[str, Any] = raw.get("metadata", {})
        self.operations: dict[str, dict[str, Any]] = raw.get("operations", {})
        self.shapes: dict[str, dict[str, Any]] = raw.get("shapes", {})
        # Compiled artefacts of other protocol modules, keyed by their own names.
        self.cache: dict[Any, Any] = {}
        self._lock = threading.Lock()
        self._errors_by_code: dict[str, str] | None = None

    def __repr__(self) -> str:
        return f"ServiceModel({self.name!r}, protocol={self.protocol!r})"

    # --- metadata ------------------------------------------------------------------------------
    @property
    def protocol(self) -> str:
        return str(self.metadata.get("protocol", ""))

    @property
    def target_prefix(self) -> str | None:
        return self.metadata.get("targetPrefix")

    @property
    def json_version(self) -> str | None:
        return self.metadata.get("jsonVersion")

    @property
    def xml_namespace(self) -> str | None:
        return self.metadata.get("xmlNamespace")

    @property
    def api_version(self) -> str:
        return str(self.metadata.get("apiVersion", ""))

    @property
    def operation_names(self) -> list[str]:
        return list(self.operations)

    # --- operations and shapes ----------------------------------------------------------------
    def operation(self, name: str) -> dict[str, Any]:
        """The raw operation (``http``, ``input``, ``output``, ``errors``); KeyError if unknown."""
        return self.operations[name]

    def has_operation(self, name: str) -> bool:
        return name in self.operations

    def shape(self, name: str) -> dict[str, Any]:
        return self.shapes[name]

    def input_shape_name(self, operation: str) -> str | None:
        ref = self.operations[operation].get("input")
        return ref["shape"] if ref else None

    def member_enum(self, operation: str, member: str) -> tuple[str, ...]:
        """The enum values of a top-level input member of ``operation`` (empty when it has none)."""
        name = self.input_shape_name(operation)
        if name is None:
            return ()
        ref = self.shapes[name].get("members", {}).get(member)
        if ref is None:
            return ()
        return tuple(self.shapes.get(ref["shape"], {}).get("enum", ()))

    def output_shape_name(self, operation: str) -> str | None:
        ref = self.operations[operation].get("output")
        return ref["shape"] if ref else None

    def operation_for_target(self, target: str) -> str | None:
        """``DynamoDB_20120810.PutItem`` -> ``PutItem`` when prefix and operation match, else None."""
        prefix, dot, op = target.rpartition(".")
        if not dot or prefix != self.metadata.get("targetPrefix") or op not in self.operations:
            return None
        return op

    def error_shape_name(self, code: str) -> str | None:
        """The exception shape for an error code: by shape name or by its ``error.code`` trait."""
        table = self._errors_by_code
        if table is None:
            table = {}
            for name, shape in self.shapes.items():
                if shape.get("exception"):
                    table.setdefault(name, name)
                    alias = (shape.get("error") or {}).get("code")
                    if alias:
                        table.setdefault(alias, name)
            self._errors_by_code = table
        return table.get(code)

    def compiled(self, key: Any, build: Any) -> Any:
        """``cache[key]``, computing it with ``build()`` once (thread-safe)."""
        try:
            return self.cache[key]
        except KeyError:
            pass
        with self._lock:
            if key not in self.cache:
                self.cache[key] = build()
            return self.cache[key]


_load_lock = threading.Lock()
_models: dict[str, ServiceModel] = {}


def load_service_model(service: str) -> ServiceModel:
    """The model for ``service`` (botocore's directory name, e.g. ``dynamodb``), read once."""
    model = _models.get(service)
    if model is not None:
        return model
    with _load_lock:
        model = _models.get(service)
        if model is None:
            with gzip.open(_model_path(service), "rb") as fh:
                raw = orjson.loads(fh.read())
            model = _models[service] = ServiceModel(service, raw)
    return model
