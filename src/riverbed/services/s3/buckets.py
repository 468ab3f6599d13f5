"""Bucket names and the location rules of CreateBucket.

Owns: the general-purpose bucket naming rules
(https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html) and which
``LocationConstraint`` a request sent to a region's endpoint may carry, with S3's error texts.

Must not: store anything.
"""

from __future__ import annotations

import re

from riverbed.errors import ServiceError

_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_IP = re.compile(r"^\d+\.\d+\.\d+\.\d+$")
_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


def check_name(name: str) -> None:
    if (not _NAME.match(name) or ".." in name or _IP.match(name) or name.startswith(_RESERVED_PREFIXES)
            or name.endswith(_RESERVED_SUFFIXES)):
        raise ServiceError("The specified bucket is not valid.", code="InvalidBucketName", extra={"BucketName": name})


def check_location(region: str, constraint: str | None) -> str:
    """The bucket's region for a CreateBucket sent to ``region`` with this ``LocationConstraint``."""
    if region == "us-east-1":
        # The us-east-1 endpoint creates buckets in any region but refuses to be named explicitly.
        if constraint in (None, ""):
            return region
        if constraint == "us-east-1":
            raise ServiceError("The specified location-constraint is not valid", code="InvalidLocationConstraint",
                               extra={"LocationConstraint": constraint})
        return "eu-west-1" if constraint == "EU" else constraint
    if constraint in (None, ""):
        raise ServiceError("The unspecified location constraint is incompatible for the region specific endpoint "
                           "this request was sent to.", code="IllegalLocationConstraintException")
    if constraint != region:
        raise ServiceError(f"The {constraint} location constraint is incompatible for the region specific endpoint "
                           "this request was sent to.", code="IllegalLocationConstraintException")
    return region
