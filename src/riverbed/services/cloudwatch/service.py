"""The CloudWatch domain: data points (users' and the services' own), metric alarms and their actions.

Owns: recording PutMetricData samples and the services' data points (this service is the app's
:class:`~riverbed.core.interfaces.MetricsSink` for CloudWatch), alarm documents in the store, their
evaluation on the clock (``evaluate_once``; ``run_evaluation`` repeats it every ``evaluation_interval``
seconds), state changes with history and SNS notifications through :class:`Topics`, and flushing this
node's data points to the store (``flush_once``, every ``FLUSH_SECONDS``, on drain and on stop) and
dropping those past the retention period.

Must not: render wire shapes (operations do) or reach another service other than through its interface.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from riverbed import ids
from riverbed.core.context import RequestContext
from riverbed.core.interfaces import Topics
from riverbed.errors import ServiceError
from riverbed.services.cloudwatch import alarms
from riverbed.services.cloudwatch.datapoints import Datapoints, Sample, SeriesKey, series_key
from riverbed.services.cloudwatch.metric_math import MathError
from riverbed.services.cloudwatch.queries import evaluate_queries

if TYPE_CHECKING:  # pragma: no cover
    from riverbed.clock import Clock
    from riverbed.storage.base import Store

log = logging.getLogger("riverbed.cloudwatch")

ALARM_DOC = "cloudwatch-alarm"
HISTORY_DOC = "cloudwatch-alarm-history"
HISTORY_LIMIT = 500
SNAPSHOT_DOC = ("cloudwatch-datapoints", "all")     # where riverbed kept data points before the slots
FLUSH_SECONDS = 5.0     # how late another node's alarms may see this node's data points


class CloudWatchService:
    def __init__(self, store: Store, clock: Clock, *, topics: Topics, retention_seconds: float = 15 * 86400,
                 evaluation_interval: float = 60.0) -> None:
        self.store = store
        self.clock = clock
        self.topics = topics
        self.datapoints = Datapoints(store, clock, retention_seconds)
        self.evaluation_interval = evaluation_interval
        self._import_snapshot()

    def _import_snapshot(self) -> None:
        """Data points an earlier riverbed saved as one snapshot document become slots (once)."""
        saved = self.store.get_doc(*SNAPSHOT_DOC)
        if saved is None:
            return
        for (namespace, name, dims), _last, samples in saved.get("series", []):
            key = series_key(namespace, name, {d[0]: d[1] for d in dims})
            for raw in samples:
                self.datapoints.add(key, Sample(raw[0], raw[1], raw[2], raw[3], raw[4], raw[5],
                                                [(v, c) for v, c in raw[6]]))
        with self.store.transaction() as txn:
            self.datapoints.flush_once()
            txn.delete_doc(*SNAPSHOT_DOC)

    # --- MetricsSink: the services' own data points ---------------------------------------------
    def put(self, namespace: str, name: str, dimensions: dict[str, str], value: float, unit: str = "Count") -> None:
        self.datapoints.put(namespace, name, dimensions, value, unit)

    def put_values(self, namespace: str, name: str, dimensions: dict[str, str], values: Sequence[float],
                   unit: str = "Count") -> None:
        self.datapoints.put_values(namespace, name, dimensions, values, unit)

    # --- alarms -------------------------------------------------------------------------------------
    @staticmethod
    def _key(account: str, region: str, name: str) -> str:
        return f"{account}/{region}/{name}"

    def get_alarm(self, account: str, region: str, name: str) -> dict[str, Any] | None:
        return self.store.get_doc(ALARM_DOC, self._key(account, region, name))

    def list_alarms(self, account: str, region: str) -> list[dict[str, Any]]:
        return [doc for _, doc in self.store.list_docs(ALARM_DOC, f"{account}/{region}/")]

    def save_alarm(self, account: str, region: str, alarm: dict[str, Any]) -> None:
        with self.store.transaction() as txn:
            txn.put_doc(ALARM_DOC, self._key(account, region, alarm["AlarmName"]), alarm)

    def delete_alarm(self, account: str, region: str, name: str) -> None:
        with self.store.transaction() as txn:
            txn.delete_doc(ALARM_DOC, self._key(account, region, name))

    def history(self, account: str, region: str) -> list[dict[str, Any]]:
        doc = self.store.get_doc(HISTORY_DOC, f"{account}/{region}")
        return list(doc["items"]) if doc else []

    def add_history(self, account: str, region: str, item: dict[str, Any]) -> None:
        with self.store.transaction() as txn:
            doc = txn.get_doc(HISTORY_DOC, f"{account}/{region}") or {"items": []}
            doc["items"] = [*doc["items"], item][-HISTORY_LIMIT:]
            txn.put_doc(HISTORY_DOC, f"{account}/{region}", doc)

    def alarm_arn(self, account: str, region: str, name: str) -> str:
        return f"arn:{ids.partition_for(region)}:cloudwatch:{region}:{account}:alarm:{name}"

    def change_state(self, account: str, region: str, alarm: dict[str, Any], state: str, reason: str,
                     reason_data: dict[str, Any] | None = None) -> None:
        """Move the alarm to ``state`` (recorded even when unchanged, as SetAlarmState is), then notify."""
        now = self.clock.now()
        old = {"StateValue": alarm["StateValue"], "StateReason": alarm["StateReason"]}
        alarm["StateValue"] = state
        alarm["StateReason"] = reason
        if reason_data is not None:
            alarm["StateReasonData"] = json.dumps(reason_data)
        else:
            alarm.pop("StateReasonData", None)
        alarm["StateUpdatedTimestamp"] = now
        if old["StateValue"] != state:
            alarm["StateTransitionedTimestamp"] = now
        self.save_alarm(account, region, alarm)
        if old["StateValue"] == state:
            return
        self.add_history(account, region, alarms.history_item(alarm, old, now))
        if alarm.get("ActionsEnabled", True):
            self._act(account, region, alarm, old["StateValue"])

    def _act(self, account: str, region: str, alarm: dict[str, Any], old_state: str) -> None:
        actions = {"ALARM": "AlarmActions", "OK": "OKActions", "INSUFFICIENT_DATA": "InsufficientDataActions"}
        subject, message = alarms.notification(alarm, old_state, account, region)
        for arn in alarm.get(actions[alarm["StateValue"]], []):
            if ":sns:" not in arn:
                continue    # only SNS actions are carried out; other kinds are stored as given
            try:
                self.topics.publish(arn, message, subject)
            except ServiceError as exc:
                log.warning("alarm %s: action %s failed: %s", alarm["AlarmName"], arn, exc.message)

    def alarm_samples(self, alarm: dict[str, Any], start: float, end: float) -> list[Any]:
        key: SeriesKey = series_key(alarm["Namespace"], alarm["MetricName"],
                                    {d["Name"]: d["Value"] for d in alarm.get("Dimensions", [])})
        return self.datapoints.samples(key, start, end, alarm.get("Unit"))

    def evaluate_alarm(self, alarm: dict[str, Any], now: float) -> alarms.Verdict:
        """The alarm's verdict at ``now``: over its metric, or over the one query of ``Metrics`` that returns data."""
        if not alarm.get("Metrics"):
            return alarms.evaluate(alarm, self.alarm_samples(alarm, *alarms.window(alarm, now)), now)
        queries = alarm["Metrics"]
        start, end = alarms.window({**alarm, "Period": alarm["_period"]}, now)
        returned = next(q["Id"] for q in queries if q.get("ReturnData", True))
        try:
            series = evaluate_queries(self.datapoints, queries, start, end)(returned)
        except MathError as exc:      # (checked when the alarm was put; data cannot make it fail, but be safe)
            log.warning("alarm %s: its expression failed: %s", alarm["AlarmName"], exc)
            series = {}
        return alarms.evaluate_series({**alarm, "Period": alarm["_period"]}, series, now)

    def evaluate_once(self) -> int:
        """Evaluate every alarm once against its metric; the number of state changes."""
        now = self.clock.now()
        changed = 0
        for key, alarm in self.store.list_docs(ALARM_DOC):
            account, region, _ = key.split("/", 2)
            verdict = self.evaluate_alarm(alarm, now)
            if verdict.state is None or verdict.state == alarm["StateValue"]:
                continue
            self.change_state(account, region, alarm, verdict.state, verdict.reason, verdict.reason_data)
            changed += 1
        return changed

    async def run_evaluation(self) -> None:
        while True:
            await self.clock.sleep(self.evaluation_interval)
            self.evaluate_once()

    # --- data points in the store -------------------------------------------------------------------
    def flush_once(self) -> int:
        """Merge this node's data points recorded since the last flush into the store; how many slots."""
        return self.datapoints.flush_once()

    def pending(self) -> list[str]:
        """The drain probe: flushes what was recorded, so drained data points are in the store."""
        if self.datapoints.dirty():
            self.datapoints.flush_once()
        return []

    async def run_flushing(self, interval: float = FLUSH_SECONDS) -> None:
        while True:
            await self.clock.sleep(interval)
            self.datapoints.flush_once()
            self.datapoints.expire_once()

    def reset(self) -> None:
        self.datapoints.reset()


CloudWatchContext = RequestContext[CloudWatchService]
