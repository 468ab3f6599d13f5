"""The request context handed to every service operation.

Owns: who is calling (account and principal: the access key's owner; region from the SigV4 credential
scope; the access key), the request
id, the host the client used (for URLs such as SQS queue URLs), the clock and the store, and the
*backend*: the service's own state object (``DynamoDB``, ``SqsService`` ...), typed per service as
``RequestContext[DynamoDB]`` so that an operation and mypy both see what it works on.

Must not: carry HTTP details beyond the host name, or a handle on the whole application (a service
reaches other services only through the interfaces in :mod:`riverbed.core.interfaces`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:  # pragma: no cover
    from riverbed.clock import Clock
    from riverbed.storage.base import Store

B = TypeVar("B")


@dataclass
class RequestContext(Generic[B]):
    backend: B
    store: Store
    clock: Clock
    service: str
    operation: str
    account: str
    region: str
    request_id: str
    host: str = "127.0.0.1:4566"
    access_key: str = ""
    principal: str = ""      # the caller's ARN: root, an IAM user, or a role session (assumed-role/ROLE/NAME)
    internal: bool = False   # True when a service calls another in-process (not over HTTP)
