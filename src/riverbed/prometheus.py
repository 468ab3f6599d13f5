"""The Prometheus view of riverbed's metrics, rendered by prometheus_client.

Owns: one ``CollectorRegistry`` per :class:`riverbed.metrics.Metrics` (never
the library's global default registry, so that several riverbed instances in
one process do not collide), a collector that turns each series' running
summary into a counter, gauge or summary sample at scrape time, metric and
label names made valid for Prometheus, and the choice of exposition format
from the ``Accept`` header.  Label values are escaped by the library.

Family names keep riverbed's scheme: the namespace lower-cased with ``/`` as
``_``, then the CloudWatch name (``aws_lambda_Invocations``; the counter's
sample is ``aws_lambda_Invocations_total``).

Must not: record data points or decide a metric's kind (``metrics.py`` does);
it is imported on the first scrape only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from prometheus_client import exposition as _exposition
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector, CollectorRegistry

if TYPE_CHECKING:
    from riverbed.metrics import Metrics

_INVALID_NAME = re.compile(r"[^a-zA-Z0-9_:]")
_INVALID_LABEL = re.compile(r"[^a-zA-Z0-9_]")


def metric_name(namespace: str, name: str) -> str:
    full = _INVALID_NAME.sub("_", f"{namespace.replace('/', '_').lower()}_{name}")
    return full if not full[:1].isdigit() else f"_{full}"


def label_name(dimension: str) -> str:
    label = _INVALID_LABEL.sub("_", dimension)
    # Names starting with "__" are reserved for Prometheus itself; a leading digit is invalid.
    if label.startswith("__") or label[:1].isdigit() or not label:
        label = f"d_{label}"
    return label


class CloudWatchCollector(Collector):
    """Reads the running summaries of one ``Metrics`` at scrape time."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    def collect(self) -> Iterable[Metric]:
        families: dict[tuple[str, str], Metric] = {}
        for (namespace, name, dims), running in self.metrics.running():
            family_name = metric_name(namespace, name)
            family = families.get((family_name, running.kind))
            if family is None:
                doc = f"CloudWatch {namespace} {name} ({running.unit})"
                family = families[(family_name, running.kind)] = Metric(family_name, doc, running.kind)
            labels = {label_name(k): v for k, v in dims}
            if running.kind == "counter":
                family.add_sample(f"{family_name}_total", labels, running.sum)
            elif running.kind == "summary":
                family.add_sample(f"{family_name}_count", labels, running.count)
                family.add_sample(f"{family_name}_sum", labels, running.sum)
            else:
                family.add_sample(family_name, labels, running.last)
        return list(families.values())


def registry_for(metrics: Metrics) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(CloudWatchCollector(metrics))
    return registry


def exposition(registry: CollectorRegistry, accept: str = "") -> tuple[str, bytes]:
    """``(content type, body)``: Prometheus text 0.0.4 unless ``accept`` asks for another supported format."""
    encoder, content_type = _exposition.choose_encoder(accept)
    return content_type, encoder(registry)
