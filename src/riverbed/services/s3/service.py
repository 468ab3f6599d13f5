"""The S3 service object: buckets and object metadata as store documents, object bytes as blob files.

Owns: the document kinds (``s3-bucket`` keyed by bucket name, ``s3-object`` keyed ``<bucket>/<key>``,
``s3-upload`` keyed ``<bucket>/<upload id>``, ``s3-part`` keyed ``<bucket>/<upload id>/<part number>``),
the blob store, and the order of every write: bytes renamed into place first, then the documents
committed, and only after the commit the blobs they replaced deleted — so an object is never visible
with partial content and a crash leaves at most unreferenced files (swept at start-up).

Must not: know about HTTP; the operations modules hold each action's rules.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from typing import TYPE_CHECKING, Any

from riverbed.core.context import RequestContext
from riverbed.services.s3 import errors
from riverbed.services.s3.blobs import BlobStore

if TYPE_CHECKING:  # pragma: no cover
    from riverbed.clock import Clock
    from riverbed.storage.base import Store

BUCKET = "s3-bucket"
OBJECT = "s3-object"
UPLOAD = "s3-upload"
PART = "s3-part"


class S3Service:
    def __init__(self, store: Store, clock: Clock, data_dir: str | None, account: str) -> None:
        self.store = store
        self.clock = clock
        self.account = account
        self._tmpdir: tempfile.TemporaryDirectory[str] | None = None
        if data_dir is None:
            self._tmpdir = tempfile.TemporaryDirectory(prefix="riverbed-s3-")
            root = self._tmpdir.name
        else:
            root = os.path.join(data_dir, "s3")
        self.blobs = BlobStore(root, durable=data_dir is not None)
        self.blobs.sweep(self.referenced_blobs())

    # --- documents ------------------------------------------------------------------------------
    def bucket(self, name: str) -> dict[str, Any]:
        doc = self.store.get_doc(BUCKET, name)
        if doc is None:
            raise errors.no_such_bucket(name)
        return doc

    def object(self, bucket: str, key: str) -> dict[str, Any] | None:
        return self.store.get_doc(OBJECT, f"{bucket}/{key}")

    def existing_object(self, bucket: str, key: str) -> dict[str, Any]:
        self.bucket(bucket)
        doc = self.object(bucket, key)
        if doc is None:
            raise errors.no_such_key(key)
        return doc

    def objects(self, bucket: str, prefix: str = "") -> list[dict[str, Any]]:
        """The bucket's objects whose keys start with ``prefix``, in UTF-8 binary key order."""
        return [doc for _, doc in self.store.list_docs(OBJECT, f"{bucket}/{prefix}")]

    def save_object(self, bucket: str, doc: dict[str, Any]) -> None:
        """Make ``doc`` (its blob already in place) the object at its key; the replaced bytes go after commit."""
        key = f"{bucket}/{doc['Key']}"
        with self.store.transaction() as txn:
            old = txn.get_doc(OBJECT, key)
            txn.put_doc(OBJECT, key, doc)
        if old is not None and old.get("Blob") and old["Blob"] != doc.get("Blob"):
            self.blobs.delete(old["Blob"])

    def delete_object(self, bucket: str, key: str) -> dict[str, Any] | None:
        with self.store.transaction() as txn:
            old = txn.get_doc(OBJECT, f"{bucket}/{key}")
            if old is not None:
                txn.delete_doc(OBJECT, f"{bucket}/{key}")
        if old is not None and old.get("Blob"):
            self.blobs.delete(old["Blob"])
        return old

    def referenced_blobs(self) -> set[str]:
        names = {doc["Blob"] for _, doc in self.store.list_docs(OBJECT) if doc.get("Blob")}
        names |= {doc["Blob"] for _, doc in self.store.list_docs(PART) if doc.get("Blob")}
        return names

    # --- S3 as other services see it (core.interfaces.ObjectStore) ---------------------------------
    def read_object(self, bucket: str, key: str, version_id: str | None = None) -> bytes:
        doc = self.existing_object(bucket, key)
        if version_id not in (None, "null", doc.get("VersionId")):
            raise errors.no_such_version(key, version_id or "")
        return self.blobs.read(doc["Blob"]) if doc["Size"] else b""

    def write_object(self, bucket: str, key: str, body: bytes, content_type: str = "application/json") -> str:
        from riverbed.services.s3.objects import new_record, quoted

        self.bucket(bucket)
        blob = self.blobs.write(body)
        doc = new_record(key, blob, len(body), quoted(hashlib.md5(body).hexdigest()), self.clock.now(),
                         {"ContentType": content_type})
        self.save_object(bucket, doc)
        return str(doc["ETag"])

    # --- lifecycle ---------------------------------------------------------------------------------
    def reset(self) -> None:
        self.blobs.clear()

    def close(self) -> None:
        if self._tmpdir is not None:
            self._tmpdir.cleanup()


S3Context = RequestContext[S3Service]
