"""Tables: their metadata, the catalog that finds them, and their description.

Owns: the table document in the store (kind ``table``, key
``<account>/<region>/<name>``), an in-memory cache of it (riverbed is the
only writer of its store), key-schema handling (extracting and validating an
item's primary key), and ``TableDescription`` in AWS's shape.

Must not: read or write items (``items.py``) or stream records (``riverbed.streams``).
"""

from __future__ import annotations

import builtins
import zlib
from dataclasses import dataclass, field
from typing import Any

from riverbed.errors import ResourceNotFoundException, ValidationException
from riverbed.services.dynamodb import types

TABLE = "table"
TABLES_CHANNEL = "tables"   # store notifications: a table document changed (payload: its catalog key)
MAX_ITEM_BYTES = 400 * 1024


def table_key(account: str, region: str, name: str) -> str:
    return f"{account}/{region}/{name}"


@dataclass
class Table:
    doc: dict[str, Any]
    hash_key: str = ""
    range_key: str | None = None
    hash_type: str = "S"
    range_type: str | None = None
    attr_types: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.attr_types = {a["AttributeName"]: a["AttributeType"] for a in self.doc["AttributeDefinitions"]}
        for k in self.doc["KeySchema"]:
            if k["KeyType"] == "HASH":
                self.hash_key = k["AttributeName"]
            else:
                self.range_key = k["AttributeName"]
        self.hash_type = self.attr_types.get(self.hash_key, "S")
        self.range_type = self.attr_types.get(self.range_key) if self.range_key else None

    # --- identity --------------------------------------------------------------------
    @property
    def name(self) -> str:
        return str(self.doc["TableName"])

    @property
    def tid(self) -> int:
        return int(self.doc["_tid"])

    @property
    def account(self) -> str:
        return str(self.doc["_account"])

    @property
    def region(self) -> str:
        return str(self.doc["_region"])

    @property
    def arn(self) -> str:
        return str(self.doc["TableArn"])

    @property
    def key_names(self) -> tuple[str, ...]:
        return (self.hash_key, self.range_key) if self.range_key else (self.hash_key,)

    @property
    def stream_arn(self) -> str | None:
        """The stream records are appended to, when one is enabled."""
        spec = self.doc.get("StreamSpecification")
        if spec and spec.get("StreamEnabled"):
            return self.doc.get("LatestStreamArn")
        return None

    @property
    def view_type(self) -> str | None:
        spec = self.doc.get("StreamSpecification")
        return spec.get("StreamViewType") if spec else None

    @property
    def ttl_attribute(self) -> str | None:
        ttl = self.doc.get("_ttl") or {}
        return ttl.get("AttributeName") if ttl.get("Enabled") else None

    # --- keys ------------------------------------------------------------------------------
    def key_of_item(self, item: dict[str, Any]) -> tuple[bytes, bytes, dict[str, Any]]:
        """Primary key of a full item (PutItem), with AWS's errors for missing or mistyped keys."""
        return self._key(item, missing="One or more parameter values were invalid: Missing the key {name} in the item",
                         for_item=True)

    def key_of_key(self, key: dict[str, Any] | None) -> tuple[bytes, bytes, dict[str, Any]]:
        """Primary key given as ``Key`` (GetItem, UpdateItem, DeleteItem)."""
        if not key or len(key) != len(self.key_names) or any(n not in key for n in self.key_names):
            raise ValidationException("The provided key element does not match the schema")
        return self._key(key, missing="The provided key element does not match the schema", for_item=False)

    def _key(self, item: dict[str, Any], *, missing: str, for_item: bool) -> tuple[bytes, bytes, dict[str, Any]]:
        hv = item.get(self.hash_key)
        if hv is None:
            raise ValidationException(missing.format(name=self.hash_key))
        hk = self._key_bytes(self.hash_key, self.hash_type, hv, for_item, False)
        key = {self.hash_key: hv}
        rk = b""
        if self.range_key:
            rv = item.get(self.range_key)
            if rv is None:
                raise ValidationException(missing.format(name=self.range_key))
            rk = self._key_bytes(self.range_key, self.range_type or "S", rv, for_item, True)
            key[self.range_key] = rv
        return hk, rk, key

    @staticmethod
    def _key_bytes(name: str, expected: str, value: Any, for_item: bool, is_range: bool) -> bytes:
        if not isinstance(value, dict) or len(value) != 1:
            raise KeyTypeMismatch("The provided key element does not match the schema")
        actual = next(iter(value))
        if actual != expected:
            if for_item:
                raise KeyTypeMismatch(
                    f"One or more parameter values were invalid: Type mismatch for key {name} "
                    f"expected: {expected} actual: {actual}")
            raise KeyTypeMismatch("The provided key element does not match the schema")
        raw = value[actual]
        if raw == "" or raw is None:
            if actual == "B":
                raise ValidationException(
                    "One or more parameter values are not valid. The AttributeValue for a key attribute cannot "
                    f"contain an empty binary value. Key: {name}")
            raise ValidationException(
                "One or more parameter values are not valid. The AttributeValue for a key attribute cannot "
                f"contain an empty string value. Key: {name}")
        if actual == "N":
            value = {"N": types.normalize_number(raw)}
        # Limits count bytes: UTF-8 for strings, the decoded bytes of a binary (not its base64 text).
        size = len(raw.encode("utf-8")) if actual == "S" else (_decoded_size(raw) if actual == "B" else len(raw))
        if is_range and size > 1024:
            raise ValidationException("One or more parameter values were invalid: Aggregated size of all range keys "
                                      "has exceeded the size limit of 1024 bytes")
        if not is_range and size > 2048:
            # AWS's text has no space in "of2048".
            raise ValidationException("One or more parameter values were invalid: Size of hashkey has exceeded "
                                      "the maximum size limit of2048 bytes")
        return types.encode_key_value(value)

    def key_from_bytes(self, item: dict[str, Any]) -> dict[str, Any]:
        return {n: item[n] for n in self.key_names if n in item}

    def segment_of(self, hk: bytes, total: int) -> int:
        return zlib.crc32(hk) % total


