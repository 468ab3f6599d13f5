"""Environment variables encrypted with the function's customer managed key (``KMSKeyArn``).

Owns: sealing a function's ``Environment.Variables`` with its KMS key when the configuration is written
(CreateFunction, UpdateFunctionConfiguration: a key that cannot encrypt is refused there, as Lambda refuses
to create its grant), and opening them when an execution environment starts (a key disabled, pending
deletion or gone since is refused at Invoke with KMSDisabledException / KMSInvalidStateException /
KMSNotFoundException, 502, as AWS does). The handler sees the plaintext values.

The control plane keeps showing the variables (GetFunctionConfiguration returns them decrypted to a caller
allowed to read the function, as AWS does); what runs is the sealed copy, opened with the key each time a
worker starts.

Must not: talk to KMS other than through :class:`~riverbed.core.interfaces.Encryption`.

AWS's texts: CreateFunction's "Lambda was unable to configure access to your environment variables because
the KMS key is invalid for CreateGrant. Please check your KMS key settings. KMS Exception: ..." (seen in
SDK users' retry lists, e.g. serverless' integration tests); Invoke's exception names and first sentences
are the API reference's (Invoke, Errors); the "KMS Exception: <code>KMS Message: <text>" tail follows the
KMSAccessDeniedException message AWS re:Post quotes.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from riverbed.core.interfaces import Encryption
from riverbed.errors import InvalidParameterValueException, ServiceError

_CONFIGURE = ("Lambda was unable to configure access to your environment variables because the KMS key is invalid "
              "for CreateGrant. Please check your KMS key settings. ")
# Invoke's error per KMS exception: (Lambda's code, what Lambda says).
_AT_INVOKE = {
    "DisabledException": ("KMSDisabledException", "because the KMS key used is disabled"),
    "KMSInvalidStateException": ("KMSInvalidStateException",
                                 "because the KMS key used is in an invalid state for Decrypt"),
    "NotFoundException": ("KMSNotFoundException", "because the KMS key was not found"),
}


def _context(doc: dict[str, Any]) -> dict[str, str]:
    return {"LambdaFunctionName": str(doc["name"])}


def seal(keys: Encryption | None, doc: dict[str, Any]) -> None:
    """Seal ``doc``'s variables with its KMSKeyArn (or drop a stale sealed copy); InvalidParameterValueException
    when the key cannot encrypt."""
    doc.pop("environment_sealed", None)
    key = doc.get("kms_key_arn")
    variables = doc.get("environment")
    if not key or not variables or keys is None:
        return
    plaintext = json.dumps(variables, sort_keys=True).encode()
    try:
        _, blob = keys.encrypt(doc["account"], doc["region"], str(key), plaintext, _context(doc))
    except ServiceError as exc:
        raise InvalidParameterValueException(f"{_CONFIGURE}KMS Exception: {exc.code}KMS Message: {exc.message}") \
            from None
    doc["environment_sealed"] = base64.b64encode(blob).decode()


def open_variables(keys: Encryption | None, doc: dict[str, Any]) -> dict[str, str] | None:
    """The variables a worker starts with: the sealed copy opened with the function's key (Invoke's KMS errors
    when it cannot be), else the plain configuration's."""
    sealed = doc.get("environment_sealed")
    if not sealed or keys is None:
        return None
    try:
        _, plaintext = keys.decrypt(doc["account"], doc["region"], base64.b64decode(sealed), _context(doc))
    except ServiceError as exc:
        code, why = _AT_INVOKE.get(exc.code, ("KMSAccessDeniedException", "because KMS access was denied"))
        raise ServiceError(f"Lambda was unable to decrypt the environment variables {why}. Please check the "
                           f"function's KMS key settings. KMS Exception: {exc.code}KMS Message: {exc.message}",
                           code=code, status=502) from None
    return dict(json.loads(plaintext))
