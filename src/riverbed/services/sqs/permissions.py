"""AddPermission / RemovePermission as edits of a queue's ``Policy`` attribute.

Owns: the statement AWS writes for a permission -- ``Sid`` = the label, ``Effect`` Allow, ``Principal``
``{"AWS": "arn:aws:iam::<id>:root"}`` (a list when several accounts are named, in the order given),
``Action`` ``"SQS:<name>"`` (a list when several), ``Resource`` the queue ARN -- in a policy with
``Version`` "2008-10-17" and ``Id`` "<queue ARN>/SQSDefaultPolicy"; removing the last statement removes
the attribute.  Shapes and the two label texts: AWS's recorded sqs snapshot
``test_sqs_permission_lifecycle`` (tests/data/aws-recorded/sqs_permissions.snapshot.json).  The action
names AWS accepts, and the two texts for others, follow AWS's AddPermission reference ("Specifying
SendMessage, DeleteMessage, or ChangeMessageVisibility ... also grants ... the batch versions") and the
texts AWS answers (as Eucalyptus's SQS, written against AWS, reproduces them).

Must not: evaluate policies (core.policy does, through the queue's Policy attribute).
"""

from __future__ import annotations

import json
import re
from typing import Any

from riverbed import ids
from riverbed.services.sqs.errors import InvalidParameterValue, MissingParameter, OverLimit, invalid_value

GRANTABLE = frozenset({"*", "SendMessage", "ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility",
                       "GetQueueAttributes", "GetQueueUrl", "ListDeadLetterSourceQueues", "PurgeQueue"})
OWNER_ONLY = frozenset({"AddPermission", "RemovePermission", "CreateQueue", "DeleteQueue", "ListQueues",
                        "SetQueueAttributes"})
MAX_ACTIONS = 7
_LABEL = re.compile(r"[A-Za-z0-9_-]{1,80}")


def check_label(label: Any) -> str:
    text = str(label or "")
    if not _LABEL.fullmatch(text):
        raise InvalidParameterValue("Label can only include alphanumeric characters, hyphens, or underscores. "
                                    "1 to 80 in length")
    return text


def _statements(policy_text: str | None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    if not policy_text:
        return {}, []
    policy = json.loads(policy_text)
    found = policy.get("Statement") or []
    return policy, [found] if isinstance(found, dict) else list(found)


def add_permission(policy_text: str | None, queue_arn: str, label: Any, accounts: Any, actions: Any) -> str:
    """The queue's Policy text with the permission's statement added."""
    sid = check_label(label)
    if not actions:
        raise MissingParameter.named("Actions")
    if not accounts:
        raise InvalidParameterValue("Value [] for parameter PrincipalId is invalid. Reason: Unable to verify.")
    if len(actions) > MAX_ACTIONS:
        raise OverLimit(f"{len(actions)} Actions were found, maximum allowed is {MAX_ACTIONS}.")
    for action in actions:
        if str(action) in GRANTABLE:
            continue
        reason = ("Only the queue owner is allowed to invoke this action." if str(action) in OWNER_ONLY
                  else "Please refer to the appropriate WSDL for a list of valid actions.")
        raise invalid_value(f"SQS:{action}", "ActionName", reason)
    policy, statements = _statements(policy_text)
    if any(s.get("Sid") == sid for s in statements):
        raise invalid_value(sid, "Label", "Already exists.")
    partition = ids.partition_for(queue_arn.split(":")[3])
    principals = [f"arn:{partition}:iam::{account}:root" for account in accounts]
    names = [f"SQS:{action}" for action in actions]
    statements.append({"Sid": sid, "Effect": "Allow",
                       "Principal": {"AWS": principals[0] if len(principals) == 1 else principals},
                       "Action": names[0] if len(names) == 1 else names, "Resource": queue_arn})
    if not policy:
        policy = {"Version": "2008-10-17", "Id": f"{queue_arn}/SQSDefaultPolicy"}
    policy["Statement"] = statements
    return json.dumps(policy, separators=(",", ":"))


def remove_permission(policy_text: str | None, label: Any) -> str | None:
    """The queue's Policy text without the label's statement; None when no statement is left."""
    sid = check_label(label)
    policy, statements = _statements(policy_text)
    kept = [s for s in statements if s.get("Sid") != sid]
    if len(kept) == len(statements):
        raise invalid_value(sid, "Label", "can't find label.")
    if not kept:
        return None
    policy["Statement"] = kept
    return json.dumps(policy, separators=(",", ":"))
