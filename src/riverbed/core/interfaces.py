"""The calls one service makes to another, as AWS makes them internally: small typed protocols.

Owns: the shapes of those calls.  The composition root (``app.py``) hands each component the
implementations it needs — the trigger engine gets :class:`Functions` (invoke) and
:class:`Destinations` (send a failed batch's record; Lambda gets the same object for asynchronous invocation
records and dead-letter messages), SNS gets :class:`Functions` and
:class:`MessageQueues` for its fan-out, every component gets a :class:`MetricsSink`, Lambda and the
triggers get :class:`RoleGuard` (the ``--iam`` mode applied to IAM's :class:`Permissions`), STS gets
:class:`Permissions`, Lambda gets :class:`ObjectStore` (S3) for function code (and DynamoDB for table
exports and imports) and STS's :class:`Sessions` for its workers' credentials, and the gateway gets
STS's :class:`Identities` to name the caller of each request — so a reader
(and mypy) sees who depends on whom, and nothing is looked up on an untyped ``app`` at run time.

Must not: import any implementation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from riverbed.core.policy import Decision


class Invocation(Protocol):
    """The outcome of one synchronous invocation (``riverbed.runtime.InvocationResult`` has this shape)."""

    request_id: str
    payload: bytes             # JSON of the handler's return value, or of the error object
    function_error: str | None
    error_type: str | None
    log_text: str
    executed_version: str


class Functions(Protocol):
    """Lambda as other services see it."""

    def resolve(self, account: str, region: str, name_or_arn: str) -> dict[str, Any] | None:
        """The function (or version/alias) a name, partial ARN or ARN designates, or None."""
        ...

    async def invoke(self, function_arn_or_name: str, payload: bytes, *, account: str, region: str,
                     request_id: str | None = None) -> Invocation:
        """RequestResponse invocation; raises the Lambda error (not found, throttled) as a ServiceError."""
        ...

    def invoke_async(self, function_arn_or_name: str, payload: bytes, *, account: str | None = None,
                     region: str | None = None) -> str:
        """Event invocation (queued, retried twice); the request id.  Safe from any thread."""
        ...


class MessageQueues(Protocol):
    """SQS as other services see it."""

    def send_message(self, queue_arn: str, body: str, attributes: dict[str, Any] | None = None) -> str:
        """Send ``body`` to the queue with this ARN; the message id.  Raises QueueDoesNotExist & co."""
        ...

    def deliver(self, queue_arn: str, body: str, *, message_attributes: dict[str, Any] | None = None,
                group_id: str | None = None, dedup_id: str | None = None, sender: str = "",
                source_arn: str = "", service: str = "sns.amazonaws.com") -> dict[str, Any]:
        """Enqueue on behalf of another service (SNS fan-out); the SendMessage result. ``source_arn`` (the
        topic) is checked against the queue's policy as AWS does; AccessDenied when it does not allow it."""
        ...


class Topics(Protocol):
    """SNS as other services see it."""

    def publish(self, topic_arn: str, message: str, subject: str | None = None, *,
                attributes: dict[str, Any] | None = None) -> str:
        """Publish ``message`` to the topic with this ARN; the message id.  Raises NotFound & co.
        ``attributes``: message attributes in the API's shape (``{name: {DataType, StringValue}}``), as
        Lambda's dead-letter messages carry them."""
        ...


class ObjectStore(Protocol):
    """S3 as other services see it (Lambda reading function code, failure records written as objects)."""

    def read_object(self, bucket: str, key: str, version_id: str | None = None) -> bytes:
        """The object's bytes; raises S3's NoSuchBucket / NoSuchKey / NoSuchVersion as ServiceErrors."""
        ...

    def write_object(self, bucket: str, key: str, body: bytes, content_type: str = "application/json") -> str:
        """Store ``body`` at ``bucket/key`` (as a PutObject would); its ETag.  Raises NoSuchBucket."""
        ...

    def list_objects(self, bucket: str, prefix: str = "") -> list[str]:
        """The keys of the bucket's current objects that start with ``prefix``, in S3's listing order
        (UTF-8 binary); raises NoSuchBucket."""
        ...


class Destinations(Protocol):
    """Where an invocation record goes: an event source mapping's OnFailure destination, an asynchronous
    invocation's OnSuccess/OnFailure destination, a function's dead-letter queue or topic."""

    def send(self, target_arn: str, body: str, *, object_key: str = "",
             attributes: dict[str, Any] | None = None) -> None:
        """Deliver ``body`` to the queue, topic or bucket ``target_arn`` (a bucket stores it at ``object_key``);
        ``attributes`` (message attributes in the API's shape) go with a queue's or topic's message.  Raises
        ServiceError when it cannot."""
        ...


class FunctionLogs(Protocol):
    """CloudWatch Logs as Lambda sees it: where each invocation's log lines go."""

    def write_function_log(self, account: str, region: str, group: str, stream: str, text: str) -> None:
        """Append ``text`` (one event per line, stamped now) to the stream, creating group and stream."""
        ...


