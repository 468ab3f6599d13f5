"""The request context handed to every service operation.

Owns: who is calling (account, region from the SigV4 credential scope), the
request id, the host the client used (for URLs such as SQS queue URLs) and a
handle on the running application (store, clock, services).

Must not: carry HTTP details beyond the host name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from riverbed.app import App


@dataclass
class RequestContext:
    app: App
    service: str
    operation: str
    account: str
    region: str
    request_id: str
    host: str = "127.0.0.1:4566"
    access_key: str = ""
    internal: bool = False   # True when a service calls another in-process (not over HTTP)

    @property
    def store(self) -> Any:
        return self.app.store

    @property
    def clock(self) -> Any:
        return self.app.clock


def credential_scope(authorization: str | None) -> tuple[str, str, str, str] | None:
    """``(access_key, date, region, service)`` from a SigV4 ``Authorization`` header."""
    if not authorization:
        return None
    idx = authorization.find("Credential=")
    if idx < 0:
        return None
    cred = authorization[idx + 11:]
    end = cred.find(",")
    if end >= 0:
        cred = cred[:end]
    parts = cred.strip().split("/")
    if len(parts) < 5:
        return None
    return parts[0], parts[1], parts[2], parts[3]
