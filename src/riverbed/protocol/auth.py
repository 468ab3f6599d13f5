"""Who signed a request: the SigV4 ``Authorization`` header's credential scope.

Owns: reading ``Credential=AKID/date/region/service/aws4_request`` out of the header.

Must not: decide what a caller may do (that is IAM's part).
"""

from __future__ import annotations


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
