"""Listing a bucket's keys as S3 does: prefix, delimiter (common prefixes), a start marker, page size.

Owns: the walk over keys in UTF-8 binary order that both ListObjects and ListObjectsV2 share — a key
past the marker either is returned or rolls up into a common prefix (``prefix + ... + delimiter``);
each returned key or new common prefix counts towards ``MaxKeys``; a common prefix at or before the
marker was given on an earlier page — and ``EncodingType=url`` (keys percent-encoded, ``/`` kept,
spaces as ``+``, which is how botocore decodes them).

Must not: read the store (the caller hands the documents over).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote_plus


@dataclass
class Page:
    contents: list[dict[str, Any]] = field(default_factory=list)
    prefixes: list[str] = field(default_factory=list)
    truncated: bool = False
    last: str = ""          # the last key or common prefix on this page (the next page's marker)


def walk(docs: list[dict[str, Any]], prefix: str, delimiter: str, marker: str, max_keys: int) -> Page:
    page = Page()
    for doc in docs:
        key = doc["Key"]
        if key <= marker or not key.startswith(prefix):
            continue
        common = None
        if delimiter:
            cut = key.find(delimiter, len(prefix))
            if cut >= 0:
                common = key[:cut + len(delimiter)]
                if common <= marker or (page.prefixes and page.prefixes[-1] == common):
                    continue
        if len(page.contents) + len(page.prefixes) >= max_keys:
            page.truncated = True
            break
        if common is not None:
            page.prefixes.append(common)
            page.last = common
        else:
            page.contents.append(doc)
            page.last = key
    return page


def encode(value: str, encoding: str | None) -> str:
    return quote_plus(value, safe="/") if encoding == "url" else value


def entry(doc: dict[str, Any], encoding: str | None, owner: dict[str, str] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"Key": encode(doc["Key"], encoding), "LastModified": doc["LastModified"],
                           "ETag": doc["ETag"], "Size": doc["Size"], "StorageClass": doc.get("StorageClass",
                                                                                            "STANDARD")}
    if doc.get("Checksums"):
        out["ChecksumAlgorithm"] = sorted(doc["Checksums"])
        out["ChecksumType"] = doc.get("ChecksumType", "FULL_OBJECT")
    if owner is not None:
        out["Owner"] = owner
    return out
