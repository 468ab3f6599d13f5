"""IAM's errors, with the codes, statuses and texts AWS answers (iam snapshot; IAM API reference).

Must not: decide when they apply (``service`` and the operations do).
"""

from __future__ import annotations

from riverbed.errors import ServiceError

DELETE_CONFLICT_POLICIES = "Cannot delete entity, must delete policies first."
DELETE_CONFLICT_ATTACHED = "Cannot delete entity, must detach all policies first."
DELETE_CONFLICT_KEYS = "Cannot delete entity, must delete access keys first."
DELETE_CONFLICT_POLICY = "Cannot delete a policy attached to entities."
DELETE_CONFLICT_DEFAULT_VERSION = "Cannot delete the default version of a policy."
VERSIONS_LIMIT = ("A managed policy can have up to 5 versions. Before you create a new version, you must delete an "
                  "existing version.")
BAD_ARN = "Invalid ARN:  Could not be parsed!"


def no_such_entity(message: str) -> ServiceError:
    return ServiceError(message, code="NoSuchEntity", status=404)


def already_exists(message: str) -> ServiceError:
    return ServiceError(message, code="EntityAlreadyExists", status=409)


def delete_conflict(message: str) -> ServiceError:
    return ServiceError(message, code="DeleteConflict", status=409)


def limit_exceeded(message: str) -> ServiceError:
    return ServiceError(message, code="LimitExceeded", status=409)


def malformed(message: str) -> ServiceError:
    return ServiceError(message, code="MalformedPolicyDocument", status=400)


def invalid_input(message: str) -> ServiceError:
    return ServiceError(message, code="InvalidInput", status=400)


def validation(message: str) -> ServiceError:
    return ServiceError(message, code="ValidationError", status=400)
