"""Queue policies: whether another AWS service may send to a queue on a resource's behalf (SNS fan-out).

Owns: the decision for a service principal (``sns.amazonaws.com`` sending for topic ``aws:SourceArn``) against
the queue's ``Policy`` attribute, with the one policy evaluator (``riverbed.core.policy``), and riverbed's
``--iam`` modes for queues without a policy.

AWS delivers from an SNS topic to an SQS queue only when the queue's access policy allows the topic
("Subscribing an Amazon SQS queue to an Amazon SNS topic": the queue policy must grant ``sqs:SendMessage`` to
``sns.amazonaws.com`` with ``aws:SourceArn`` = the topic; the console adds that statement, the API does not).
Riverbed mirrors it under ``strict``, and under the default ``enforce`` whenever the queue has a policy or the
topic belongs to another account; a same-account queue without any policy still receives under ``enforce``
(one warning per queue in the log), so that setups written before queue policies were evaluated keep working.
Requests made by principals (SendMessage from another account) are decided by the gateway, not here.

Must not: look at identity policies (a service principal has none).
"""

from __future__ import annotations

import functools
import logging
import threading

from riverbed.core.policy import Decision, PolicyError, RequestFacts, Statement, evaluate, parse_policy
from riverbed.errors import ServiceError

log = logging.getLogger("riverbed.sqs")
_warned: set[str] = set()
_lock = threading.Lock()


@functools.lru_cache(maxsize=256)
def _statements(text: str) -> tuple[Statement, ...] | None:
    try:
        return tuple(parse_policy(text, "resource"))
    except PolicyError:
        return None


def check_service_send(queue_arn: str, policy: str | None, service: str, source_arn: str, mode: str) -> None:
    """Raise AccessDenied unless ``service`` may send to the queue for the resource ``source_arn``."""
    if mode == "off" or not source_arn:
        return
    source_account = source_arn.split(":")[4] if source_arn.count(":") >= 5 else ""
    owner = queue_arn.split(":")[4] if queue_arn.count(":") >= 5 else ""
    if not policy:
        if mode == "enforce" and source_account == owner:
            with _lock:
                first = queue_arn not in _warned
                _warned.add(queue_arn)
            if first:
                log.warning("queue %s has no policy allowing %s to send for %s; delivered anyway "
                            "(RIVERBED_IAM=strict refuses, as AWS does)", queue_arn, service, source_arn)
            return
        raise _denied(queue_arn, service)
    statements = _statements(policy)
    facts = RequestFacts("sqs:SendMessage", queue_arn, principal=service, principal_kind="Service",
                         context={"aws:SourceArn": source_arn, "aws:SourceAccount": source_account})
    if statements is None or evaluate((), facts, resource=[statements]) is not Decision.ALLOWED:
        raise _denied(queue_arn, service)


def _denied(queue_arn: str, service: str) -> ServiceError:
    return ServiceError(f"{service} is not authorized to perform: sqs:SendMessage on resource: {queue_arn}",
                        code="AccessDenied", status=403)
