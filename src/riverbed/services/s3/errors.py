"""S3's errors with AWS's codes, statuses and texts, and the extra elements its ``<Error>`` body carries.

Owns: one constructor per error S3 answers here; texts follow the S3 API reference's error-code table
(https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList).

Must not: know about the wire (the protocol layer writes ``<Error><Code/><Message/>...``).
"""

from __future__ import annotations

from riverbed.errors import ServiceError


def no_such_bucket(bucket: str) -> ServiceError:
    return ServiceError("The specified bucket does not exist", code="NoSuchBucket", status=404,
                        extra={"BucketName": bucket})


def no_such_key(key: str) -> ServiceError:
    return ServiceError("The specified key does not exist.", code="NoSuchKey", status=404, extra={"Key": key})


def no_such_upload(upload_id: str) -> ServiceError:
    return ServiceError("The specified upload does not exist. The upload ID may be invalid, or the upload may have "
                        "been aborted or completed.", code="NoSuchUpload", status=404, extra={"UploadId": upload_id})


def no_such_version(key: str, version_id: str) -> ServiceError:
    return ServiceError("The specified version does not exist.", code="NoSuchVersion", status=404,
                        extra={"Key": key, "VersionId": version_id})


def invalid_argument(message: str, name: str | None = None, value: str | None = None) -> ServiceError:
    extra = {"ArgumentName": name, "ArgumentValue": value} if name else None
    return ServiceError(message, code="InvalidArgument", extra=extra)


def invalid_request(message: str) -> ServiceError:
    return ServiceError(message, code="InvalidRequest")


def precondition_failed(condition: str) -> ServiceError:
    return ServiceError("At least one of the pre-conditions you specified did not hold", code="PreconditionFailed",
                        status=412, extra={"Condition": condition})


def not_modified() -> ServiceError:
    return ServiceError("Not Modified", code="NotModified", status=304)


def invalid_range(requested: str, size: int) -> ServiceError:
    return ServiceError("The requested range is not satisfiable", code="InvalidRange", status=416,
                        extra={"RangeRequested": requested, "ActualObjectSize": size})


def bucket_not_empty(bucket: str) -> ServiceError:
    return ServiceError("The bucket you tried to delete is not empty", code="BucketNotEmpty", status=409,
                        extra={"BucketName": bucket})


def malformed_xml() -> ServiceError:
    return ServiceError("The XML you provided was not well-formed or did not validate against our published schema",
                        code="MalformedXML")


def method_not_allowed(method: str, resource_type: str) -> ServiceError:
    return ServiceError("The specified method is not allowed against this resource.", code="MethodNotAllowed",
                        status=405, extra={"Method": method, "ResourceType": resource_type})
