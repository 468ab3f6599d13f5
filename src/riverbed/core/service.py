"""How a service joins the house: its description for the gateway, and the parts it adds to the app.

Owns: :class:`ServiceDescription` — everything the gateway needs to serve one AWS service, as data:
the botocore model name, the protocol, the operation table and the backend the operations work on,
and the service's wire quirks (JSON target and error prefixes, SigV4 signing names for the query
protocol, a member filled from the request path, legacy query element names, the validation dialect,
members whose enum the service checks in its own words) — and :class:`Component`, what a service's
``wiring.build(...)`` returns to the composition root: its descriptions, background loops, stop and
reset hooks, drain probes and control routes.

Must not: import the wire layer or any service; the gateway reads these values, it never branches on
a service's name.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from riverbed.core.context import RequestContext
from riverbed.core.payload import PayloadSink

Request = dict[str, Any]
Result = dict[str, Any]
Operation = Callable[[RequestContext[Any], Request], Result | Awaitable[Result]]
LoopFactory = Callable[[], Awaitable[None]]
Hook = Callable[[], Any]
Probe = Callable[[], list[str]]


@dataclass
class ServiceDescription:
    """One AWS service (or a group of its operations) as the gateway serves it.

    A second description with the same ``name`` adds its operations to the first one's, each keeping
    its own backend (Lambda's event-source-mapping actions are served by the triggers component).
    """

    name: str                          # botocore service name, e.g. "dynamodb"
    protocol: str                      # "json" | "rest-json" | "query" | "rest-xml"
    operations: dict[str, Operation]
    backend: Any = None                # handed to operations as ``ctx.backend``
    target_prefix: str = ""            # JSON protocols: X-Amz-Target prefix
    error_prefix: str = ""             # JSON protocols: "__type" namespace ("com.amazonaws.dynamodb.v20120810#")
    json_version: str = "1.0"
    signing_names: tuple[str, ...] = ()    # query and rest-xml protocols: SigV4 service names routed here
    # rest-xml: host names ``<label>.<suffix>[:port]`` address the service with the first label filling
    # the first path label (S3's virtual-hosted-style ``bucket.localhost:4566``).
    virtual_host_suffixes: tuple[str, ...] = ()
    # rest-xml: query parameters that, all present, mark a request presigned with the older signature
    # version 2 (S3's ``AWSAccessKeyId``/``Signature``/``Expires``), which names no service.
    presigned_v2_params: tuple[str, ...] = ()
    # Wire quirks, as data:
    query_error_headers: bool = False      # awsQueryCompatible JSON (SQS): x-amzn-query-error header
    path_member: str = ""                  # query posts to a non-root path name this member (SQS QueueUrl)
    legacy_query_names: dict[str, Any] = field(default_factory=dict)   # shape -> flattened element names
    xml_namespace: str = ""                # query answers: the namespace when the model has none
    validation_style: str = "coral"        # validator dialect: coral | lambda | sqs | query | iam
    validation_package: str = ""           # older Coral: the Java package its type errors name
    service_checked_enums: frozenset[str] = frozenset()   # members whose enum the service checks itself
    validate: bool = True
    # --iam strict: the action prefix (the signing service: DynamoDB Streams' actions are dynamodb:*), the
    # ARNs a request acts on (core.authorization.ResourceNamer; None: "*"), the operations that need no
    # permission (sts:GetCallerIdentity), and the service's AccessDenied code and HTTP status.
    action_prefix: str = ""
    resources: Callable[[str, str, str, dict[str, Any]], list[str]] | None = None
    unauthorized_operations: frozenset[str] = frozenset()
    access_denied: tuple[str, int] = ("AccessDeniedException", 400)
    # The resource-based policy (JSON text) of a resource ARN, or None: a table's or stream's
    # (PutResourcePolicy), a queue's or topic's Policy attribute. Requests from another account need it.
    resource_policy: Callable[[str], str | None] | None = None
    # Operations whose IAM action is named otherwise (Lambda's Invoke is lambda:InvokeFunction).
    action_names: dict[str, str] = field(default_factory=dict)
    max_request_bytes: int = 16 * 1024 * 1024 + 65536   # larger bodies are refused as they arrive
    # PUT bodies spooled to a file as they arrive instead of held in memory (S3): given the request's
    # lower-case headers, a ``core.payload.PayloadSink``; the blob payload member is then a ``Payload``.
    body_sink: Callable[[dict[str, str]], PayloadSink] | None = None
    # The error answered when the store aborts a request that conflicted with a concurrent one on another
    # node (``storage.StoreConflict``); None: InternalServerError (500), which AWS SDKs retry.
    conflict_error: Callable[[], Exception] | None = None


@dataclass
class Component:
    """What one service (or core part) adds to the app; the composition root collects these."""

    name: str
    descriptions: list[ServiceDescription] = field(default_factory=list)
    loops: list[tuple[str, LoopFactory]] = field(default_factory=list)
    on_stop: list[Hook] = field(default_factory=list)
    on_reset: list[Hook] = field(default_factory=list)
    pending: list[Probe] = field(default_factory=list)
