"""Object versions as S3 keeps them: version ids, the "null" version, delete markers, the version chain.

Owns: the chain of one key's versions, newest first (``chain[0]`` is the current version: an object, or
a delete marker when the key reads as deleted), how a write or a delete changes it under each bucket
versioning state, and the shape of version ids.  Following
https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html:

- never versioned: a write replaces the one "null" version, a delete removes it;
- Enabled: a write or a delete (a delete marker) gets a new version id and pushes the others down;
- Suspended: the new version (or delete marker) is the "null" one and replaces any older "null" version;
- a delete naming a version removes exactly that version (object or marker) and never adds a marker.

AWS version ids are 32 characters; other text is refused with ``InvalidArgument: Invalid version id
specified`` (a HeadObject with ``dsf`` answers 400, one with a 32-character unknown id 404 — recorded
in Seagate/cortx-s3server#1724).

Must not: touch the store or the blob files (``service`` applies what this module decides).
"""

from __future__ import annotations

import secrets
import string
from typing import Any

from riverbed.services.s3 import errors

NULL = "null"
ENABLED, SUSPENDED = "Enabled", "Suspended"
_ALPHABET = string.ascii_letters + string.digits + "._"
ID_LENGTH = 32


def new_id() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(ID_LENGTH))


def check_id(version_id: str | None) -> None:
    """AWS's 400 for a version id that cannot be one (empty, or not of the 32-character form)."""
    if version_id is None:
        return
    if version_id == "":
        raise errors.invalid_argument("Version id cannot be the empty string", "versionId", "")
    if version_id != NULL and len(version_id) != ID_LENGTH:
        raise errors.invalid_argument("Invalid version id specified", "versionId", version_id)


def id_for(status: str | None) -> str:
    """The version id of a new version (or delete marker) in a bucket with this versioning status."""
    return new_id() if status == ENABLED else NULL


def push(chain: list[dict[str, Any]], new: dict[str, Any],
         status: str | None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``(chain, dropped)`` after ``new`` becomes the current version; dropped versions lose their bytes."""
    if status is None:
        return [new], chain
    if new["VersionId"] == NULL:
        dropped = [v for v in chain if v["VersionId"] == NULL]
        chain = [v for v in chain if v["VersionId"] != NULL]
        return [new, *chain], dropped
    return [new, *chain], []


def delete_marker(key: str, version_id: str, now: float) -> dict[str, Any]:
    return {"Key": key, "VersionId": version_id, "DeleteMarker": True, "LastModified": int(now)}


def find(chain: list[dict[str, Any]], version_id: str) -> dict[str, Any] | None:
    return next((v for v in chain if v["VersionId"] == version_id), None)


def is_marker(doc: dict[str, Any] | None) -> bool:
    return bool(doc and doc.get("DeleteMarker"))


def marker_headers(doc: dict[str, Any]) -> dict[str, str]:
    """The headers S3 sends with an answer about a delete marker (a 404 or 405)."""
    return {"x-amz-delete-marker": "true", "x-amz-version-id": doc["VersionId"]}


def method_not_allowed(method: str, doc: dict[str, Any]) -> Exception:
    """GET/HEAD naming a delete marker by version id: 405 (S3 API reference, GetObject)."""
    err = errors.method_not_allowed(method, "DeleteMarker")
    err.headers.update(marker_headers(doc))
    return err