class MetricsSink(Protocol):
    """CloudWatch-shaped data points: namespace, name, dimensions, value, unit; time from the clock."""

    def put(self, namespace: str, name: str, dimensions: dict[str, str], value: float, unit: str = "Count") -> None:
        ...

    def put_values(self, namespace: str, name: str, dimensions: dict[str, str], values: Sequence[float],
                   unit: str = "Count") -> None:
        """Several values of one series at once, stamped now: the same as ``put`` for each, cheaper (what a
        recorder on a hot path hands over after buffering a loop turn's values)."""
        ...


class Permissions(Protocol):
    """IAM as other services see it: roles, trust, and the decision for a principal's request."""

    def role(self, account: str, role_arn: str) -> dict[str, Any] | None:
        """The role an ARN names in ``account`` (IAM's Role shape, documents as text), or None."""
        ...

    def trusts(self, account: str, role_arn: str, principal: str, *, kind: str = "AWS") -> bool:
        """Whether the role's trust policy lets ``principal`` (an ARN, or a service with kind "Service") assume it."""
        ...

    def allowed(self, account: str, principal_arn: str, action: str, resource: str,
                context: Mapping[str, Any] | None = None) -> Decision:
        """The decision for a user, role or role session performing ``action`` on ``resource``."""
        ...

    def decide(self, principal_arn: str, action: str, resource: str, *, resource_policy: str | None = None,
               resource_owner: str = "", context: Mapping[str, Any] | None = None) -> tuple[Decision, str]:
        """The decision for a caller's request with the resource's own policy (JSON text) taken into account, and
        the policy type that refused it ("identity-based", "resource-based"...). A principal of another account
        than ``resource_owner`` needs an Allow on both sides; within one account either suffices."""
        ...

    def access_key_owner(self, access_key: str) -> tuple[str, str, str] | None:
        """``(account, user ARN, user id)`` of an IAM user's long-term access key, or None."""
        ...

    def access_key_secret(self, access_key: str) -> str | None:
        """The secret of an IAM user's active access key (signature verification), or None."""
        ...


class TableKeys(Protocol):
    """DynamoDB as the trigger engine sees it: which customer managed KMS key a stream's table is encrypted with."""

    def stream_table_key(self, stream_arn: str) -> str | None:
        """The key ARN of the stream's table when it is a customer managed key; None (AWS owned or managed)."""
        ...

    def stream_table_accessible(self, stream_arn: str) -> bool:
        """False while the table's customer managed key is disabled or pending deletion."""
        ...


class KeyStates(Protocol):
    """KMS as DynamoDB sees it: whether a table's key can be used now."""

    def key_state(self, key_arn: str) -> str | None:
        """The KeyState ("Enabled", "Disabled", "PendingDeletion"...) of the key an ARN names; None if unknown."""
        ...


class Encryption(Protocol):
    """KMS as Lambda sees it: sealing a function's environment variables with its customer managed key.
    Both raise KMS's errors (DisabledException, KMSInvalidStateException, NotFoundException...)."""

    def encrypt(self, account: str, region: str, key_ref: str, plaintext: bytes,
                context: dict[str, Any] | None) -> tuple[dict[str, Any], bytes]:
        """``(key metadata, ciphertext blob)`` of ``plaintext`` under the key ``key_ref`` names."""
        ...

    def decrypt(self, account: str, region: str, blob: bytes, context: dict[str, Any] | None,
                key_ref: str | None = None) -> tuple[dict[str, Any], bytes]:
        """``(key metadata, plaintext)`` of a blob ``encrypt`` made (the blob names its key)."""
        ...


class Sessions(Protocol):
    """STS as Lambda sees it: the temporary credentials a function's workers run with."""

    def role_credentials(self, account: str, role_arn: str, session_name: str, seconds: int) -> tuple[str, str, str]:
        """``(access key id, secret, session token)`` of a new session of the role named ``session_name``
        (the service assuming its own execution role: the trust was checked when the role was set)."""
        ...


class Identities(Protocol):
    """Who is calling: the owner of an access key (IAM user keys, STS session keys)."""

    def identify(self, access_key: str) -> tuple[str, str] | None:
        """``(account, principal ARN)`` of a key riverbed issued and that is still valid, or None."""
        ...

    def signing_secret(self, access_key: str) -> tuple[str, str, bool] | None:
        """``(secret, session token or "", expired)`` of a key riverbed issued, for SigV4 verification."""
        ...


class RoleGuard(Protocol):
    """The ``--iam`` setting applied to execution roles (enforce: unknown roles pass with a warning)."""

    def lambda_can_assume(self, account: str, role_arn: str) -> bool:
        """False when Lambda must refuse the role ("cannot be assumed by Lambda")."""
        ...

    def missing_actions(self, account: str, role_arn: str, actions: Sequence[str], resource: str) -> list[str]:
        """The actions of ``actions`` the role may not perform on ``resource`` (empty: all allowed)."""
        ...
