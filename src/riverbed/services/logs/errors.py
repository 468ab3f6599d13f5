"""CloudWatch Logs' errors with AWS's texts (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/CommonErrors.html).

Must not: hold anything but error constructors.
"""

from __future__ import annotations

from riverbed.errors import ServiceError


def group_not_found() -> ServiceError:
    return ServiceError("The specified log group does not exist.", code="ResourceNotFoundException")


def stream_not_found() -> ServiceError:
    return ServiceError("The specified log stream does not exist.", code="ResourceNotFoundException")


def group_exists() -> ServiceError:
    return ServiceError("The specified log group already exists", code="ResourceAlreadyExistsException")


def stream_exists() -> ServiceError:
    return ServiceError("The specified log stream already exists", code="ResourceAlreadyExistsException")


def invalid(message: str) -> ServiceError:
    return ServiceError(message, code="InvalidParameterException")
