"""Secondary indexes (GSIs and LSIs): their entries, kept in step with every item write, and reads on them.

Owns: an index's integer id (a store counter, kept in the table document as
``_index_ids``), the entry an item contributes to each index (index keys +
table keys + projected attributes; none when the item lacks an index key
attribute -- sparse indexes), maintenance of those entries **in the same
transaction** as the item write (``maintain``, called by ``items.commit``),
index-key validation on writes, the LSI item-collection size limit, creating
and dropping entries with the table, ``GlobalSecondaryIndexUpdates`` of
UpdateTable (with a synchronous backfill of existing items), and the read
scope of a Query/Scan with ``IndexName``.

Must not: write SQL (the store's ``index_*`` methods do), page or filter
reads (``pages.py``), or parse requests beyond the index-specific rules.
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/SecondaryIndexes.html
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson

from riverbed.errors import (
    ItemCollectionSizeLimitExceededException,
    LimitExceededException,
    ResourceNotFoundException,
    ValidationException,
)
from riverbed.services.dynamodb import expressions as ex
from riverbed.services.dynamodb import schema, types
from riverbed.services.dynamodb.tables import TABLE, TABLES_CHANNEL, Table, table_key

INVALID = "One or more parameter values were invalid: "
MAX_GSIS = 20
# LSI tables: all items with one partition key plus their LSI entries must stay under 10 GB.  Measured on the
# stored bytes (an upper bound of DynamoDB's item size); a module constant so tests can lower it.
ITEM_COLLECTION_LIMIT = 10 * 1024 ** 3
_FIRST_CHUNK, _MAX_CHUNK = 32, 1024
_BAD_START = "The provided starting key is invalid: The provided key element does not match the schema"


@dataclass(frozen=True)
class IndexSpec:
    """One secondary index as maintenance and reads need it.

    ``hash_keys`` / ``range_keys`` list the key attributes in KeySchema order: one (and at most one range
    attribute) for classic indexes, up to four each for a GSI with multi-attribute keys.  A classic index
    stores its key values as :func:`types.encode_key_value` bytes; a multi-attribute index stores each part
    as :func:`encode_composite` bytes, whose memcmp order is the order of the attribute tuples.
    """

    name: str
    iid: int
    is_global: bool
    hash_keys: tuple[str, ...]
    range_keys: tuple[str, ...]
    key_types: dict[str, str]
    projection: str                      # ALL | KEYS_ONLY | INCLUDE
    attributes: frozenset[str] | None    # projected attribute names; None projects every attribute
    table_keys: tuple[str, ...]

    @property
    def hash_key(self) -> str:
        return self.hash_keys[0]

    @property
    def range_key(self) -> str | None:
        return self.range_keys[0] if self.range_keys else None

    @property
    def hash_type(self) -> str:
        return self.key_types.get(self.hash_key, "S")

    @property
    def range_type(self) -> str | None:
        return self.key_types.get(self.range_keys[0]) if self.range_keys else None

    @property
    def composite(self) -> bool:
        """True for a multi-attribute key (more than one partition or sort key attribute)."""
        return len(self.hash_keys) > 1 or len(self.range_keys) > 1

    @property
    def key_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.hash_keys + self.range_keys + self.table_keys))

    def encode_hash(self, values: list[Any]) -> bytes:
        return encode_composite(values) if self.composite else types.encode_key_value(values[0])

    def encode_range(self, values: list[Any]) -> bytes:
        if not values:
            return b""
        return encode_composite(values) if self.composite else types.encode_key_value(values[0])

    def entry(self, item: dict[str, Any] | None) -> tuple[bytes, bytes, dict[str, Any]] | None:
        """``(hk, rk, projected item)`` of ``item`` in this index, or None when it is not indexed.

        An item is indexed only when it has every key attribute of the index with its defined type (for a
        multi-attribute key: all of them -- GSI.html#GSI.MultiAttributeKeys).
        """
        if item is None:
            return None
        values = []
        for name in self.hash_keys + self.range_keys:
            value = item.get(name)
            if value is None or _type(value) != self.key_types.get(name, "S"):
                return None
            values.append(value)
        split = len(self.hash_keys)
        projected = item if self.attributes is None else {k: v for k, v in item.items() if k in self.attributes}
        return self.encode_hash(values[:split]), self.encode_range(values[split:]), projected

    def check(self, item: dict[str, Any], old: dict[str, Any] | None = None) -> None:
        """AWS's errors for an item whose index key attribute has the wrong type, is empty or too long.

        Only values the write sets are checked: an item that kept a value from before the index existed
        (left out by the backfill) can still be updated elsewhere.
        """
        limits = [(name, 2048) for name in self.hash_keys] + [(name, 1024) for name in self.range_keys]
        for name, limit in limits:
            expected = self.key_types.get(name, "S")
            if name not in item:
                continue
            value = item[name]
            if old is not None and name in old and types.values_equal(old[name], value):
                continue
            actual = _type(value)
            if actual != expected:
                raise ValidationException(f"{INVALID}Type mismatch for Index Key {name} Expected: {expected} "
                                          f"Actual: {actual} IndexName: {self.name}")
            raw = value[actual]
            if raw == "":
                kind = "binary" if actual == "B" else "string"
                raise ValidationException(
                    "One or more parameter values are not valid. A value specified for a secondary index key is not "
                    f"supported. The AttributeValue for a key attribute cannot contain an empty {kind} value. "
                    f"IndexName: {self.name}, IndexKey: {name}")
            if actual == "S":
                size = len(raw.encode("utf-8"))
            else:
                size = len(types.decode_binary(raw)) if actual == "B" else len(raw)
            if size > limit:
                raise ValidationException(f"{INVALID}Size limit exceeded for Index Key {name} Actual Size: {size} "
                                          f"bytes Max Size: {limit} bytes IndexName: {self.name}")


def _type(value: Any) -> str:
    return next(iter(value)) if isinstance(value, dict) and len(value) == 1 else "?"


def _specs_of(doc: dict[str, Any]) -> list[IndexSpec]:
    ids = doc.get("_index_ids") or {}
    attr_types = {a["AttributeName"]: a["AttributeType"] for a in doc["AttributeDefinitions"]}
    table_keys = tuple(k["AttributeName"] for k in doc["KeySchema"])
    out = []
    for is_global, listing in ((True, doc.get("GlobalSecondaryIndexes")), (False, doc.get("LocalSecondaryIndexes"))):
        for index in listing or []:
            iid = ids.get(index["IndexName"])
            if iid is None:
                continue
            keys = index["KeySchema"]
            hash_keys = tuple(k["AttributeName"] for k in keys if k["KeyType"] == "HASH")
            range_keys = tuple(k["AttributeName"] for k in keys if k["KeyType"] == "RANGE")
            projection = index.get("Projection") or {"ProjectionType": "ALL"}
            ptype = projection.get("ProjectionType", "ALL")
            attributes = None
            if ptype != "ALL":
                names = set(table_keys) | set(hash_keys) | set(range_keys)
                if ptype == "INCLUDE":
                    names |= set(projection.get("NonKeyAttributes") or [])
                attributes = frozenset(names)
            key_types = {n: attr_types.get(n, "S") for n in hash_keys + range_keys}
            out.append(IndexSpec(index["IndexName"], iid, is_global, hash_keys, range_keys, key_types, ptype,
                                 attributes, table_keys))
    return out


# --- multi-attribute keys: one byte string per key part whose memcmp order is the tuple order ---------------
# Each value is encoded with types.encode_key_value, its 0x00 bytes escaped as 00 FF, and ended by 00 01: the
# code is prefix-free and order-preserving, so a left prefix of the attributes is a byte prefix of the key.
_END = b"\x00\x01"


def _escape(value: Any) -> bytes:
    return types.encode_key_value(value).replace(b"\x00", b"\x00\xff")


def encode_composite(values: list[Any]) -> bytes:
    return b"".join(_escape(v) + _END for v in values)


def successor(prefix: bytes) -> bytes | None:
    """The smallest byte string greater than every string starting with ``prefix`` (None: no such bound)."""
    trimmed = prefix.rstrip(b"\xff")
    if not trimmed:
        return None
    return trimmed[:-1] + bytes([trimmed[-1] + 1])


def composite_bounds(prefix: list[Any], condition: tuple[str, tuple[Any, ...]] | None
                     ) -> tuple[bytes | None, bool, bytes | None, bool]:
    """``(low, low_inclusive, high, high_inclusive)`` over the sort key bytes of a multi-attribute index, for
    equality on the sort attributes ``prefix`` and an optional condition on the attribute after them."""
    base = encode_composite(prefix)
    if condition is None:
        return (base or None), True, (successor(base) if base else None), False
    op, values = condition
    if op == "begins_with":
        start = base + _escape(values[0])
        return start, True, successor(start), False
    this = base + _escape(values[0]) + _END
    if op == "=":
        return this, True, successor(this), False
    if op == "BETWEEN":
        return this, True, successor(base + _escape(values[1]) + _END), False
    upper = successor(base) if base else None
    if op == ">":
        return successor(this), True, upper, False
    if op == ">=":
        return this, True, upper, False
    if op == "<":
        return (base or None), True, this, False
    return (base or None), True, successor(this), False      # <=


class Indexes:
    """The index hooks of the DynamoDB service (``app.dynamodb.indexes``)."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self._cache: dict[int, tuple[dict[str, Any], list[IndexSpec]]] = {}

    # --- definitions -------------------------------------------------------------------------
    def specs(self, table: Table) -> list[IndexSpec]:
        cached = self._cache.get(table.tid)
        if cached is None or cached[0] is not table.doc:
            cached = self._cache[table.tid] = (table.doc, _specs_of(table.doc))
        return cached[1]

    def spec(self, table: Table, name: str) -> IndexSpec | None:
        return next((s for s in self.specs(table) if s.name == name), None)

    @staticmethod
    def _unassigned(table: Table) -> list[str]:
        """Indexes without an id: a table stored by a riverbed that kept no index entries yet."""
        ids = table.doc.get("_index_ids") or {}
        return [i["IndexName"] for key in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes")
                for i in table.doc.get(key) or [] if i["IndexName"] not in ids]

    def _adopt(self, txn: Any, table: Table, names: list[str]) -> None:
        """Give such indexes ids and build their entries from the items (once, in the caller's transaction)."""
        ids = table.doc.setdefault("_index_ids", {})
        for name in names:
            ids[name] = txn.next_counter("index-id")
            self._backfill(txn, table.doc, name)
        txn.put_doc(TABLE, table_key(table.account, table.region, table.name), table.doc)
        txn.notify(TABLES_CHANNEL, table_key(table.account, table.region, table.name))
        self._cache.pop(table.tid, None)

    def created(self, txn: Any, table: Table) -> None:
        """Give every index of a new table its id (the table document is saved again, in the same transaction)."""
        names = [i["IndexName"] for key in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes")
                 for i in table.doc.get(key) or []]
        if not names:
            return
        table.doc["_index_ids"] = {name: txn.next_counter("index-id") for name in names}
        txn.put_doc(TABLE, table_key(table.account, table.region, table.name), table.doc)

    def dropped(self, txn: Any, table: Table) -> None:
        for iid in (table.doc.get("_index_ids") or {}).values():
            txn.index_drop(iid)
        self._cache.pop(table.tid, None)

    # --- maintenance: called by items.commit inside the write's transaction ---------------------
    def maintain(self, txn: Any, table: Table, hk: bytes, rk: bytes, old: dict[str, Any] | None,
                 new: dict[str, Any] | None) -> None:
        specs = self.specs(table)
        if len(specs) != len(table.doc.get("GlobalSecondaryIndexes") or []) + len(
                table.doc.get("LocalSecondaryIndexes") or []):
            self._adopt(txn, table, self._unassigned(table))
            specs = self.specs(table)
        if not specs:
            return
        if new is not None:
            for spec in sorted(specs, key=lambda s: s.name):   # AWS names the alphabetically first index
                spec.check(new, old)
        for spec in specs:
            before = spec.entry(old)
            after = spec.entry(new)
            if after is None:
                if before is not None:
                    txn.index_delete(spec.iid, hk, rk)
                continue
            if before is not None and before[:2] == after[:2] and types.item_equal(before[2], after[2]):
                continue
            data = after[2]
            txn.index_put(spec.iid, after[0], after[1], hk, rk, orjson.dumps(data), types.item_size(data))
        if new is not None and table.doc.get("LocalSecondaryIndexes"):
            self._check_collection(txn, table, hk, specs)

    def _check_collection(self, txn: Any, table: Table, hk: bytes, specs: list[IndexSpec]) -> None:
        size = sum(len(data) for _rk, data in txn.query_items(table.tid, hk))
        for spec in specs:
            if not spec.is_global:
                size += sum(len(row[3]) for row in txn.index_query(spec.iid, hk))
        if size > ITEM_COLLECTION_LIMIT:
            # Message not verified against AWS (10 GB is out of reach for a recording).
            raise ItemCollectionSizeLimitExceededException("Item collection size limit exceeded")

    # --- UpdateTable GlobalSecondaryIndexUpdates ---------------------------------------------------
    def update(self, ctx: Any, txn: Any, doc: dict[str, Any], updates: list[dict[str, Any]]) -> None:
        """Apply Create / Update / Delete actions to ``doc`` (a copy the caller saves), backfilling new indexes."""
        actions = []
        for update in updates:
            kinds = [k for k in ("Update", "Create", "Delete") if update.get(k) is not None]
            if not kinds:
                raise ValidationException(f"{INVALID}One of GlobalSecondaryIndexUpdate.Update, "
                                          "GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete "
                                          "must not be null")
            if len(kinds) > 1:
                raise ValidationException(f"{INVALID}Only one global secondary index action is allowed per "
                                          "GlobalSecondaryIndexUpdate object")
            actions.append((kinds[0], update[kinds[0]]))
        seen: set[str] = set()
        for _kind, body in actions:
            if body["IndexName"] in seen:
                raise ValidationException(f"{INVALID}Only one global secondary index update per index is allowed "
                                          f"simultaneously. Index: {body['IndexName']}")
            seen.add(body["IndexName"])
        if sum(1 for kind, _ in actions if kind in ("Create", "Delete")) > 1:
            raise LimitExceededException("Subscriber limit exceeded: Only 1 online index can be created or deleted "
                                         "simultaneously per table")
        gsis = doc.setdefault("GlobalSecondaryIndexes", [])
        lsi_names = {i["IndexName"] for i in doc.get("LocalSecondaryIndexes") or []}
        billing = (doc.get("BillingModeSummary") or {}).get("BillingMode", "PROVISIONED")
        ids = doc.setdefault("_index_ids", {})
        for kind, body in actions:
            name = body["IndexName"]
            current = next((g for g in gsis if g["IndexName"] == name), None)
            if kind == "Create":
                if current is not None or name in lsi_names:
                    raise ValidationException("Attempting to create an index which already exists")
                self._check_create(body, billing, doc)
                if len(gsis) + 1 > MAX_GSIS:
                    # ack-api-quirks DDB-TABLE-169 (probed against DynamoDB 2026-10-08): ValidationException at
                    # CreateTable, LimitExceededException with this text via UpdateTable.
                    raise LimitExceededException("Subscriber limit exceeded: Number of global secondary indexes "
                                                 f"exceeds per-table limit of {MAX_GSIS}")
                gsis.append(schema.describe_gsi(body, doc["TableArn"], billing))
                _set_warm(doc, name, body.get("WarmThroughput"))
                ids[name] = txn.next_counter("index-id")
                self._backfill(txn, doc, name)
                continue
            if current is None:
                if name in lsi_names:
                    raise ValidationException(f"Cannot {kind.lower()} an index that is not a GlobalSecondaryIndex: "
                                              f"{name}")
                raise ResourceNotFoundException(f"Requested resource not found: Index {name} for table "
                                                f"{doc['TableName']}")
            if kind == "Delete":
                gsis.remove(current)
                (doc.get("_gsi_warm") or {}).pop(name, None)
                iid = ids.pop(name, None)
                if iid is not None:
                    txn.index_drop(iid)
            else:
                if body.get("ProvisionedThroughput"):
                    pt = body["ProvisionedThroughput"]
                    current["ProvisionedThroughput"] = {
                        **current.get("ProvisionedThroughput", {}),
                        "ReadCapacityUnits": pt["ReadCapacityUnits"], "WriteCapacityUnits": pt["WriteCapacityUnits"]}
                if body.get("OnDemandThroughput"):
                    current["OnDemandThroughput"] = body["OnDemandThroughput"]
                _set_warm(doc, name, body.get("WarmThroughput"))
        if not gsis:
            doc.pop("GlobalSecondaryIndexes", None)
        _prune_definitions(doc)

    @staticmethod
    def _check_create(body: dict[str, Any], billing: str, doc: dict[str, Any]) -> None:
        name = body["IndexName"]
        if billing == "PROVISIONED" and not body.get("ProvisionedThroughput"):
            raise ValidationException(f"{INVALID}ProvisionedThroughput must be specified for index: {name}")
        if billing == "PAY_PER_REQUEST" and body.get("ProvisionedThroughput"):
            raise ValidationException(f"{INVALID}Neither ReadCapacityUnits nor WriteCapacityUnits can be specified "
                                      f"for index: {name} when BillingMode is PAY_PER_REQUEST")
        schema.check_gsis([body], billing, doc["AttributeDefinitions"])
        defined = {a["AttributeName"] for a in doc["AttributeDefinitions"]}
        if any(k["AttributeName"] not in defined for k in body["KeySchema"]):
            raise ValidationException(f"{INVALID}AttributeDefinitions is not specified for index: {name}")

    def _backfill(self, txn: Any, doc: dict[str, Any], name: str) -> None:
        table = Table(doc)
        spec = next(s for s in _specs_of(doc) if s.name == name)
        after = None
        while True:
            rows = list(itertools.islice(txn.scan_items(table.tid, after), 512))
            for hk, rk, data in rows:
                # Items whose attribute has the wrong type for the new key are left out (AWS reports them as
                # index key violations instead of failing the backfill).
                entry = spec.entry(orjson.loads(data))
                if entry is not None:
                    txn.index_put(spec.iid, entry[0], entry[1], hk, rk, orjson.dumps(entry[2]),
                                  types.item_size(entry[2]))
            if len(rows) < 512:
                return
            after = (rows[-1][0], rows[-1][1])

    @staticmethod
    def annotate(desc: dict[str, Any], updates: list[dict[str, Any]], before: dict[str, Any]) -> None:
        """UpdateTable's answer: a new index is CREATING (Backfilling), a deleted one DELETING."""
        for update in updates:
            if update.get("Create"):
                for index in desc.get("GlobalSecondaryIndexes", []):
                    if index["IndexName"] == update["Create"]["IndexName"]:
                        index.update(IndexStatus="CREATING", Backfilling=True, ItemCount=0, IndexSizeBytes=0)
            elif update.get("Delete"):
                old = next((dict(g) for g in before.get("GlobalSecondaryIndexes") or []
                            if g["IndexName"] == update["Delete"]["IndexName"]), None)
                if old is not None:
                    old["IndexStatus"] = "DELETING"
                    desc.setdefault("GlobalSecondaryIndexes", []).append(old)
            elif update.get("Update"):
                for index in desc.get("GlobalSecondaryIndexes", []):
                    if index["IndexName"] == update["Update"]["IndexName"]:
                        index["IndexStatus"] = "UPDATING"

    # --- reads --------------------------------------------------------------------------------------
    def scope(self, ctx: Any, table: Table, index_name: str, req: dict[str, Any]) -> IndexScope:
        spec = self.spec(table, index_name)
        if spec is None and index_name in self._unassigned(table):
            with self.store.transaction() as txn:
                self._adopt(txn, table, self._unassigned(table))
            spec = self.spec(table, index_name)
        if spec is None:
            raise ValidationException(f"The table does not have the specified index: {index_name}")
        select = req.get("Select")
        fetch = False
        if spec.is_global:
            if req.get("ConsistentRead"):
                raise ValidationException("Consistent reads are not supported on global secondary indexes")
            if select == "ALL_ATTRIBUTES" and spec.projection != "ALL":
                raise ValidationException(f"{INVALID}Select type ALL_ATTRIBUTES is not supported for global "
                                          f"secondary index {index_name} because its projection type is not ALL")
        elif spec.attributes is not None:
            # An LSI answers attributes it does not project by reading the table item.
            fetch = select == "ALL_ATTRIBUTES" or not _requested(req) <= spec.attributes
        return IndexScope(ctx.store, table, spec, fetch)


def _requested(req: dict[str, Any]) -> set[str]:
    """Top-level attribute names a read asks for (ProjectionExpression or AttributesToGet)."""
    if req.get("ProjectionExpression"):
        attrs = ex.ExpressionAttributes(req.get("ExpressionAttributeNames"), req.get("ExpressionAttributeValues"))
        return {str(path[0]) for path in ex.parse_projection(req["ProjectionExpression"], attrs)}
    return set(req.get("AttributesToGet") or [])


def _set_warm(doc: dict[str, Any], name: str, requested: dict[str, Any] | None) -> None:
    """Keep an index's warm throughput setting (described by DescribeTable) in the table document."""
    if requested:
        warm = doc.setdefault("_gsi_warm", {})
        warm[name] = schema.warm_setting(requested, warm.get(name))


def _prune_definitions(doc: dict[str, Any]) -> None:
    """Keep only AttributeDefinitions some key schema uses (a deleted index's attributes go)."""
    used = {k["AttributeName"] for k in doc["KeySchema"]}
    for key in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        for index in doc.get(key) or []:
            used.update(k["AttributeName"] for k in index["KeySchema"])
    doc["AttributeDefinitions"] = [a for a in doc["AttributeDefinitions"] if a["AttributeName"] in used]


class IndexScope:
    """What a Query or Scan with ``IndexName`` walks; same interface as ``scopes.TableScope``.

    Entries are ordered by index range key, then by table key.  LastEvaluatedKey holds the table key and the
    index key.  A Query resumes strictly after its ExclusiveStartKey inside the partition, which a range
    bound alone cannot express (index keys repeat), so :meth:`start_position` keeps the position on the scope
    (one scope serves one request) and answers None.
    """

    def __init__(self, store: Any, table: Table, spec: IndexSpec, fetch_table: bool) -> None:
        self.store = store
        self.table = table
        self.spec = spec
        self.index_name: str | None = spec.name
        self.hash_key = spec.hash_key
        self.range_key = spec.range_key
        self.hash_type = spec.hash_type
        self.range_type = spec.range_type
        self._fetch = fetch_table
        self._after: tuple[bytes, bytes, bytes] | None = None

    def _data(self, thk: bytes, trk: bytes, data: bytes) -> bytes:
        if self._fetch:
            return self.store.get_item(self.table.tid, thk, trk) or data
        return data

    def query(self, hk: bytes, *, low: bytes | None = None, low_inclusive: bool = True, high: bytes | None = None,
              high_inclusive: bool = True, forward: bool = True) -> Iterator[bytes]:
        after, chunk = self._after, _FIRST_CHUNK
        while True:
            rows = list(itertools.islice(self.store.index_query(
                self.spec.iid, hk, low=low, low_inclusive=low_inclusive, high=high, high_inclusive=high_inclusive,
                forward=forward, after=after), chunk))
            for _rk, thk, trk, data in rows:
                yield self._data(thk, trk, data)
            if len(rows) < chunk:
                return
            after = rows[-1][:3]
            chunk = min(chunk * 4, _MAX_CHUNK)

    def scan(self, after: tuple[bytes, bytes, bytes, bytes] | None) -> Iterator[tuple[bytes, bytes]]:
        chunk = _FIRST_CHUNK
        while True:
            rows = list(itertools.islice(self.store.index_scan(self.spec.iid, after), chunk))
            for hk, _rk, thk, trk, data in rows:
                yield hk, self._data(thk, trk, data)
            if len(rows) < chunk:
                return
            after = rows[-1][:4]
            chunk = min(chunk * 4, _MAX_CHUNK)

    def last_key(self, item: dict[str, Any]) -> dict[str, Any]:
        return {n: item[n] for n in self.spec.key_names if n in item}

    def start_position(self, start: dict[str, Any], *, query: bool, hash_value: Any = None,
                       hash_bytes: bytes | None = None) -> Any:
        spec = self.spec
        if set(start) - set(spec.key_names):
            raise ValidationException(_BAD_START)
        try:
            thk, trk, _ = self.table.key_of_key({n: start[n] for n in self.table.key_names if n in start})
        except ValidationException:
            raise ValidationException(_BAD_START) from None
        entry = spec.entry(start)
        if entry is None:
            raise ValidationException(_BAD_START)
        hk, rk, _ = entry
        if query:
            if hash_bytes is None and hash_value is not None:
                hash_bytes = types.encode_key_value(hash_value)
            if hash_bytes is not None and hash_bytes != hk:
                raise ValidationException(_BAD_START)
            self._after = (rk, thk, trk)
            return None
        return hk, rk, thk, trk
