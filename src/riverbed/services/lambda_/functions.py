"""Function documents: what a function is in the store, and how AWS shows it.

Owns: the ``function`` document (kind ``function``, key ``<account>/<region>/<name>``) and the
``function-version`` document of each published version (key ``.../<name>/<10-digit version>``);
resolving a qualifier (``$LATEST``, a version, an alias -- see ``aliases.py``) to one of them;
reading and writing them; rendering ``FunctionConfiguration`` in each of AWS's three forms
(CreateFunction/Update* answers, GetFunction/GetFunctionConfiguration, list entries -- they differ in
the State/LastUpdateStatus members, lambda_api snapshot); and building the runtime's
:class:`~riverbed.runtime.FunctionSpec` from a document.

A document holds the configuration in riverbed's own field names, ``revision_id`` (changes on every
change, as AWS's RevisionId does), ``code_sha256``/``code_hex``/``code_size`` (the archive lives in a
``code`` document, see ``code.py``), ``tags``, ``policy`` (resource-policy statements),
``reserved_concurrency`` and ``inprocess`` (a callable registered through the testing API: no zip).
For in-process callers (event source mappings) it also carries ``FunctionName`` and ``FunctionArn`` --
the *unqualified* ARN, on version documents too.

Must not: decide API semantics (operations do) or run code.
"""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, datetime
from typing import Any

from riverbed import ids
from riverbed.runtime import FunctionSpec
from riverbed.services.lambda_ import aliases
from riverbed.services.lambda_.names import LATEST, FunctionRef, function_key
from riverbed.storage import Txn

FUNCTION_KIND = "function"
VERSION_KIND = "function-version"

CREATING_REASON = "The function is being created."
CREATING_CODE = "Creating"


def version_key(account: str, region: str, name: str, version: str) -> str:
    return f"{function_key(account, region, name)}/{int(version):010d}"


def last_modified(ts: float) -> str:
    """``2024-01-01T00:00:00.000+0000``: Lambda's LastModified form."""
    dt = datetime.fromtimestamp(ts, tz=UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}+0000"


def new_revision() -> str:
    return ids.new_uuid()


# --- reading -----------------------------------------------------------------------------------------

def get_function(store: Txn, ref: FunctionRef) -> dict[str, Any] | None:
    return store.get_doc(FUNCTION_KIND, ref.key)


def get_version(store: Txn, ref: FunctionRef, version: str) -> dict[str, Any] | None:
    if not version.isdigit() or len(version) > 10:
        return None
    return store.get_doc(VERSION_KIND, version_key(ref.account, ref.region, ref.name, version))


def get_qualified(store: Any, ref: FunctionRef, qualifier: str | None, *,
                  route: random.Random | None = None) -> dict[str, Any] | None:
    """The document a qualifier designates: ``$LATEST``/none -> the function, a number -> that version,
    an alias name -> the version the alias points to (the one place qualifiers are resolved).

    For an alias, ``route`` (given by invokers) picks between the alias's version and its additional
    version by their weights; without it the alias's FunctionVersion is answered.  The answer is then a
    copy of that document with ``alias`` set to the alias name (for the invoked ARN and the metrics).
    """
    if qualifier in (None, LATEST):
        return get_function(store, ref)
    latest = get_function(store, ref)
    if latest is None or qualifier is None:
        return None
    if not aliases.is_alias_name(qualifier):
        return get_version(store, ref, qualifier)
    alias = aliases.get_alias(store, ref, qualifier)
    if alias is None:
        return None
    version = aliases.pick_version(alias, route)
    doc = latest if version == LATEST else get_version(store, ref, version)
    return None if doc is None else dict(doc, alias=qualifier)


def get_policy_holder(store: Any, ref: FunctionRef) -> dict[str, Any] | None:
    """The document whose ``policy`` a (qualified) reference addresses: the function, a version or an alias
    -- an alias keeps its own resource policy, it does not share its version's."""
    if get_function(store, ref) is None:
        return None
    if aliases.is_alias_name(ref.qualifier):
        assert ref.qualifier is not None
        return aliases.get_alias(store, ref, ref.qualifier)
    return get_qualified(store, ref, ref.qualifier)


def list_functions(store: Any, account: str, region: str) -> list[dict[str, Any]]:
    return [doc for _, doc in store.list_docs(FUNCTION_KIND, f"{account}/{region}/")]


def list_versions(store: Any, ref: FunctionRef) -> list[dict[str, Any]]:
    return [doc for _, doc in store.list_docs(VERSION_KIND, ref.key + "/")]


def all_documents(store: Any) -> list[dict[str, Any]]:
    """Every function and version document of every account and region."""
    return [doc for kind in (FUNCTION_KIND, VERSION_KIND) for _, doc in store.list_docs(kind)]


def put(txn: Any, doc: dict[str, Any]) -> None:
    """Write a function or version document (adding the AWS-named members in-process callers read)."""
    doc["FunctionName"] = doc["name"]
    doc["FunctionArn"] = ids.lambda_arn(doc["region"], doc["account"], doc["name"])
    if doc["version"] == LATEST:
        txn.put_doc(FUNCTION_KIND, function_key(doc["account"], doc["region"], doc["name"]), doc)
    else:
        txn.put_doc(VERSION_KIND, version_key(doc["account"], doc["region"], doc["name"], doc["version"]), doc)


def ref_of(doc: dict[str, Any]) -> FunctionRef:
    return FunctionRef(doc["account"], doc["region"], doc["name"])


# --- rendering ------------------------------------------------------------------------------------------

