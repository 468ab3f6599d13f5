"""Aliases: named pointers to a function version, optionally splitting traffic with one more version.

Owns: the ``function-alias`` document (key ``<account>/<region>/<function>/<alias>``: ``function``,
``name``, ``function_version``, ``description``, ``weights`` -- RoutingConfig.AdditionalVersionWeights,
``revision_id`` (new on every change, as AWS's alias RevisionId is), ``policy`` (AddPermission with the
alias as Qualifier)); rendering AWS's ``AliasConfiguration``; the RoutingConfig rules AWS checks in the
service rather than in the model; and picking the version an invocation of the alias runs.

Texts: lambda_api snapshot (TestLambdaAlias::test_notfound_and_invalid_routingconfigs,
test_non_existent_alias_update, TestLambdaAlias::test_alias_lifecycle).
https://docs.aws.amazon.com/lambda/latest/dg/configuration-aliases.html

Must not: read function or version documents (``functions.get_qualified`` resolves an alias to one)
or decide API semantics beyond those checks (operations do).
"""

from __future__ import annotations

import random
from typing import Any

from riverbed import ids
from riverbed.errors import InvalidParameterValueException, LambdaResourceNotFoundException
from riverbed.services.lambda_.names import LATEST, VERSION_RE, FunctionRef

ALIAS_KIND = "function-alias"

TOO_MANY_WEIGHTS = "Number of items in AdditionalVersionWeights cannot be greater than 1"
LATEST_WITH_WEIGHTS = "$LATEST is not supported for an alias pointing to more than 1 version"


def alias_key(ref: FunctionRef, alias: str) -> str:
    return f"{ref.key}/{alias}"


def is_alias_name(qualifier: str | None) -> bool:
    """Whether a qualifier names an alias (neither ``$LATEST`` nor a version number)."""
    return qualifier is not None and qualifier != LATEST and not VERSION_RE.match(qualifier)


def get_alias(store: Any, ref: FunctionRef, alias: str) -> dict[str, Any] | None:
    doc: dict[str, Any] | None = store.get_doc(ALIAS_KIND, alias_key(ref, alias))
    return doc


def list_aliases(store: Any, ref: FunctionRef) -> list[dict[str, Any]]:
    return [doc for _, doc in store.list_docs(ALIAS_KIND, ref.key + "/")]


def put(txn: Any, ref: FunctionRef, doc: dict[str, Any]) -> None:
    txn.put_doc(ALIAS_KIND, alias_key(ref, doc["name"]), doc)


def delete(txn: Any, ref: FunctionRef, alias: str) -> None:
    txn.delete_doc(ALIAS_KIND, alias_key(ref, alias))


def new_alias(ref: FunctionRef, name: str, version: str, description: str,
              weights: dict[str, float]) -> dict[str, Any]:
    return {"account": ref.account, "region": ref.region, "function": ref.name, "name": name,
            "function_version": version, "description": description, "weights": weights,
            "revision_id": ids.new_uuid(), "policy": []}


def configuration(ref: FunctionRef, doc: dict[str, Any]) -> dict[str, Any]:
    """``AliasConfiguration`` as AWS answers it: RoutingConfig only when it holds a weight."""
    out: dict[str, Any] = {
        "AliasArn": ref.arn(doc["name"]),
        "Name": doc["name"],
        "FunctionVersion": doc["function_version"],
        "Description": doc.get("description") or "",
        "RevisionId": doc["revision_id"],
    }
    if doc.get("weights"):
        out["RoutingConfig"] = {"AdditionalVersionWeights": dict(doc["weights"])}
    return out


def check_routing(version: str, weights: dict[str, float]) -> None:
    """The RoutingConfig rules AWS applies after the model's (weights in [0, 1], keys all digits)."""
    if len(weights) > 1:
        raise InvalidParameterValueException(TOO_MANY_WEIGHTS)
    if weights and version == LATEST:
        raise InvalidParameterValueException(LATEST_WITH_WEIGHTS)
    if version in weights:
        raise InvalidParameterValueException(
            f"Invalid function version {version}. Function version {version} is already included in routing "
            "configuration.")


def referencing(store: Any, ref: FunctionRef, version: str) -> list[str]:
    """Names of the aliases that point to ``version`` (as their version or their additional one)."""
    return [doc["name"] for doc in list_aliases(store, ref)
            if doc["function_version"] == version or version in (doc.get("weights") or {})]


def pick_version(doc: dict[str, Any], route: random.Random | None) -> str:
    """The version the alias designates: its FunctionVersion, or -- for an invocation (``route`` given)
    with AdditionalVersionWeights -- the additional version with that probability."""
    weights = doc.get("weights") or {}
    if route is not None:
        for version, weight in weights.items():
            if route.random() < float(weight):
                return str(version)
    return str(doc["function_version"])


def not_found(ref: FunctionRef, alias: str) -> LambdaResourceNotFoundException:
    """GetAlias's text for a missing alias (UpdateAlias words it ``Alias not found: ...``)."""
    return LambdaResourceNotFoundException(f"Cannot find alias arn: {ref.arn(alias)}")
