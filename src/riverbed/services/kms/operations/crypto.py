"""Encrypt, Decrypt, ReEncrypt, GenerateDataKey, GenerateDataKeyWithoutPlaintext.

Blobs travel as base64 text in the JSON protocol.  Decrypt takes its key from the blob (a KeyId, when
given, must name the same key: IncorrectKeyException); the answers name keys by ARN.  A data key is
``NumberOfBytes`` random bytes or 16/32 for AES_128/AES_256, exactly one of the two.
https://docs.aws.amazon.com/kms/latest/APIReference/API_Decrypt.html
"""

from __future__ import annotations

import base64
import binascii
import os
from typing import Any

from riverbed.services.kms import errors
from riverbed.services.kms.service import KmsContext

ALGORITHM = "SYMMETRIC_DEFAULT"
KEY_SPEC_BYTES = {"AES_256": 32, "AES_128": 16}


def _bytes(text: Any) -> bytes:
    try:
        return base64.b64decode(str(text), validate=True)
    except (binascii.Error, ValueError):
        raise errors.invalid_ciphertext() from None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _check_algorithm(request: dict[str, Any], member: str = "EncryptionAlgorithm") -> None:
    algorithm = request.get(member)
    if algorithm not in (None, ALGORITHM):
        raise errors.incorrect_key()


def encrypt(ctx: KmsContext, request: dict[str, Any]) -> dict[str, Any]:
    _check_algorithm(request)
    key, blob = ctx.backend.encrypt(ctx.account, ctx.region, request["KeyId"], _bytes(request["Plaintext"]),
                                    request.get("EncryptionContext"))
    return {"CiphertextBlob": _b64(blob), "KeyId": key["Arn"], "EncryptionAlgorithm": ALGORITHM}


def decrypt(ctx: KmsContext, request: dict[str, Any]) -> dict[str, Any]:
    _check_algorithm(request)
    key, plaintext = ctx.backend.decrypt(ctx.account, ctx.region, _bytes(request["CiphertextBlob"]),
                                         request.get("EncryptionContext"), request.get("KeyId"))
    return {"KeyId": key["Arn"], "Plaintext": _b64(plaintext), "EncryptionAlgorithm": ALGORITHM,
            "KeyMaterialId": key["material_id"]}


def re_encrypt(ctx: KmsContext, request: dict[str, Any]) -> dict[str, Any]:
    _check_algorithm(request, "SourceEncryptionAlgorithm")
    _check_algorithm(request, "DestinationEncryptionAlgorithm")
    source, plaintext = ctx.backend.decrypt(ctx.account, ctx.region, _bytes(request["CiphertextBlob"]),
                                            request.get("SourceEncryptionContext"), request.get("SourceKeyId"))
    target, blob = ctx.backend.encrypt(ctx.account, ctx.region, request["DestinationKeyId"], plaintext,
                                       request.get("DestinationEncryptionContext"))
    return {"CiphertextBlob": _b64(blob), "SourceKeyId": source["Arn"], "KeyId": target["Arn"],
            "SourceEncryptionAlgorithm": ALGORITHM, "DestinationEncryptionAlgorithm": ALGORITHM}


def _data_key(ctx: KmsContext, request: dict[str, Any]) -> tuple[dict[str, Any], bytes, bytes]:
    spec, count = request.get("KeySpec"), request.get("NumberOfBytes")
    if (spec is None) == (count is None):
        raise errors.validation("Please specify either number of bytes or key spec.")
    plaintext = os.urandom(KEY_SPEC_BYTES[spec] if spec is not None else int(str(count)))
    key, blob = ctx.backend.encrypt(ctx.account, ctx.region, request["KeyId"], plaintext,
                                    request.get("EncryptionContext"))
    return key, plaintext, blob


def generate_data_key(ctx: KmsContext, request: dict[str, Any]) -> dict[str, Any]:
    key, plaintext, blob = _data_key(ctx, request)
    return {"CiphertextBlob": _b64(blob), "Plaintext": _b64(plaintext), "KeyId": key["Arn"],
            "KeyMaterialId": key["material_id"]}


def generate_data_key_without_plaintext(ctx: KmsContext, request: dict[str, Any]) -> dict[str, Any]:
    key, _, blob = _data_key(ctx, request)
    return {"CiphertextBlob": _b64(blob), "KeyId": key["Arn"], "KeyMaterialId": key["material_id"]}
