"""The S3 service object: buckets and object metadata as store documents, object bytes as blob files (on a
shared store, as blob chunks in the store: ``storedblobs``, so that every node serves every object).

Owns: the document kinds (``s3-bucket`` keyed by bucket name, ``s3-object`` keyed ``<bucket>/<key>`` (the
current version), ``s3-history`` keyed ``<bucket>/<key>`` (older versions and delete markers, newest
first — see ``versions``), ``s3-upload`` keyed ``<bucket>/<upload id>``, ``s3-part`` keyed
``<bucket>/<upload id>/<part number>``),
the blob store, and the order of every write: bytes renamed into place first, then the documents
committed, and only after the commit the blobs they replaced deleted — so an object is never visible
with partial content and a crash leaves at most unreferenced files (swept at start-up).

Must not: know about HTTP; the operations modules hold each action's rules.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from riverbed.core.context import RequestContext
from riverbed.services.s3 import errors, versions
from riverbed.services.s3.blobs import BlobGone, BlobStore
from riverbed.services.s3.storedblobs import StoredBlobs

if TYPE_CHECKING:  # pragma: no cover
    from riverbed.clock import Clock
    from riverbed.storage.base import Store, Txn

BUCKET = "s3-bucket"
OBJECT = "s3-object"
UPLOAD = "s3-upload"
PART = "s3-part"
HISTORY = "s3-history"
READ_ATTEMPTS = 3

T = TypeVar("T")


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
        self.blobs: BlobStore | StoredBlobs = StoredBlobs(store, root) if store.shared else \
            BlobStore(root, durable=data_dir is not None)
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
            err = errors.no_such_key(key)
            latest = self.chain(bucket, key)
            if latest and versions.is_marker(latest[0]):   # S3 says which delete marker hides the key
                err.headers.update(versions.marker_headers(latest[0]))
            raise err
        return doc

    def version(self, bucket: str, key: str, version_id: str | None, method: str) -> dict[str, Any]:
        """The object version a GET/HEAD/copy names (the current one without ``version_id``): 400 for a
        malformed id, NoSuchVersion for an unknown one, 405 MethodNotAllowed for a delete marker."""
        if version_id is None:
            return self.existing_object(bucket, key)
        self.bucket(bucket)
        versions.check_id(version_id)
        doc = self.find_version(bucket, key, version_id)
        if doc is None:
            raise errors.no_such_version(key, version_id)
        if versions.is_marker(doc):
            raise versions.method_not_allowed(method, doc)
        return doc

    def objects(self, bucket: str, prefix: str = "") -> list[dict[str, Any]]:
        """The bucket's objects whose keys start with ``prefix``, in UTF-8 binary key order."""
        return [doc for _, doc in self.store.list_docs(OBJECT, f"{bucket}/{prefix}")]

    def chain(self, bucket: str, key: str, txn: Txn | None = None) -> list[dict[str, Any]]:
        """The key's versions, newest first: the current object (if any) then the older ones (``versions``)."""
        src = txn or self.store
        current = src.get_doc(OBJECT, f"{bucket}/{key}")
        older = src.get_doc(HISTORY, f"{bucket}/{key}")
        return ([current] if current else []) + (older["Versions"] if older else [])

    def _store_chain(self, txn: Txn, bucket: str, key: str, chain: list[dict[str, Any]]) -> None:
        """The current version goes to ``s3-object`` unless it is a delete marker; the rest to ``s3-history``."""
        name = f"{bucket}/{key}"
        if chain and not versions.is_marker(chain[0]):
            txn.put_doc(OBJECT, name, chain[0])
            chain = chain[1:]
        else:
            txn.delete_doc(OBJECT, name)
        if chain:
            txn.put_doc(HISTORY, name, {"Key": key, "Versions": chain})
        else:
            txn.delete_doc(HISTORY, name)

    def _drop_blobs(self, dropped: list[dict[str, Any]], keep: str | None = None) -> None:
        for doc in dropped:
            if doc.get("Blob") and doc["Blob"] != keep:
                self.blobs.delete(doc["Blob"])

    def find_version(self, bucket: str, key: str, version_id: str) -> dict[str, Any] | None:
        return versions.find(self.chain(bucket, key), version_id)

    def save_object(self, bucket: str, doc: dict[str, Any],
                    also: Callable[[Txn], None] | None = None) -> dict[str, Any]:
        """Make ``doc`` (its blob already in place) the current version at its key, under the bucket's
        versioning state; ``also`` runs in the same transaction; replaced bytes go after the commit."""
        status = self.bucket(bucket).get("Versioning")
        doc["VersionId"] = versions.id_for(status)
        with self.store.transaction() as txn:
            chain, dropped = versions.push(self.chain(bucket, doc["Key"], txn), doc, status)
            self._store_chain(txn, bucket, doc["Key"], chain)
            if also is not None:
                also(txn)
        self._drop_blobs(dropped, keep=doc.get("Blob"))
        return doc

    def delete_object(self, bucket: str, key: str, version_id: str | None = None) -> dict[str, Any]:
        """DeleteObject's answer members: ``DeleteMarker``/``VersionId`` as S3 reports them."""
        status = self.bucket(bucket).get("Versioning")
        out: dict[str, Any] = {}
        with self.store.transaction() as txn:
            chain = self.chain(bucket, key, txn)
            if version_id is None and status is None:
                chain, dropped = [], chain
            elif version_id is None:
                marker = versions.delete_marker(key, versions.id_for(status), self.clock.now())
                chain, dropped = versions.push(chain, marker, status)
                out = {"DeleteMarker": True, "VersionId": marker["VersionId"]}
            else:
                target = versions.find(chain, version_id)
                dropped = [target] if target is not None else []
                chain = [v for v in chain if v is not target]
                out = {"VersionId": version_id, **({"DeleteMarker": True} if versions.is_marker(target) else {})}
            self._store_chain(txn, bucket, key, chain)
        self._drop_blobs(dropped)
        return out

    def update_version(self, bucket: str, key: str, version_id: str | None,
                       change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
        """Apply ``change`` to one version's document (the current one without ``version_id``) in place."""
        self.version(bucket, key, version_id, "PUT")   # the same errors as a read
        with self.store.transaction() as txn:
            chain = self.chain(bucket, key, txn)
            target = chain[0] if version_id is None else versions.find(chain, version_id)
            if target is None or versions.is_marker(target):
                raise errors.no_such_key(key)
            change(target)
            self._store_chain(txn, bucket, key, chain)
        return target

    def versioned_keys(self, bucket: str, prefix: str = "") -> list[tuple[str, list[dict[str, Any]]]]:
        """Every key with any version (delete markers included) and its chain, in UTF-8 binary key order."""
        chains: dict[str, list[dict[str, Any]]] = {}
        for _, doc in self.store.list_docs(OBJECT, f"{bucket}/{prefix}"):
            chains[doc["Key"]] = [doc]
        for _, doc in self.store.list_docs(HISTORY, f"{bucket}/{prefix}"):
            chains.setdefault(doc["Key"], []).extend(doc["Versions"])
        return sorted(chains.items(), key=lambda kv: kv[0].encode())

    def referenced_blobs(self) -> set[str]:
        names = {doc["Blob"] for _, doc in self.store.list_docs(OBJECT) if doc.get("Blob")}
        names |= {doc["Blob"] for _, doc in self.store.list_docs(PART) if doc.get("Blob")}
        names |= {v["Blob"] for _, doc in self.store.list_docs(HISTORY) for v in doc["Versions"] if v.get("Blob")}
        return names

    def retry_gone(self, attempt: Callable[[], T]) -> T:
        """Run ``attempt`` (read a document, then its blob's bytes) again when the blob vanished in between:
        on a shared store another node replaced or deleted the object meanwhile, and the next attempt reads
        the document anew, answering the object's new state (or NoSuchKey) as S3 would."""
        for _ in range(READ_ATTEMPTS - 1):
            try:
                return attempt()
            except BlobGone:
                continue
        return attempt()

    # --- S3 as other services see it (core.interfaces.ObjectStore) ---------------------------------
    def read_object(self, bucket: str, key: str, version_id: str | None = None) -> bytes:
        def attempt() -> bytes:
            doc = self.version(bucket, key, version_id, "GET")
            return self.blobs.read(doc["Blob"]) if doc["Size"] else b""

        return self.retry_gone(attempt)

    def write_object(self, bucket: str, key: str, body: bytes, content_type: str = "application/json") -> str:
        from riverbed.services.s3.objects import new_record, quoted

        self.bucket(bucket)
        blob = self.blobs.write(body)
        doc = new_record(key, blob, len(body), quoted(hashlib.md5(body).hexdigest()), self.clock.now(),
                         {"ContentType": content_type})
        self.save_object(bucket, doc)
        return str(doc["ETag"])

    def list_objects(self, bucket: str, prefix: str = "") -> list[str]:
        self.bucket(bucket)
        return sorted((doc["Key"] for doc in self.objects(bucket, prefix)), key=lambda k: k.encode())

    # --- lifecycle ---------------------------------------------------------------------------------
    def reset(self) -> None:
        self.blobs.clear()

    def close(self) -> None:
        if self._tmpdir is not None:
            self._tmpdir.cleanup()


S3Context = RequestContext[S3Service]
