"""Queues: names, URLs, ARNs and their metadata documents in the store.

Owns: the :class:`Queue` value (name, ARN, type, attributes, tags, timestamps), queue-name rules,
turning a queue URL or ARN into a queue key, and the registry that reads and writes queue documents
(kind ``sqs-queue``, key = queue ARN) with a small in-memory cache.  A queue URL is
``http://<host the client used>/<account>/<name>``; any host is accepted when resolving one, as AWS's
own endpoints accept each other's URLs.

Must not: touch messages (``service`` does, through the store's message logs).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from riverbed import ids
from riverbed.services.sqs import attributes as attrs
from riverbed.services.sqs.errors import InvalidParameterValue, QueueDoesNotExist

DOC_KIND = "sqs-queue"
_NAME = re.compile(r"[A-Za-z0-9_-]{1,80}")
_FIFO_NAME = re.compile(r"[A-Za-z0-9_-]{1,75}\.fifo")
_REGION_IN_HOST = re.compile(r"(?:^|\.)(?:sqs\.)?([a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d)\.")


@dataclass
class Queue:
    name: str
    region: str
    account: str
    fifo: bool
    attributes: dict[str, str]
    created: float
    last_modified: float
    tags: dict[str, str] = field(default_factory=dict)
    purged_at: float | None = None

    @property
    def arn(self) -> str:
        return queue_arn(self.region, self.account, self.name)

    def url(self, host: str) -> str:
        return f"http://{host}/{self.account}/{self.name}"

    def int_attribute(self, name: str) -> int:
        return int(self.attributes.get(name, attrs.DEFAULTS.get(name, "0")))

    @property
    def visibility_timeout(self) -> int:
        return self.int_attribute("VisibilityTimeout")

    @property
    def delay_seconds(self) -> int:
        return self.int_attribute("DelaySeconds")

    @property
    def retention_seconds(self) -> int:
        return self.int_attribute("MessageRetentionPeriod")

    @property
    def maximum_message_size(self) -> int:
        return self.int_attribute("MaximumMessageSize")

    @property
    def wait_seconds(self) -> int:
        return self.int_attribute("ReceiveMessageWaitTimeSeconds")

    @property
    def content_based_dedup(self) -> bool:
        return self.attributes.get("ContentBasedDeduplication") == "true"

    @property
    def dedup_by_group(self) -> bool:
        return self.attributes.get("DeduplicationScope") == "messageGroup"

    def redrive(self) -> tuple[str, int] | None:
        """``(dead-letter queue ARN, maxReceiveCount)`` when a redrive policy is set."""
        text = self.attributes.get("RedrivePolicy")
        if not text:
            return None
        policy = json.loads(text)
        return policy["deadLetterTargetArn"], int(policy["maxReceiveCount"])

    def to_doc(self) -> dict[str, Any]:
        return {"name": self.name, "region": self.region, "account": self.account, "fifo": self.fifo,
                "attributes": self.attributes, "created": self.created, "last_modified": self.last_modified,
                "tags": self.tags, "purged_at": self.purged_at}

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Queue:
        return cls(name=doc["name"], region=doc["region"], account=doc["account"], fifo=doc["fifo"],
                   attributes=dict(doc["attributes"]), created=doc["created"],
                   last_modified=doc["last_modified"], tags=dict(doc.get("tags") or {}),
                   purged_at=doc.get("purged_at"))


def queue_arn(region: str, account: str, name: str) -> str:
    return f"arn:{ids.partition_for(region)}:sqs:{region}:{account}:{name}"


def arn_prefix(region: str, account: str) -> str:
    return f"arn:{ids.partition_for(region)}:sqs:{region}:{account}:"


def check_name(name: str, fifo: bool) -> None:
    """AWS's queue-name rules (CreateQueue reference: 1-80 characters, .fifo suffix for FIFO queues)."""
    if fifo:
        if not _FIFO_NAME.fullmatch(name):
            raise InvalidParameterValue("The name of a FIFO queue can only include alphanumeric characters, "
                                        "hyphens, or underscores, must end with .fifo suffix and be 1 to 80 "
                                        "in length.")
    elif not _NAME.fullmatch(name):
        raise InvalidParameterValue("Can only include alphanumeric characters, hyphens, or underscores. "
                                    "1 to 80 in length")


def arn_from_url(url: str, region: str) -> str:
    """The ARN a queue URL names; ``region`` is the caller's, unless the host names one."""
    if url.startswith("arn:"):
        return url
    try:
        parts = urlsplit(url if "://" in url else "http://" + url)
    except ValueError:
        raise QueueDoesNotExist() from None
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) != 2:
        raise QueueDoesNotExist()
    found = _REGION_IN_HOST.search(parts.hostname or "")
    return queue_arn(found.group(1) if found else region, segments[0], segments[1])


def split_arn(arn: str) -> tuple[str, str, str]:
    """``(region, account, name)`` of a queue ARN."""
    parts = arn.split(":")
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "sqs":
        raise QueueDoesNotExist()
    return parts[3], parts[4], parts[5]


QUEUES_CHANNEL = "queues"   # store notifications: a queue document changed (payload: its ARN)
MESSAGES_CHANNEL = "queue-messages"   # store notifications: a message became receivable (payload: queue ARN)


class QueueRegistry:
    """Queue documents in the store, cached in memory (dropped on reset, and on a change announced on the
    store's ``queues`` channel by this node or another one sharing the store); read through when several
    nodes share the store."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self._cache: dict[str, Queue | None] = {}
        store.subscribe(QUEUES_CHANNEL, self._forget)

    def _forget(self, arn: str) -> None:
        if arn:
            self._cache.pop(arn, None)
        else:
            self._cache.clear()

    def find(self, arn: str) -> Queue | None:
        # Several nodes: read through.  Another node's notification arrives milliseconds after its commit,
        # and its client may already be asking here (SetQueueAttributes there, SendMessage here).
        if arn in self._cache and not self.store.shared:
            return self._cache[arn]
        doc = self.store.get_doc(DOC_KIND, arn)
        queue = Queue.from_doc(doc) if doc is not None else None
        self._cache[arn] = queue
        return queue

    def get(self, arn: str) -> Queue:
        queue = self.find(arn)
        if queue is None:
            raise QueueDoesNotExist()
        return queue

    def put(self, txn: Any, queue: Queue) -> None:
        txn.put_doc(DOC_KIND, queue.arn, queue.to_doc())
        txn.notify(QUEUES_CHANNEL, queue.arn)
        self._cache.pop(queue.arn, None)
        txn.after_commit(lambda: self._cache.pop(queue.arn, None))

    def delete(self, txn: Any, arn: str) -> None:
        txn.delete_doc(DOC_KIND, arn)
        txn.notify(QUEUES_CHANNEL, arn)
        self._cache.pop(arn, None)
        txn.after_commit(lambda: self._cache.pop(arn, None))

    def list_queues(self, region: str, account: str, name_prefix: str = "") -> list[Queue]:
        prefix = arn_prefix(region, account) + name_prefix
        return [Queue.from_doc(doc) for _, doc in self.store.list_docs(DOC_KIND, prefix)]

    def all(self) -> list[Queue]:
        return [Queue.from_doc(doc) for _, doc in self.store.list_docs(DOC_KIND)]

    def queue_type(self, arn: str) -> str | None:
        queue = self.find(arn) if arn.count(":") == 5 else None
        if queue is None:
            return None
        return "fifo" if queue.fifo else "standard"

    def reset(self) -> None:
        self._cache.clear()
