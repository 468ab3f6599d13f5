"""Published versions: immutable snapshots of ``$LATEST``, numbered 1, 2, 3 ...

Owns: publishing (``Publish=True`` on CreateFunction/UpdateFunctionCode, and PublishVersion), which
reuses the newest version when neither code nor configuration changed since it was published -- as
AWS does (lambda_api snapshot, test_version_lifecycle: a repeated publish answers the existing version).

Must not: render responses or check request parameters (operations do).
"""

from __future__ import annotations

from typing import Any

from riverbed.services.lambda_ import functions
from riverbed.services.lambda_.functions import new_revision

# Members that make a version differ from the one before it (RevisionId and timestamps do not).
_SNAPSHOT_FIELDS = ("runtime", "role", "handler", "timeout", "memory_size", "environment", "code_sha256",
                    "architectures", "log_group", "dead_letter_target", "kms_key_arn", "ephemeral_storage",
                    "environment_sealed")

_COPIED_FIELDS = (*_SNAPSHOT_FIELDS, "name", "account", "region", "description", "code_hex", "code_size",
                  "inprocess", "tracing_mode", "log_format")


def publish(txn: Any, doc: dict[str, Any], now: float, description: str | None = None) -> dict[str, Any]:
    """Publish ``doc`` ($LATEST) inside ``txn``; returns the version document (new or reused).

    ``doc`` is updated in place (its version counter) and must be written back by the caller.
    """
    ref = functions.ref_of(doc)
    newest = doc.get("latest_published")
    if newest:
        existing = functions.get_version(txn, ref, newest)
        if existing is not None and all(existing.get(f) == doc.get(f) for f in _SNAPSHOT_FIELDS):
            return existing
    number = int(doc.get("next_version", 1))
    version = {field: doc.get(field) for field in _COPIED_FIELDS}
    version.update(version=str(number), revision_id=new_revision(), last_modified=now, tags={}, policy=[])
    if description is not None:
        version["description"] = description
    doc["next_version"] = number + 1
    doc["latest_published"] = str(number)
    functions.put(txn, version)
    return version