class KeyTypeMismatch(ValidationException):
    """A key value of the wrong type for the schema: in a transaction this cancels the action with a
    ``ValidationError`` reason instead of failing the whole request (paritysuite/dynamodb-conformance,
    tests/tier3/error-messages/transactWriteItems.test.ts, captured from AWS)."""


def _decoded_size(raw: Any) -> int:
    """Bytes of a binary wire value (base64 text, or bytes already decoded)."""
    if isinstance(raw, (bytes, bytearray)):
        return len(raw)
    text = str(raw)
    pad = len(text) - len(text.rstrip("="))
    return len(text) * 3 // 4 - pad


class Catalog:
    """Finds tables by (account, region, name), caching their documents.

    Every change of a table document is announced on the store's ``tables`` channel (payload: its key)
    and every subscriber, here or on another node sharing the store, forgets its cached copy.
    """

    def __init__(self, store: Any) -> None:
        self.store = store
        self._cache: dict[str, Table] = {}
        store.subscribe(TABLES_CHANNEL, self.forget)

    def forget(self, key: str) -> None:
        """Drop the cached table ``key`` (all of them for ``""``): its document changed in the store."""
        if key:
            self._cache.pop(key, None)
        else:
            self._cache.clear()

    def get(self, account: str, region: str, name: str) -> Table | None:
        key = table_key(account, region, name)
        table = self._cache.get(key)
        if table is None:
            doc = self.store.get_doc(TABLE, key)
            if doc is None:
                return None
            table = self._cache[key] = Table(doc)
        return table

    def current(self, account: str, region: str, name: str) -> Table | None:
        """``get`` for a request: on a store shared by several nodes the cached copy is first checked against
        the stored document, so a change another node committed before this request arrived is followed
        even when its notification is still on its way (a PutItem right after UpdateTable enabled a stream
        on another node must write the stream record).  One point read; the ``Table`` is rebuilt only when
        the document differs."""
        if not self.store.shared:
            return self.get(account, region, name)
        key = table_key(account, region, name)
        doc = self.store.get_doc(TABLE, key)
        if doc is None:
            self._cache.pop(key, None)
            return None
        table = self._cache.get(key)
        if table is None or table.doc != doc:
            table = self._cache[key] = Table(doc)
        return table

    def require(self, account: str, region: str, name: str, *, describe: bool = False) -> Table:
        table = self.current(account, region, name)
        if table is None:
            if describe:
                raise ResourceNotFoundException(f"Requested resource not found: Table: {name} not found")
            raise ResourceNotFoundException("Requested resource not found")
        return table

    def save(self, txn: Any, doc: dict[str, Any]) -> Table:
        key = table_key(doc["_account"], doc["_region"], doc["TableName"])
        txn.put_doc(TABLE, key, doc)
        table = Table(doc)
        txn.notify(TABLES_CHANNEL, key)   # before caching our own copy: our notification must not drop it
        txn.after_commit(lambda: self._cache.__setitem__(key, table))
        return table

    def remove(self, txn: Any, table: Table) -> None:
        key = table_key(table.account, table.region, table.name)
        txn.delete_doc(TABLE, key)
        txn.notify(TABLES_CHANNEL, key)
        txn.after_commit(lambda: self._cache.pop(key, None))

    def list(self, account: str, region: str) -> list[Table]:
        out = []
        for _, doc in self.store.list_docs(TABLE, f"{account}/{region}/"):
            out.append(Table(doc))
        return out

    def all(self) -> builtins.list[Table]:  # ``list`` here is the method above
        return [Table(doc) for _, doc in self.store.list_docs(TABLE)]

    def clear_cache(self) -> None:
        self._cache.clear()


def describe(table: Table, store: Any, *, status: str | None = None) -> dict[str, Any]:
    """``TableDescription`` as AWS returns it (private ``_`` fields removed, live counts)."""
    doc = table.doc
    out = {k: v for k, v in doc.items() if not k.startswith("_")}
    count, size = store.item_stats(table.tid)
    out["ItemCount"] = count
    out["TableSizeBytes"] = size
    if status:
        out["TableStatus"] = status
    ids = doc.get("_index_ids") or {}
    for index_list in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        if out.get(index_list):
            # Copies: callers adjust the description (IndexStatus ...) without touching the cached document.
            out[index_list] = [dict(index) for index in out[index_list]]
        for index in out.get(index_list, []) or []:
            iid = ids.get(index["IndexName"])
            if iid is not None:
                index["ItemCount"], index["IndexSizeBytes"] = store.index_stats(iid)
            index.setdefault("ItemCount", 0)
            index.setdefault("IndexSizeBytes", 0)
    return out
