"""Asynchronous invocation settings (EventInvokeConfig): retries, event age and destinations per qualifier.

Owns: the ``function-event-invoke-config`` document (key ``<account>/<region>/<function>/<qualifier>``,
the qualifier being ``$LATEST``, a version or an alias: ``qualifier``, ``maximum_retry_attempts``,
``maximum_event_age``, ``on_success``, ``on_failure``, ``last_modified``); rendering AWS's
``FunctionEventInvokeConfig``; the destination checks AWS makes when one is set; and the settings an Event
invocation of a qualifier runs with (AWS's defaults when none is configured: two retries, six hours).

Texts: lambda_api snapshot (TestLambdaEventInvokeConfig::test_lambda_eventinvokeconfig_exceptions and
_lifecycle, TestLambdaFunction::test_ops_on_nonexisting_version[get_function_event_invoke_config]).
https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html
https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html

Must not: run or deliver anything (``asynchronous.py`` does), or render FunctionConfiguration.
"""

from __future__ import annotations

from typing import Any

from riverbed.errors import InvalidParameterValueException, LambdaResourceNotFoundException
from riverbed.services.lambda_.names import LATEST, FunctionRef

CONFIG_KIND = "function-event-invoke-config"

DEFAULT_RETRY_ATTEMPTS = 2
DEFAULT_EVENT_AGE = 21600

NOTHING_TO_SET = "You must specify at least one of error handling or destination setting."
FUNCTION_MISSING = "The function doesn't exist."
SELF_DESTINATION = "You can't specify the function as a destination for itself."
# Destination services AWS accepts for asynchronous invocation records (an S3 bucket on failure only).
_SERVICES = {"OnSuccess": ("sqs", "sns", "lambda", "events"), "OnFailure": ("sqs", "sns", "lambda", "events", "s3")}


def config_key(ref: FunctionRef, qualifier: str) -> str:
    return f"{ref.key}/{qualifier}"


def qualifier_of(ref: FunctionRef) -> str:
    return ref.qualifier or LATEST


def get_config(store: Any, ref: FunctionRef, qualifier: str) -> dict[str, Any] | None:
    doc: dict[str, Any] | None = store.get_doc(CONFIG_KIND, config_key(ref, qualifier))
    return doc


def list_configs(store: Any, ref: FunctionRef) -> list[dict[str, Any]]:
    return [doc for _, doc in store.list_docs(CONFIG_KIND, ref.key + "/")]


def put(txn: Any, ref: FunctionRef, doc: dict[str, Any]) -> None:
    txn.put_doc(CONFIG_KIND, config_key(ref, doc["qualifier"]), doc)


def delete(txn: Any, ref: FunctionRef, qualifier: str) -> None:
    txn.delete_doc(CONFIG_KIND, config_key(ref, qualifier))


def not_configured(ref: FunctionRef, qualifier: str) -> LambdaResourceNotFoundException:
    """``The function arn:...:function:NAME:$LATEST doesn't have an EventInvokeConfig`` (the qualifier as asked)."""
    return LambdaResourceNotFoundException(f"The function {ref.arn(qualifier)} doesn't have an EventInvokeConfig")


def function_missing() -> LambdaResourceNotFoundException:
    return LambdaResourceNotFoundException(FUNCTION_MISSING)


def settings_of(request: dict[str, Any]) -> dict[str, Any]:
    """The document fields a Put/Update request sets (``None``: that member was not given)."""
    destinations = request.get("DestinationConfig")
    return {
        "maximum_retry_attempts": request.get("MaximumRetryAttempts"),
        "maximum_event_age": request.get("MaximumEventAgeInSeconds"),
        "on_success": None if destinations is None else _target(destinations, "OnSuccess"),
        "on_failure": None if destinations is None else _target(destinations, "OnFailure"),
        "destinations_given": destinations is not None,
    }


def _target(destinations: dict[str, Any], member: str) -> str:
    return str((destinations.get(member) or {}).get("Destination") or "")


