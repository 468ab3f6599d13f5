"""STS's operation table."""

from __future__ import annotations

from riverbed.core.service import Operation
from riverbed.services.sts.operations import identity

OPERATIONS: dict[str, Operation] = {
    "GetCallerIdentity": identity.get_caller_identity,
    "AssumeRole": identity.assume_role,
    "GetSessionToken": identity.get_session_token,
}
