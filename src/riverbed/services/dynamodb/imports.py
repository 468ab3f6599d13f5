"""Table imports from S3: the import documents, reading source objects, and the importer loop.

Owns: the ``ddb-import`` documents (keyed by import ARN, holding the ImportTableDescription), turning
one source object into items (decompression: GZIP, ZSTD, NONE; formats: DYNAMODB_JSON lines of
``{"Item": ...}``, ION text as an ION export writes it, and CSV), and the step ``import_once()``
that loads every IN_PROGRESS import into its table.  Behaviour measured against DynamoDB
(scylladb/scylladb test/alternator/test_import.py):

- every object under the prefix is read; empty and blank lines are skipped; a zero-length object is
  zero items; a prefix with no objects completes with an empty table;
- the first line of an object that cannot become an item abandons the rest of that object and counts
  one error; an import with errors ends FAILED with ``ItemValidationError`` but keeps its table;
- a missing bucket fails the import with ``S3NoSuchBucket`` and leaves no table;
- the counters stay 0 while IN_PROGRESS; ProcessedSizeBytes counts uncompressed bytes and
  appears (with EndTime) only when the import ends; ImportedItemCount counts writes.
CSV (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/S3DataImport.Format.html): the
first line of each object is the header unless ``HeaderList`` is given; key columns take the type of
their AttributeDefinitions, every other column is a string; empty values are left out.

Must not: import the S3 service (objects go through ``core.interfaces.ObjectStore``).
"""

from __future__ import annotations

import csv
import gzip
import io
import zlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import orjson

from riverbed.errors import ServiceError, ValidationException
from riverbed.services.dynamodb import ion
from riverbed.services.dynamodb import items as item_writes
from riverbed.services.dynamodb.replication import drop_table
from riverbed.services.dynamodb.tables import Table

if TYPE_CHECKING:  # pragma: no cover
    from riverbed.services.dynamodb.service import DynamoDB

IMPORT = "ddb-import"
INTERVAL_SECONDS = 1.0
BATCH = 500
_TYPES = {"S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"}
ITEM_VALIDATION_MESSAGE = ("Some of the items failed validation checks and were not imported. Please check "
                           "CloudWatch error logs for more details.")


class BadLine(Exception):
    """A line that cannot become an item (the rest of its object is abandoned)."""


def decompress(body: bytes, compression: str) -> bytes:
    if compression == "GZIP":
        try:
            return gzip.decompress(body)
        except (OSError, EOFError, zlib.error) as err:
            raise BadLine(f"not GZIP data: {err}") from None
    if compression == "ZSTD":
        try:
            import zstandard  # optional dependency: pip install zstandard
        except ImportError:
            raise BadLine("ZSTD decompression needs the zstandard package") from None
        try:
            out: bytes = zstandard.ZstdDecompressor().decompressobj().decompress(body)
            return out
        except zstandard.ZstdError as err:
            raise BadLine(f"not ZSTD data: {err}") from None
    return body


def _check_value(av: Any) -> None:
    if not isinstance(av, dict) or len(av) != 1 or next(iter(av)) not in _TYPES:
        raise BadLine("invalid attribute value")
    kind, value = next(iter(av.items()))
    if kind == "M":
        if not isinstance(value, dict):
            raise BadLine("invalid map")
        for inner in value.values():
            _check_value(inner)
    elif kind == "L":
        if not isinstance(value, list):
            raise BadLine("invalid list")
        for inner in value:
            _check_value(inner)


def json_items(text: str) -> Iterator[dict[str, Any]]:
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            doc = orjson.loads(line)
        except orjson.JSONDecodeError:
            raise BadLine("not JSON") from None
        item = doc.get("Item") if isinstance(doc, dict) else None
        if not isinstance(item, dict):
            raise BadLine("no Item member")
        for name, av in item.items():
            if not name:
                raise BadLine("empty attribute name")
            _check_value(av)
        yield item


def csv_items(text: str, table: Table, delimiter: str, header: list[str] | None) -> Iterator[dict[str, Any]]:
    rows = csv.reader(io.StringIO(text), delimiter=delimiter)
    for row in rows:
        if not row or all(not cell.strip() for cell in row):
            continue
        if header is None:
            header = row
            continue
        if len(row) > len(header):
            raise BadLine("more columns than the header names")
        item: dict[str, Any] = {}
        for name, cell in zip(header, row, strict=False):
            if cell == "":
                continue
            kind = table.attr_types.get(name, "S") if name in table.key_names else "S"
            item[name] = {kind: cell}
        yield item


