"""SQS errors, each with its JSON type and its legacy query-protocol code.

Owns: the two names AWS gives every SQS error.  SQS is ``awsQueryCompatible``: the JSON protocol
answers ``{"__type": "com.amazonaws.sqs#QueueDoesNotExist"}`` plus the header
``x-amzn-query-error: AWS.SimpleQueueService.NonExistentQueue;Sender``, and the query protocol answers
``<Code>AWS.SimpleQueueService.NonExistentQueue</Code>``.  ``code`` holds the JSON type and
``extra['__query_code']`` the query code (the gateway and ``protocol/query`` read it).  Texts are the
recorded ones in AWS's recorded sqs.snapshot.json where a recording exists
(provenance: tests/data/aws-recorded/README.md).

Must not: know about HTTP or decide when an error applies.
"""

from __future__ import annotations

from riverbed.errors import ServiceError


class SqsError(ServiceError):
    query_code = ""

    def __init__(self, message: str = "", *, status: int | None = None) -> None:
        super().__init__(message, status=status, extra={"__query_code": self.query_code or self.code})


class QueueDoesNotExist(SqsError):
    code = "QueueDoesNotExist"
    query_code = "AWS.SimpleQueueService.NonExistentQueue"

    def __init__(self, message: str = "The specified queue does not exist.") -> None:
        super().__init__(message)


class QueueNameExists(SqsError):
    code = "QueueNameExists"
    query_code = "QueueAlreadyExists"


class InvalidParameterValue(SqsError):
    code = "InvalidParameterValueException"
    query_code = "InvalidParameterValue"


class MissingParameter(SqsError):
    code = "MissingRequiredParameterException"
    query_code = "MissingParameter"

    @classmethod
    def named(cls, name: str) -> MissingParameter:
        return cls(f"The request must contain the parameter {name}.")


class InvalidAttributeName(SqsError):
    code = "InvalidAttributeName"


class InvalidAttributeValue(SqsError):
    code = "InvalidAttributeValue"


class InvalidMessageContents(SqsError):
    code = "InvalidMessageContents"


class ReceiptHandleIsInvalid(SqsError):
    code = "ReceiptHandleIsInvalid"


class TooManyEntriesInBatchRequest(SqsError):
    code = "TooManyEntriesInBatchRequest"
    query_code = "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"


class EmptyBatchRequest(SqsError):
    code = "EmptyBatchRequest"
    query_code = "AWS.SimpleQueueService.EmptyBatchRequest"


class BatchEntryIdsNotDistinct(SqsError):
    code = "BatchEntryIdsNotDistinct"
    query_code = "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"


class InvalidBatchEntryId(SqsError):
    code = "InvalidBatchEntryId"
    query_code = "AWS.SimpleQueueService.InvalidBatchEntryId"

    def __init__(self) -> None:
        super().__init__("A batch entry id can only contain alphanumeric characters, hyphens and "
                         "underscores. It can be at most 80 letters long.")


class BatchRequestTooLong(SqsError):
    code = "BatchRequestTooLong"
    query_code = "AWS.SimpleQueueService.BatchRequestTooLong"


class PurgeQueueInProgress(SqsError):
    code = "PurgeQueueInProgress"
    query_code = "AWS.SimpleQueueService.PurgeQueueInProgress"
    status = 403


class OverLimit(SqsError):
    code = "OverLimit"
    status = 403


class ResourceNotFoundException(SqsError):
    """Move tasks: a SourceArn / DestinationArn / task that does not exist (404, recorded AWS: LocalStack's
    test_sqs_move_task snapshot)."""

    code = "ResourceNotFoundException"
    status = 404


class UnsupportedOperation(SqsError):
    code = "UnsupportedOperation"
    query_code = "AWS.SimpleQueueService.UnsupportedOperation"


def invalid_value(value: object, parameter: str, reason: str) -> InvalidParameterValue:
    """``Value <v> for parameter <p> is invalid. Reason: <r>`` -- SQS's usual wording."""
    return InvalidParameterValue(f"Value {value} for parameter {parameter} is invalid. Reason: {reason}")