def require_something(request: dict[str, Any]) -> None:
    if all(request.get(m) is None for m in ("MaximumRetryAttempts", "MaximumEventAgeInSeconds", "DestinationConfig")):
        raise InvalidParameterValueException(NOTHING_TO_SET)


def check_destinations(request: dict[str, Any], ref: FunctionRef, function_exists: Any) -> None:
    """AWS's checks on DestinationConfig (after the model's pattern): a known service for each condition, a
    Lambda destination that exists and is not the function itself.  ``function_exists(arn)`` answers the
    existence of a Lambda destination.  Queues, topics, buckets and event buses are not looked up here: a
    missing one shows as DestinationDeliveryFailures when a record cannot be delivered, as on AWS."""
    destinations = request.get("DestinationConfig") or {}
    for member, services in _SERVICES.items():
        target = _target(destinations, member)
        if not target:
            continue
        parts = target.split(":")
        service = parts[2] if target.startswith("arn:") and len(parts) >= 6 else ""
        if service not in services:
            raise InvalidParameterValueException(f"The provided destination config {_java_text(destinations)} "
                                                 "is invalid.")
        if service == "lambda":
            if len(parts) >= 7 and parts[5] == "function" and parts[6] == ref.name and parts[4] == ref.account \
                    and parts[3] == ref.region:
                raise InvalidParameterValueException(SELF_DESTINATION)
            if not function_exists(target):
                raise InvalidParameterValueException(f"The destination ARN {target} is invalid.")


def _java_text(destinations: dict[str, Any]) -> str:
    """DestinationConfig as AWS quotes it in its error (Java's toString): ``DestinationConfig(onSuccess=
    OnSuccess(destination=ARN), onFailure=null)``."""
    def one(member: str) -> str:
        if destinations.get(member) is None:
            return "null"
        target = (destinations[member] or {}).get("Destination")
        return f"{member}(destination={target if target else 'null'})"
    return f"DestinationConfig(onSuccess={one('OnSuccess')}, onFailure={one('OnFailure')})"


def configuration(ref: FunctionRef, doc: dict[str, Any]) -> dict[str, Any]:
    """``FunctionEventInvokeConfig`` as AWS answers it: the qualified ARN (``$LATEST`` included), the
    DestinationConfig with both conditions (``{}`` when unset), the retry members only when set; LastModified
    in epoch seconds (the model's timestamp, serialized as the protocol does)."""
    def destination(target: str | None) -> dict[str, Any]:
        return {"Destination": target} if target else {}

    out: dict[str, Any] = {
        "LastModified": doc["last_modified"],
        "FunctionArn": ref.arn(doc["qualifier"]),
        "DestinationConfig": {"OnSuccess": destination(doc.get("on_success")),
                              "OnFailure": destination(doc.get("on_failure"))},
    }
    if doc.get("maximum_retry_attempts") is not None:
        out["MaximumRetryAttempts"] = doc["maximum_retry_attempts"]
    if doc.get("maximum_event_age") is not None:
        out["MaximumEventAgeInSeconds"] = doc["maximum_event_age"]
    return out


def effective(store: Any, ref: FunctionRef, qualifier: str | None) -> dict[str, Any]:
    """What an Event invocation of ``qualifier`` runs with: ``retries``, ``max_age`` (seconds), ``on_success``,
    ``on_failure`` (ARNs or "") -- the qualifier's own configuration, else AWS's defaults."""
    doc = get_config(store, ref, qualifier or LATEST) or {}
    retries = doc.get("maximum_retry_attempts")
    age = doc.get("maximum_event_age")
    return {"retries": DEFAULT_RETRY_ATTEMPTS if retries is None else int(retries),
            "max_age": float(DEFAULT_EVENT_AGE if age is None else age),
            "on_success": doc.get("on_success") or "", "on_failure": doc.get("on_failure") or ""}
