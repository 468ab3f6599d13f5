"""KMS's errors, with the codes and texts AWS answers (kms snapshot).

Must not: decide when they apply.
"""

from __future__ import annotations

from riverbed.errors import ServiceError

INCORRECT_KEY = "The key ID in the request does not identify a CMK that can perform this operation."


def not_found(message: str) -> ServiceError:
    return ServiceError(message, code="NotFoundException")


def key_not_found(arn: str) -> ServiceError:
    return not_found(f"Key '{arn}' does not exist")


def invalid_key_id(key_id: str) -> ServiceError:
    return not_found(f"Invalid keyId '{key_id}'")


def disabled(arn: str) -> ServiceError:
    return ServiceError(f"{arn} is disabled.", code="DisabledException")


def invalid_state(message: str) -> ServiceError:
    return ServiceError(message, code="KMSInvalidStateException")


def invalid_ciphertext() -> ServiceError:
    # AWS answers this one with an empty message (kms snapshot, test_encrypt_decrypt_encryption_context).
    return ServiceError("", code="InvalidCiphertextException")


def incorrect_key() -> ServiceError:
    return ServiceError(INCORRECT_KEY, code="IncorrectKeyException")


def validation(message: str) -> ServiceError:
    return ServiceError(message, code="ValidationException")


def already_exists(message: str) -> ServiceError:
    return ServiceError(message, code="AlreadyExistsException")


def malformed_policy(message: str) -> ServiceError:
    return ServiceError(message, code="MalformedPolicyDocumentException")
