"""Functions registered from Python (testing API): an in-process callable instead of a zip.

Owns: turning ``register_function(name, callable, **config)`` keyword arguments (snake_case, or the
API's own member names) into a function document with the same defaults and limits CreateFunction
applies: runtime ``python3.12``, handler ``inprocess``, Timeout 1-900 (default 3), MemorySize
128-10240 (default 128).

Must not: run the callable (the runtime does, on a thread).
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from riverbed.errors import InvalidParameterValueException
from riverbed.services.lambda_ import functions, names, parameters

INPROCESS_HANDLER = "inprocess"
DEFAULT_ROLE = "arn:aws:iam::{account}:role/riverbed-inprocess"
_EMPTY_SHA = base64.b64encode(hashlib.sha256(b"").digest()).decode("ascii")

_ALIASES = {
    "Timeout": "timeout", "MemorySize": "memory_size", "Environment": "environment",
    "Description": "description", "Role": "role", "Runtime": "runtime", "Tags": "tags",
    "ReservedConcurrentExecutions": "reserved_concurrency", "LoggingConfig": "logging",
}
_KNOWN = {"timeout", "memory_size", "environment", "description", "role", "runtime", "tags",
          "reserved_concurrency", "logging"}


def build_inprocess_doc(ref: names.FunctionRef, config: dict[str, Any], existing: dict[str, Any] | None,
                        now: float) -> dict[str, Any]:
    options = {_ALIASES.get(k, k): v for k, v in config.items()}
    unknown = sorted(set(options) - _KNOWN)
    if unknown:
        raise TypeError(f"register_function() got unexpected configuration {', '.join(unknown)}")
    if not names.NAME_RE.match(ref.name):
        raise InvalidParameterValueException(
            f"1 validation error detected: Value '{ref.name}' at 'functionName' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [a-zA-Z0-9-_]+ and have length 1 to 64")
    timeout = int(options.get("timeout", 3))
    memory = int(options.get("memory_size", 128))
    if not 1 <= timeout <= 900:
        raise InvalidParameterValueException(f"Timeout must be between 1 and 900 seconds, got {timeout}")
    if not 128 <= memory <= 10240:
        raise InvalidParameterValueException(f"MemorySize must be between 128 and 10240 MB, got {memory}")
    runtime = options.get("runtime", parameters.INPROCESS_RUNTIME)
    parameters.check_runtime(runtime)
    env = options.get("environment")
    if env is not None and "Variables" not in env:
        env = {"Variables": env}
    logging_config = options.get("logging") or {}
    doc = dict(existing or {})
    doc.update(
        name=ref.name, account=ref.account, region=ref.region, version=names.LATEST,
        runtime=runtime, role=options.get("role") or DEFAULT_ROLE.format(account=ref.account),
        handler=INPROCESS_HANDLER, description=options.get("description", ""), timeout=timeout,
        memory_size=memory, environment=parameters.check_environment(env),
        code_sha256=_EMPTY_SHA, code_hex="", code_size=0, inprocess=True,
        architectures=["x86_64"], revision_id=functions.new_revision(), last_modified=now,
        log_group=logging_config.get("LogGroup"), log_format=logging_config.get("LogFormat", "Text"),
        application_log_level=logging_config.get("ApplicationLogLevel"),
        system_log_level=logging_config.get("SystemLogLevel"),
    )
    doc.setdefault("tags", {})
    doc.setdefault("policy", [])
    if "tags" in options:
        doc["tags"] = dict(options["tags"] or {})
    if "reserved_concurrency" in options:
        doc["reserved_concurrency"] = options["reserved_concurrency"]
    else:
        doc.setdefault("reserved_concurrency", None)
    return doc
