"""AWS errors: one class per AWS error code, raised anywhere, serialized once.

Owns: the error's code, its exact AWS message, its HTTP status and whether it
is the caller's fault (``sender``).  The protocol layer turns a
:class:`ServiceError` into the wire form of the service that raised it
(JSON ``__type``, REST-JSON ``x-amzn-ErrorType``, query-protocol XML).

Must not: know about HTTP framing or any particular protocol.
"""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """An error AWS would return.  Subclasses set ``code`` and ``status``."""

    code = "InternalFailure"
    status = 400
    sender = True  # "Sender"/"User" fault, as opposed to "Receiver"/"Service"

    def __init__(self, message: str = "", *, code: str | None = None, status: int | None = None,
                 extra: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        # Extra members of the error shape (e.g. CancellationReasons, Item).
        self.extra: dict[str, Any] = extra or {}
        self.headers: dict[str, str] = headers or {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code}: {self.message!r})"


def error(code: str, message: str, status: int = 400, **extra: Any) -> ServiceError:
    """A one-off error with any AWS code (for codes used in one place only)."""
    return ServiceError(message, code=code, status=status, extra=extra or None)


# --- shared by the JSON-protocol services (DynamoDB, Streams, SQS, KMS) ----------

class ValidationException(ServiceError):
    code = "ValidationException"


class SerializationException(ServiceError):
    code = "SerializationException"


class UnknownOperationException(ServiceError):
    code = "UnknownOperationException"


class ResourceNotFoundException(ServiceError):
    code = "ResourceNotFoundException"


class ResourceInUseException(ServiceError):
    code = "ResourceInUseException"


class LimitExceededException(ServiceError):
    code = "LimitExceededException"


class InternalServerError(ServiceError):
    code = "InternalServerError"
    status = 500
    sender = False


class MissingAuthenticationToken(ServiceError):
    code = "MissingAuthenticationTokenException"
    status = 403


class AccessDeniedException(ServiceError):
    code = "AccessDeniedException"


# --- DynamoDB ------------------------------------------------------------------

class ConditionalCheckFailedException(ServiceError):
    code = "ConditionalCheckFailedException"

    def __init__(self, message: str = "The conditional request failed", item: dict[str, Any] | None = None,
                 capacity_units: float = 1.0) -> None:
        super().__init__(message, extra={"Item": item} if item is not None else None)
        # A failed conditional write still consumes write capacity: the existing item's size, at least one
        # unit (DynamoDB developer guide, read and write operations).  Not part of the answer; the request
        # metrics count it in ConsumedWriteCapacityUnits.
        self.capacity_units = capacity_units


class TransactionCanceledException(ServiceError):
    code = "TransactionCanceledException"


class TransactionConflictException(ServiceError):
    code = "TransactionConflictException"


class IdempotentParameterMismatchException(ServiceError):
    code = "IdempotentParameterMismatchException"


class ItemCollectionSizeLimitExceededException(ServiceError):
    code = "ItemCollectionSizeLimitExceededException"


# --- DynamoDB Streams ----------------------------------------------------------

class ExpiredIteratorException(ServiceError):
    code = "ExpiredIteratorException"


class TrimmedDataAccessException(ServiceError):
    code = "TrimmedDataAccessException"


# --- Lambda (REST-JSON; status codes differ per error) --------------------------

class InvalidParameterValueException(ServiceError):
    code = "InvalidParameterValueException"


class ResourceConflictException(ServiceError):
    code = "ResourceConflictException"
    status = 409


class LambdaResourceNotFoundException(ServiceError):
    code = "ResourceNotFoundException"
    status = 404


class TooManyRequestsException(ServiceError):
    code = "TooManyRequestsException"
    status = 429


class RequestTooLargeException(ServiceError):
    code = "RequestTooLargeException"
    status = 413


class ServiceException(ServiceError):
    code = "ServiceException"
    status = 500
    sender = False
