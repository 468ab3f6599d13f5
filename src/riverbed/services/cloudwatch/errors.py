"""CloudWatch's errors, with the codes it answers in both its JSON and query wire forms.

CloudWatch is ``awsQueryCompatible``: a JSON answer names the error ``...Exception`` in ``__type`` and
the query code in ``x-amzn-query-error``; the query protocol uses the query code (``__query_code``).

Must not: hold anything but error constructors.
"""

from __future__ import annotations

from riverbed.errors import ServiceError


def _error(query_code: str, json_code: str, message: str, status: int = 400) -> ServiceError:
    return ServiceError(message, code=json_code, status=status, extra={"__query_code": query_code})


def invalid_value(message: str) -> ServiceError:
    return _error("InvalidParameterValue", "InvalidParameterValueException", message)


def invalid_combination(message: str) -> ServiceError:
    return _error("InvalidParameterCombination", "InvalidParameterCombinationException", message)


def missing_parameter(message: str) -> ServiceError:
    return _error("MissingParameter", "MissingRequiredParameterException", message)


def invalid_next_token() -> ServiceError:
    return _error("InvalidNextToken", "InvalidNextToken", "The service couldn't process the token.")


def resource_not_found() -> ServiceError:
    # SetAlarmState on an unknown alarm: 404 with no message (cloudwatch snapshot test_set_alarm_invalid_input).
    return _error("ResourceNotFound", "ResourceNotFound", "", 404)


def validation(message: str) -> ServiceError:
    return _error("ValidationError", "ValidationException", message)
