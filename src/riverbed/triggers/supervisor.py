"""The trigger engine: one poller task per (enabled mapping, shard), in lineage order.

Owns: starting and stopping pollers as mappings are created, enabled,
disabled, updated or deleted and as shards roll over (a child starts only
after its parent is finished), the shared services the pollers use (invoker,
destinations, metrics, LastProcessingResult), and the answer to "is anything
still pending?" that ``drain()`` asks.

Must not: implement batching or the failure policy (``poller.py``).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import orjson

from riverbed import ids
from riverbed.core.context import RequestContext
from riverbed.core.interfaces import Destinations, Functions, Invocation, MetricsSink, RoleGuard, TableKeys
from riverbed.errors import ServiceError
from riverbed.triggers import events
from riverbed.triggers.filtering import compile_filter_criteria
from riverbed.triggers.mappings import MAPPINGS_CHANNEL, MappingStore
from riverbed.triggers.poller import ShardPoller

if TYPE_CHECKING:  # pragma: no cover
    from riverbed.clock import Clock
    from riverbed.config import Settings
    from riverbed.core.leases import Leases
    from riverbed.storage.base import Store
    from riverbed.streams.log import StreamLog

log = logging.getLogger("riverbed.triggers")
# The Lambda service records these per FunctionName for every invocation (Invoke, events, mappings);
# a mapping adds only its EventSourceMappingUUID series.
# What one poll does as the execution role: describe the stream, get an iterator, read records.
POLL_ACTIONS = ("dynamodb:DescribeStream", "dynamodb:GetShardIterator", "dynamodb:GetRecords")
_RECORDED_BY_LAMBDA = frozenset({"Invocations", "Errors", "Throttles"})
RECENT_BATCHES = 50   # batch outcomes kept in memory per mapping (the dashboard's mapping page)
BATCH_OUTCOMES = ("ok", "retried", "bisected", "partial failure", "sent to destination", "dropped")


class Triggers:
    """The trigger engine and the backend of the event-source-mapping API actions."""

    def __init__(self, store: Store, clock: Clock, streams: StreamLog, settings: Settings, *,
                 functions: Functions, destinations: Destinations, metrics: MetricsSink,
                 roles: RoleGuard | None = None, table_keys: TableKeys | None = None) -> None:
        self.clock = clock
        self.table_keys = table_keys  # a stream's table's customer managed key (kms:Decrypt on the role)
        self.roles = roles            # the function role's permission checks (the --iam mode); None: none
        self.streams = streams
        self.functions = functions
        self.destinations = destinations
        self.metrics = metrics
        self.mappings = MappingStore(store)
        self.poll_interval = settings.esm_poll_interval
        self.retry_backoff = settings.esm_retry_backoff
        self._numeric_n = settings.esm_filter_numeric_on_n_strings
        self.pollers: dict[tuple[str, str], tuple[ShardPoller, asyncio.Task[None]]] = {}
        self._kick: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._docs: dict[str, dict[str, Any]] | None = None
        self._batches: dict[str, deque[dict[str, Any]]] = {}   # per mapping UUID: recent batch outcomes
        self.leases: Leases | None = None   # several nodes: a poller runs where its lease is held (app.py)
        store.subscribe(MAPPINGS_CHANNEL, self._mapping_changed)

    # --- services for pollers --------------------------------------------------------------------
    def compile_filter(self, criteria: dict[str, Any] | None) -> Any:
        return compile_filter_criteria(criteria, numeric_on_n_strings=self._numeric_n)

    async def invoke(self, mapping: dict[str, Any], payload: bytes) -> Invocation:
        return await self.functions.invoke(mapping["FunctionArn"], payload, account=mapping["_account"],
                                           region=mapping["_region"])

    def metric(self, mapping: dict[str, Any], name: str, value: float, unit: str = "Count") -> None:
        function = mapping["FunctionArn"].split(":function:")[-1].split(":")[0]
        if name not in _RECORDED_BY_LAMBDA:
            self.metrics.put("AWS/Lambda", name, {"FunctionName": function}, value, unit)
        self.metrics.put("AWS/Lambda", name, {"EventSourceMappingUUID": mapping["UUID"]}, value, unit)

    def event_count(self, mapping: dict[str, Any], name: str, count: int) -> None:
        """One of the ``EventCount`` group's metrics, only when the mapping's MetricsConfig asks for the group.

        AWS records them in AWS/Lambda with the single dimension EventSourceMappingUUID; for DynamoDB
        stream sources the group is PolledEventCount, FilteredOutEventCount, InvokedEventCount,
        FailedInvokeEventCount, DroppedEventCount and OnFailureDestinationDeliveredEventCount
        (DeletedEventCount is SQS-only).
        https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html#event-source-mapping-metrics
        """
        if "EventCount" in ((mapping.get("MetricsConfig") or {}).get("Metrics") or ()):
            self.metrics.put("AWS/Lambda", name, {"EventSourceMappingUUID": mapping["UUID"]}, count)

    def set_result(self, mapping: dict[str, Any], result: str) -> None:
        doc = self.docs().get(mapping["UUID"])
        if doc is not None and doc.get("LastProcessingResult") != result:
            doc["LastProcessingResult"] = result
            mapping["LastProcessingResult"] = result
            self.mappings.save(doc)

    def poll_problem(self, mapping: dict[str, Any], stream_arn: str) -> str | None:
        """Why the function's role may not poll the stream now (LastProcessingResult's text), or None.

        Each poll is made as the execution role, so a policy detached or a Deny added while the mapping
        runs stops delivery until the permission returns (the checkpoint does not move meanwhile).
        """
        if self.roles is None:
            return None
        function = self.functions.resolve(mapping["_account"], mapping["_region"], mapping["FunctionArn"])
        role = (function or {}).get("role")
        if not role:
            return None
        missing = self.roles.missing_actions(mapping["_account"], role, POLL_ACTIONS, stream_arn)
        keys = self.table_keys
        key = keys.stream_table_key(stream_arn) if keys is not None else None
        if not missing and keys is not None and key is not None and not keys.stream_table_accessible(stream_arn):
            # riverbed's wording (no AWS text found): the table's key is disabled or pending deletion.
            return f"PROBLEM: The table's KMS key {key} is inaccessible"
        if not missing and key is not None:
            missing = self.roles.missing_actions(mapping["_account"], role, ["kms:Decrypt"], key)
            if missing:
                return "PROBLEM: Execution role does not have permissions to call Decrypt on KMS"
        if not missing:
            return None
        # AWS's wording for a role that lost a stream permission (as for SQS: "PROBLEM: Execution role does
        # not have permissions to call receiveMessage on SQS"); the action is the first one refused.
        return f"PROBLEM: Execution role does not have permissions to call {missing[0].split(':')[1]} on DynamoDB"

    async def deliver_failure(self, mapping: dict[str, Any], target: str, record: dict[str, Any],
                              payload: bytes | None = None) -> bool:
        """Send the invocation record to the OnFailure destination; whether it was delivered."""
        try:
            if target.startswith("arn:aws:s3:::"):
                # S3 destinations get the whole invocation event too, as an object of their own.
                key, data = events.s3_failure_object(record, payload or b"{}", mapping["UUID"], self.clock.now(),
                                                     ids.new_uuid())
                self.destinations.send(target, data.decode(), object_key=key)
            else:
                self.destinations.send(target, orjson.dumps(record).decode())
        except ServiceError as exc:
            log.warning("on-failure delivery to %s failed: %s", target, exc)
            self.metric(mapping, "DestinationDeliveryFailures", 1)
            self.set_result(mapping, "PROBLEM: Lambda was unable to write to the destination")
            return False
        return True

    def batch_outcome(self, mapping: dict[str, Any], shard_id: str, records: Sequence[dict[str, Any]], *,
                      attempt: int, outcome: str, error: str | None = None, condition: str | None = None,
                      destination: str | None = None) -> None:
        """Remember what happened to one batch (one attempt, or one discard) for :meth:`recent_batches`.

        In memory only and bounded (the last ``RECENT_BATCHES`` per mapping on this node): it is a view for
        people, not state; a restart forgets it.
        """
        if outcome not in BATCH_OUTCOMES:
            raise ValueError(f"unknown batch outcome {outcome!r}")
        history = self._batches.get(mapping["UUID"])
        if history is None:
            history = self._batches[mapping["UUID"]] = deque(maxlen=RECENT_BATCHES)
        history.append({
            "time": self.clock.now(), "shard": shard_id,
            "first": records[0]["dynamodb"]["SequenceNumber"] if records else None,
            "last": records[-1]["dynamodb"]["SequenceNumber"] if records else None,
            "records": len(records), "attempt": attempt, "outcome": outcome, "error": error,
            "condition": condition, "destination": destination})

    def recent_batches(self, esm_uuid: str) -> list[dict[str, Any]]:
        """The mapping's recent batch outcomes on this node, newest first (copies)."""
        return [dict(b) for b in reversed(self._batches.get(esm_uuid, ()))]

    # --- mapping documents, cached ---------------------------------------------------------------------
    def docs(self) -> dict[str, dict[str, Any]]:
        if self._docs is None:
            self._docs = {d["UUID"]: d for d in self.mappings.all()}
        return self._docs

    def saved(self, doc: dict[str, Any]) -> None:
        self.mappings.save(doc)
        self.docs()[doc["UUID"]] = doc
        self.kick()

    def deleted(self, esm_uuid: str) -> None:
        self.mappings.delete(esm_uuid)
        self.docs().pop(esm_uuid, None)
        self._batches.pop(esm_uuid, None)
        self.kick()

    def _mapping_changed(self, esm_uuid: str) -> None:
        """A mapping document changed, maybe on another node (store notification, any thread)."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._reload, esm_uuid)
        else:
            self._reload(esm_uuid)

    def _reload(self, esm_uuid: str) -> None:
        """Refresh one cached mapping; its pollers restart only when the document really changed."""
        if self._docs is None:
            return
        fresh = self.mappings.get(esm_uuid) if esm_uuid else None
        if not esm_uuid:
            self._docs = None
        elif fresh is None:
            self._docs.pop(esm_uuid, None)
        elif self._docs.get(esm_uuid) != fresh:
            self._docs[esm_uuid] = fresh
        self.kick()

    # --- supervision -------------------------------------------------------------------------------------
    def kick(self) -> None:
        """Reconcile soon; callable from any thread (store notifications arrive on one of the store's)."""
        if self._kick is not None and self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._kick.set)

    async def run(self) -> None:
        self._kick = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        self.streams.on_shards_changed.append(self.kick)
        while True:
            self.reconcile_once()
            try:
                await asyncio.wait_for(self._kick.wait(), 1.0)
            except TimeoutError:
                pass
            self._kick.clear()

    def owns(self, esm_uuid: str, shard_id: str) -> bool:
        """Whether this node holds the lease of the (mapping, shard) poller (always, with one node)."""
        return self.leases is None or self.leases.holds(_lease(esm_uuid, shard_id))

    def _leased(self, wanted: dict[tuple[str, str], Any]) -> None:
        """Keep only the pollers whose lease this node holds (acquiring or renewing them); give up the
        leases of pollers no longer wanted."""
        leases = self.leases
        if leases is None or not leases.shared:
            return
        for key in list(wanted):
            if not leases.hold(_lease(*key)):
                del wanted[key]
        keep = {_lease(*key) for key in wanted}
        for name in leases.held(ESM_LEASE_PREFIX):
            if name not in keep:
                leases.release(name)

    def reconcile_once(self) -> None:
        wanted: dict[tuple[str, str], tuple[dict[str, Any], Any, Any]] = {}
        for doc in self.docs().values():
            if doc.get("State") not in ("Enabled", "Enabling", "Creating", "Updating"):
                continue
            stream = self.streams.get(doc["EventSourceArn"])
            if stream is None:
                continue
            finished = {s.shard_id for s in stream.shards if (self.mappings.checkpoint(doc["UUID"], s.shard_id)
                                                               or {}).get("done")}
            present = {s.shard_id for s in stream.shards}
            for shard in stream.shards:
                if shard.shard_id in finished:
                    continue
                if shard.parent and shard.parent in present and shard.parent not in finished:
                    continue   # parents are finished before their children
                wanted[(doc["UUID"], shard.shard_id)] = (doc, stream, shard)
        self._leased(wanted)
        for key, (poller, task) in list(self.pollers.items()):
            if key not in wanted or task.done() or poller.mapping is not wanted[key][0]:
                if not task.done():
                    task.cancel()
                del self.pollers[key]
        for key, (doc, stream, shard) in wanted.items():
            if key in self.pollers:
                continue
            cp = self.mappings.checkpoint(doc["UUID"], shard.shard_id)
            position = cp["next"] if cp else self.streams.first_position(shard)
            poller = ShardPoller(self, doc, stream, shard, position)
            task = asyncio.create_task(poller.run(), name=f"esm:{doc['UUID']}:{shard.shard_id}")
            task.add_done_callback(lambda _t: self.kick())
            self.pollers[key] = (poller, task)

    def start_positions(self, doc: dict[str, Any]) -> None:
        """LATEST: remember, per existing shard, the position at creation so later records are all seen."""
        if doc["StartingPosition"] != "LATEST":
            return
        stream = self.streams.get(doc["EventSourceArn"])
        if stream is None:
            return
        for shard in stream.shards:
            self.mappings.set_checkpoint(doc["UUID"], shard.shard_id, self.streams.latest_position(shard),
                                         done=False)

    # --- drain support --------------------------------------------------------------------------------------
    def pending(self) -> list[str]:
        """What is not yet handled: records past a checkpoint, batches in flight or waiting to retry."""
        out = []
        for doc in self.docs().values():
            if doc.get("State") != "Enabled":
                continue
            stream = self.streams.get(doc["EventSourceArn"])
            if stream is None:
                continue
            for shard in stream.shards:
                entry = self.pollers.get((doc["UUID"], shard.shard_id))
                cp = self.mappings.checkpoint(doc["UUID"], shard.shard_id)
                if cp and cp.get("done"):
                    continue
                position = entry[0].position if entry else (cp["next"] if cp else self.streams.first_position(shard))
                rows = self.streams.store.read_records(shard.no, position, 1)
                busy = entry is not None and (entry[0].status.in_flight or entry[0].status.waiting
                                              or entry[0].window is not None)
                if rows or busy:
                    what = f"mapping {doc['UUID']} shard {shard.shard_id}"
                    if entry is not None and entry[0].status.waiting:
                        what += f" (waiting: {entry[0].status.waiting}"
                        if entry[0].status.last_error:
                            what += f", {entry[0].status.last_error}"
                        what += ")"
                    elif entry is not None and entry[0].status.in_flight:
                        what += " (invocation in flight)"
                    else:
                        what += " (records not yet delivered)"
                    out.append(what)
        return out

    def busy_invoking(self) -> bool:
        return any(p.status.in_flight and not p.status.waiting for p, _ in self.pollers.values())

    async def stop(self) -> None:
        for _, task in self.pollers.values():
            task.cancel()
        self.pollers.clear()

    def reset(self) -> None:
        for _, task in self.pollers.values():
            task.cancel()
        self.pollers.clear()
        self._docs = None


ESM_LEASE_PREFIX = "esm:"


def _lease(esm_uuid: str, shard_id: str) -> str:
    return f"{ESM_LEASE_PREFIX}{esm_uuid}:{shard_id}"


TriggersContext = RequestContext[Triggers]
