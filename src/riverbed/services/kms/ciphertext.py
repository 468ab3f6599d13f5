"""The ciphertext blob and its cryptography: AES-256-GCM under the key's material.

Owns: the blob format — a version byte, the key id (so that Decrypt needs no KeyId, as on AWS), a
12-byte nonce, then the GCM ciphertext and tag — and binding the encryption context as the
authenticated data, so a wrong or missing context fails authentication just as a tampered blob does.

Must not: know key states or aliases (``service`` does), or log plaintext.
https://docs.aws.amazon.com/kms/latest/developerguide/encrypt_context.html
"""

from __future__ import annotations

import json
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = b"\x01"
KEY_ID_LENGTH = 36      # a UUID in its text form
NONCE_LENGTH = 12


class BadCiphertext(Exception):
    """The blob is malformed, or does not authenticate under this key and context."""


def _aad(context: dict[str, Any] | None) -> bytes:
    return json.dumps(dict(context or {}), sort_keys=True, separators=(",", ":")).encode()


def seal(material: bytes, key_id: str, plaintext: bytes, context: dict[str, Any] | None) -> bytes:
    nonce = os.urandom(NONCE_LENGTH)
    body = AESGCM(material).encrypt(nonce, plaintext, _aad(context))
    return VERSION + key_id.encode() + nonce + body


def key_id_of(blob: bytes) -> str:
    """The id of the key a blob was made under; BadCiphertext when it is not one of ours."""
    if len(blob) < 1 + KEY_ID_LENGTH + NONCE_LENGTH + 16 or blob[:1] != VERSION:
        raise BadCiphertext()
    try:
        return blob[1:1 + KEY_ID_LENGTH].decode("ascii")
    except UnicodeDecodeError:
        raise BadCiphertext() from None


def open_blob(material: bytes, blob: bytes, context: dict[str, Any] | None) -> bytes:
    start = 1 + KEY_ID_LENGTH
    nonce, body = blob[start:start + NONCE_LENGTH], blob[start + NONCE_LENGTH:]
    try:
        return AESGCM(material).decrypt(nonce, body, _aad(context))
    except InvalidTag:
        raise BadCiphertext() from None
