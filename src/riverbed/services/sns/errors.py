"""SNS errors (query protocol: the code is the one botocore reports, with the model's HTTP status).

Owns: one class per SNS error code used here, and helpers for SNS's usual ``Invalid parameter: ...``
wording.  Texts are the recorded ones in AWS's recorded sns.snapshot.json
(provenance: tests/data/aws-recorded/README.md).

Must not: decide when an error applies.
"""

from __future__ import annotations

from riverbed.errors import ServiceError


class NotFound(ServiceError):
    code = "NotFound"
    status = 404


class InvalidParameter(ServiceError):
    code = "InvalidParameter"


class ParameterValueInvalid(ServiceError):
    code = "ParameterValueInvalid"


class ResourceNotFound(ServiceError):
    code = "ResourceNotFound"
    status = 404


class TooManyEntriesInBatchRequest(ServiceError):
    code = "TooManyEntriesInBatchRequest"


class EmptyBatchRequest(ServiceError):
    code = "EmptyBatchRequest"


class BatchEntryIdsNotDistinct(ServiceError):
    code = "BatchEntryIdsNotDistinct"


class InvalidBatchEntryId(ServiceError):
    code = "InvalidBatchEntryId"


class BatchRequestTooLong(ServiceError):
    code = "BatchRequestTooLong"


class TagLimitExceeded(ServiceError):
    code = "TagLimitExceeded"


def invalid(what: str, reason: str | None = None) -> InvalidParameter:
    """``Invalid parameter: <what>`` or ``Invalid parameter: <what> Reason: <reason>``."""
    if reason is None:
        return InvalidParameter(f"Invalid parameter: {what}")
    return InvalidParameter(f"Invalid parameter: {what} Reason: {reason}")


def topic_not_found() -> NotFound:
    return NotFound("Topic does not exist")


def subscription_not_found() -> NotFound:
    return NotFound("Subscription does not exist")
