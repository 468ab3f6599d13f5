"""Function code: checking an uploaded zip, and keeping it in the store so functions survive restarts.

Owns: decoding ``ZipFile`` (base64 on the wire) or reading ``S3Bucket``/``S3Key`` through the
:class:`~riverbed.core.interfaces.ObjectStore` handed over by the composition root, the checks AWS makes on it
(readable zip, zipped and unzipped size limits), ``CodeSha256`` (base64 of the
SHA-256) and ``CodeSize``, and the ``code`` documents (key: hex SHA-256, value:
the zip in base64) that several functions or versions may share.  A small
in-memory cache spares the base64 round trip on every cold start.

Sizes and texts: https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html and the
lambda_api snapshot (TestLambdaSizeLimits, test_create_lambda_exceptions).

Must not: unpack code for execution (the runtime does, once per CodeSha256).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import zipfile
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from riverbed.core.interfaces import ObjectStore
from riverbed.errors import InvalidParameterValueException, ServiceError, error

CODE_KIND = "code"
CODE_PREFIX = "/_riverbed/code/"      # where GetFunction's Code.Location points (served by riverbed.control)
MAX_ZIPPED_BYTES = 52428800       # 50 MB, direct upload
MAX_UNZIPPED_BYTES = 262144000    # 250 MB, deployment package including layers
NOT_A_ZIP = "Could not unzip uploaded file. Please check your file, then try to upload again."
_CACHE_ENTRIES = 32


@dataclass(frozen=True)
class Code:
    zip_bytes: bytes
    sha256_b64: str   # CodeSha256 as AWS reports it
    sha256_hex: str   # the store key and the download path
    size: int         # CodeSize


def decode_zip_file(value: Any) -> bytes:
    """``Code.ZipFile`` as bytes (JSON carries it base64-encoded; in-process callers may pass bytes)."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    try:
        return base64.b64decode(str(value), validate=False)
    except (binascii.Error, ValueError):
        raise InvalidParameterValueException(NOT_A_ZIP) from None


def source_zip(objects: ObjectStore | None, source: dict[str, Any]) -> bytes | None:
    """The package a ``Code`` (or UpdateFunctionCode request) names: ``ZipFile``, or ``S3Bucket``/``S3Key``
    (/``S3ObjectVersion``) read from S3, with S3's error wrapped as Lambda words it; None when neither."""
    if source.get("ZipFile") is not None:
        return decode_zip_file(source["ZipFile"])
    if not (source.get("S3Bucket") or source.get("S3Key")):
        return None
    try:
        if objects is None:
            raise error("NoSuchBucket", "The specified bucket does not exist", 404)
        return objects.read_object(source.get("S3Bucket") or "", source.get("S3Key") or "",
                                   source.get("S3ObjectVersion"))
    except ServiceError as exc:
        raise InvalidParameterValueException(f"Error occurred while GetObject. S3 Error Code: {exc.code}. "
                                             f"S3 Error Message: {exc.message}") from None


def check_zip(data: bytes) -> Code:
    """Validate a deployment package the way CreateFunction/UpdateFunctionCode do."""
    if len(data) > MAX_ZIPPED_BYTES:
        raise error("RequestEntityTooLargeException", f"Zipped size must be smaller than {MAX_ZIPPED_BYTES} bytes",
                    413)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
        raise InvalidParameterValueException(NOT_A_ZIP) from None
    if unzipped > MAX_UNZIPPED_BYTES:
        raise InvalidParameterValueException(f"Unzipped size must be smaller than {MAX_UNZIPPED_BYTES} bytes")
    return describe(data)


def describe(data: bytes) -> Code:
    digest = hashlib.sha256(data).digest()
    return Code(data, base64.b64encode(digest).decode("ascii"), digest.hex(), len(data))


class CodeStore:
    """``code`` documents in the store, with a small cache of decoded archives."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self._cache: OrderedDict[str, bytes] = OrderedDict()

    def put(self, txn: Any, code: Code) -> None:
        """Write the archive inside the caller's transaction (skipped when already stored)."""
        if txn.get_doc(CODE_KIND, code.sha256_hex) is None:
            txn.put_doc(CODE_KIND, code.sha256_hex,
                        {"zip": base64.b64encode(code.zip_bytes).decode("ascii"), "size": code.size})
        self._remember(code.sha256_hex, code.zip_bytes)

    def get(self, sha256_hex: str) -> bytes | None:
        cached = self._cache.get(sha256_hex)
        if cached is not None:
            self._cache.move_to_end(sha256_hex)
            return cached
        doc = self.store.get_doc(CODE_KIND, sha256_hex)
        if doc is None:
            return None
        data = base64.b64decode(doc["zip"])
        self._remember(sha256_hex, data)
        return data

    def drop_unreferenced(self, txn: Any, sha256_hex: str, referenced: bool) -> None:
        """Delete an archive no function or version uses any more."""
        if sha256_hex and not referenced:
            txn.delete_doc(CODE_KIND, sha256_hex)
            self._cache.pop(sha256_hex, None)

    def clear_cache(self) -> None:
        self._cache.clear()

    def _remember(self, key: str, data: bytes) -> None:
        self._cache[key] = data
        self._cache.move_to_end(key)
        while len(self._cache) > _CACHE_ENTRIES:
            self._cache.popitem(last=False)


def code_url(host: str, doc: dict[str, Any]) -> str:
    """GetFunction's ``Code.Location``: riverbed serves the zip itself under ``CODE_PREFIX``."""
    return f"http://{host}{CODE_PREFIX}{doc.get('code_hex') or 'inprocess'}"
