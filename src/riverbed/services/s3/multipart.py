"""Multipart uploads: the upload and part documents, part checksums, and how a completed object is assembled.

Owns: part-number and size rules (1-10000; every part but the last at least 5 MiB), the multipart
ETag (MD5 of the concatenated binary MD5s of the parts, ``-N``), and multipart checksums: COMPOSITE
(the checksum of the concatenated binary part checksums, ``-N``) or FULL_OBJECT (the checksum of
the whole object, computed as the parts are joined); CRC64NVME uploads are FULL_OBJECT, the others
COMPOSITE unless the upload asked otherwise
(https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html).

Must not: touch the store (``service`` and the operations do).
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from riverbed.core import checksums
from riverbed.errors import ServiceError
from riverbed.services.s3 import errors

MIN_PART = 5 * 1024 * 1024
MAX_PARTS = 10000


def check_part_number(number: int) -> None:
    if not 1 <= number <= MAX_PARTS:
        raise errors.invalid_argument("Part number must be an integer between 1 and 10000, inclusive",
                                      "partNumber", str(number))


def checksum_type(algorithm: str | None, requested: str | None) -> str | None:
    if not algorithm:
        return requested
    if requested:
        return requested
    return "FULL_OBJECT" if algorithm.upper() == "CRC64NVME" else "COMPOSITE"


def multipart_etag(part_etags: list[str]) -> str:
    digest = hashlib.md5(b"".join(bytes.fromhex(e.strip('"')) for e in part_etags)).hexdigest()
    return f'"{digest}-{len(part_etags)}"'


def composite(algorithm: str, part_values: list[str]) -> str:
    h = checksums.hasher(algorithm)
    for value in part_values:
        h.update(base64.b64decode(value))
    return f"{checksums.encode(h.digest())}-{len(part_values)}"


def check_completion(upload: dict[str, Any], stored: dict[int, dict[str, Any]],
                     listed: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The stored parts the CompleteMultipartUpload request names, in order; S3's errors otherwise."""
    if not listed:
        raise errors.malformed_xml()
    chosen: list[dict[str, Any]] = []
    previous = 0
    for item in listed:
        number = item.get("PartNumber")
        if number is None or number <= previous:
            raise invalid_part_order()
        previous = number
        part = stored.get(number)
        if part is None or (item.get("ETag") is not None and item["ETag"].strip('"') != part["ETag"].strip('"')):
            raise _invalid_part()
        for algorithm in checksums.ALGORITHMS:
            given = item.get(checksums.member_name(algorithm))
            if given is not None and given != (part.get("Checksums") or {}).get(algorithm):
                raise _invalid_part()
        chosen.append(part)
    for part in chosen[:-1]:
        if part["Size"] < MIN_PART:
            raise ServiceError("Your proposed upload is smaller than the minimum allowed size",
                                      code="EntityTooSmall", extra={"ProposedSize": part["Size"],
                                                                    "MinSizeAllowed": MIN_PART})
    return chosen


def _invalid_part() -> ServiceError:
    return ServiceError("One or more of the specified parts could not be found.  The part may not have been "
                               "uploaded, or the specified entity tag may not match the part's entity tag.",
                               code="InvalidPart")


def invalid_part_order() -> ServiceError:
    return ServiceError("The list of parts was not in ascending order. Parts must be ordered by part number.",
                               code="InvalidPartOrder")