class Importer:
    """Runs imports in the background: each ``import_once()`` finishes every import in progress."""

    def __init__(self, dynamodb: DynamoDB) -> None:
        self.dyn = dynamodb
        self.store = dynamodb.store
        self.clock = dynamodb.clock

    async def run(self) -> None:
        while True:
            await self.clock.sleep(INTERVAL_SECONDS)
            self.import_once()

    def import_once(self) -> int:
        done = 0
        for arn, doc in self.store.list_docs(IMPORT):
            if doc["ImportStatus"] != "IN_PROGRESS":
                continue
            self._load(doc)
            doc["EndTime"] = self.clock.now()
            with self.store.transaction() as txn:
                txn.put_doc(IMPORT, arn, doc)
            done += 1
        return done

    def _table(self, doc: dict[str, Any]) -> Table | None:
        region, account = doc["TableArn"].split(":")[3:5]
        table: Table | None = self.dyn.catalog.get(account, region, doc["TableArn"].split("/", 1)[1])
        return table if table is not None and table.doc.get("TableId") == doc["TableId"] else None

    def _load(self, doc: dict[str, Any]) -> None:
        source = doc["S3BucketSource"]
        table = self._table(doc)
        if table is None:
            doc.update(ImportStatus="FAILED", FailureCode="TableNotFound",
                       FailureMessage="The table was deleted during the import.")
            return
        try:
            if self.dyn.objects is None:
                raise ServiceError("The specified bucket does not exist", code="NoSuchBucket")
            keys = self.dyn.objects.list_objects(source["S3Bucket"], source.get("S3KeyPrefix") or "")
        except ServiceError as err:
            doc.update(ImportStatus="FAILED", FailureCode=f"S3{err.code}", FailureMessage=err.message)
            with self.store.transaction() as txn:   # nothing was imported: the table goes, as on AWS
                drop_table(self.dyn, txn, table)
            return
        processed = imported = errors = size = 0
        for key in keys:
            body = decompress_or_none(self.dyn, source["S3Bucket"], key, doc.get("InputCompressionType") or "NONE")
            if body is None:
                errors += 1
                processed += 1
                continue
            size += len(body)
            batch: list[dict[str, Any]] = []
            try:
                for item in self._items(body, table, doc):
                    try:
                        table.key_of_item(item)
                        item_writes.check_size(item)
                    except ValidationException:
                        raise BadLine("key or size invalid") from None
                    processed += 1
                    batch.append(item)
                    if len(batch) >= BATCH:
                        imported += self._write(table, batch)
            except BadLine:
                processed += 1
                errors += 1
            imported += self._write(table, batch)
        doc.update(ProcessedItemCount=processed, ImportedItemCount=imported, ErrorCount=errors)
        if size:
            doc["ProcessedSizeBytes"] = size
        if errors:
            doc.update(ImportStatus="FAILED", FailureCode="ItemValidationError", FailureMessage=ITEM_VALIDATION_MESSAGE)
        else:
            doc["ImportStatus"] = "COMPLETED"

    def _items(self, body: bytes, table: Table, doc: dict[str, Any]) -> Iterator[dict[str, Any]]:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise BadLine("not UTF-8") from None
        if doc["InputFormat"] == "ION":
            try:
                yield from ion.read_items(text)
            except ion.IonError as err:
                raise BadLine(str(err)) from None
        elif doc["InputFormat"] == "CSV":
            options = (doc.get("InputFormatOptions") or {}).get("Csv") or {}
            yield from csv_items(text, table, options.get("Delimiter") or ",", options.get("HeaderList"))
        else:
            yield from json_items(text)

    def _write(self, table: Table, batch: list[dict[str, Any]]) -> int:
        dyn = self.dyn
        with self.store.transaction() as txn:
            for item in batch:
                hk, rk, key = table.key_of_item(item)
                old = item_writes.load(txn, table, hk, rk)
                item_writes.commit(txn, dyn.streams, table, hk, rk, key, old, item, region=table.region,
                                   indexes=dyn.indexes)
        count = len(batch)
        batch.clear()
        return count


def decompress_or_none(dyn: DynamoDB, bucket: str, key: str, compression: str) -> bytes | None:
    """The object's bytes, decompressed; None when they cannot be read or decompressed (one error)."""
    try:
        raw = dyn.objects.read_object(bucket, key) if dyn.objects is not None else b""
        return decompress(raw, compression) if raw else b""
    except (ServiceError, BadLine):
        return None