def configuration(doc: dict[str, Any], *, form: str = "get", qualified: bool | None = None) -> dict[str, Any]:
    """``FunctionConfiguration`` as AWS answers it.

    ``form``: ``"create"`` (State Pending, as CreateFunction answers), ``"update"`` (LastUpdateStatus
    InProgress, as UpdateFunctionCode/Configuration answer), ``"get"`` (Active/Successful) or ``"list"``
    (ListFunctions/ListVersionsByFunction entries carry neither State nor LastUpdateStatus).
    ``qualified`` appends the version to FunctionArn: by default only for published versions; True
    also for ``$LATEST`` (GetFunction with Qualifier=$LATEST, ALL listings); False never (CreateFunction
    with Publish answers the version under the unqualified ARN).
    """
    version = doc["version"]
    if qualified is None:
        qualified = version != LATEST
    arn = ids.lambda_arn(doc["region"], doc["account"], doc["name"], version if qualified else None)
    out: dict[str, Any] = {
        "FunctionName": doc["name"],
        "FunctionArn": arn,
        "Runtime": doc["runtime"],
        "Role": doc["role"],
        "Handler": doc["handler"],
        "CodeSize": doc["code_size"],
        "Description": doc.get("description", ""),
        "Timeout": doc["timeout"],
        "MemorySize": doc["memory_size"],
        "LastModified": last_modified(doc["last_modified"]),
        "CodeSha256": doc["code_sha256"],
        "Version": version,
        "TracingConfig": {"Mode": doc.get("tracing_mode", "PassThrough")},
        "RevisionId": doc["revision_id"],
        "PackageType": "Zip",
        "Architectures": list(doc.get("architectures") or ["x86_64"]),
        "EphemeralStorage": {"Size": doc.get("ephemeral_storage", 512)},
        "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
        "LoggingConfig": logging_config(doc),
    }
    if doc.get("environment") is not None:
        out["Environment"] = {"Variables": dict(doc["environment"])}
    if doc.get("dead_letter_target"):
        out["DeadLetterConfig"] = {"TargetArn": doc["dead_letter_target"]}
    if doc.get("kms_key_arn"):
        out["KMSKeyArn"] = doc["kms_key_arn"]
    if form == "list":
        return out
    out["RuntimeVersionConfig"] = {"RuntimeVersionArn": runtime_version_arn(doc)}
    if form == "create":
        out.update(State="Pending", StateReason=CREATING_REASON, StateReasonCode=CREATING_CODE)
    elif form == "update":
        out.update(State="Active", LastUpdateStatus="InProgress", LastUpdateStatusReason=CREATING_REASON,
                   LastUpdateStatusReasonCode=CREATING_CODE)
    else:
        out.update(State="Active", LastUpdateStatus="Successful")
    return out


def log_group(doc: dict[str, Any]) -> str:
    return doc.get("log_group") or f"/aws/lambda/{doc['name']}"


def runtime_version_arn(doc: dict[str, Any]) -> str:
    """A stable stand-in for the managed runtime version AWS would pin (one per runtime name)."""
    digest = hashlib.sha256(f"riverbed:{doc['runtime']}".encode()).hexdigest()
    return f"arn:{ids.partition_for(doc['region'])}:lambda:{doc['region']}::runtime:{digest}"


# --- execution --------------------------------------------------------------------------------------------

def logging_config(doc: dict[str, Any]) -> dict[str, Any]:
    """LoggingConfig as AWS answers it: the levels (INFO unless set) only with the JSON format."""
    out: dict[str, Any] = {"LogFormat": doc.get("log_format") or "Text"}
    if out["LogFormat"] == "JSON":
        out["ApplicationLogLevel"] = doc.get("application_log_level") or "INFO"
        out["SystemLogLevel"] = doc.get("system_log_level") or "INFO"
    out["LogGroup"] = log_group(doc)
    return out


def spec_for(doc: dict[str, Any], code_zip: bytes | None, reserved: int | None) -> FunctionSpec:
    """The runtime's view of one function version.

    ``revision`` is the configuration's RevisionId, so any change retires warm environments; the
    reserved concurrency is the function's (versions share it, as in AWS).
    """
    version = doc["version"]
    return FunctionSpec(
        name=doc["name"],
        arn=ids.lambda_arn(doc["region"], doc["account"], doc["name"], None if version == LATEST else version),
        version=version,
        handler=doc["handler"],
        runtime=doc["runtime"],
        timeout=int(doc["timeout"]),
        memory_size=int(doc["memory_size"]),
        environment=dict(doc.get("environment") or {}),
        code_sha256=doc["code_sha256"],
        code_zip=code_zip,
        revision=doc["revision_id"],
        region=doc["region"],
        account=doc["account"],
        reserved_concurrency=reserved,
        log_group=log_group(doc),
        role=str(doc.get("role") or ""),
        log_format=doc.get("log_format") or "Text",
        application_log_level=doc.get("application_log_level") or "INFO",
        system_log_level=doc.get("system_log_level") or "INFO",
    )


def total_code_size(store: Any, account: str, region: str) -> tuple[int, int]:
    """``(function count, bytes of code of every function and version)`` for GetAccountSettings."""
    functions = list_functions(store, account, region)
    size = sum(int(doc.get("code_size", 0)) for doc in functions)
    prefix = f"{account}/{region}/"
    size += sum(int(doc.get("code_size", 0)) for _, doc in store.list_docs(VERSION_KIND, prefix))
    return len(functions), size


def code_referenced(store: Any, code_hex: str, *, ignore: tuple[str, ...] = ()) -> bool:
    """Whether any function or version document (other than those keyed in ``ignore``) uses the archive."""
    for kind in (FUNCTION_KIND, VERSION_KIND):
        for key, doc in store.list_docs(kind):
            if key not in ignore and doc.get("code_hex") == code_hex:
                return True
    return False
