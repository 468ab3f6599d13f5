"""The ``context`` object a handler receives, shaped like the AWS Python runtime's.

Owns: :class:`LambdaContext` and its small companions.  Attribute names,
types and ``repr`` follow the AWS Python runtime interface client
(awslambdaric ``lambda_context.py``): ``memory_limit_in_mb`` is a *string*
there (it is read from ``AWS_LAMBDA_FUNCTION_MEMORY_SIZE``), ``identity`` is
a ``CognitoIdentity`` whose fields are ``None`` when the caller sent none,
``client_context`` is ``None``.

Must not: read the riverbed clock or import anything heavy; it is used inside
the worker process, where the deadline is real elapsed time (AWS kills a
handler on real time, and a test's manual clock must not starve a handler).
"""

from __future__ import annotations

import sys
import time
from typing import Any


class CognitoIdentity:
    __slots__ = ("cognito_identity_id", "cognito_identity_pool_id")

    def __init__(self, identity_id: str | None = None, pool_id: str | None = None) -> None:
        self.cognito_identity_id = identity_id
        self.cognito_identity_pool_id = pool_id

    def __repr__(self) -> str:
        return (f"CognitoIdentity([cognito_identity_id={self.cognito_identity_id},"
                f"cognito_identity_pool_id={self.cognito_identity_pool_id}])")


class LambdaContext:
    """What ``handler(event, context)`` gets as ``context``."""

    def __init__(self, *, aws_request_id: str, function_name: str, function_version: str,
                 invoked_function_arn: str, memory_limit_in_mb: int | str, log_group_name: str,
                 log_stream_name: str, timeout_ms: int, client_context: Any = None,
                 identity: CognitoIdentity | None = None, tenant_id: str | None = None) -> None:
        self.aws_request_id = aws_request_id
        self.log_group_name = log_group_name
        self.log_stream_name = log_stream_name
        self.function_name = function_name
        self.memory_limit_in_mb = str(memory_limit_in_mb)
        self.function_version = function_version
        self.invoked_function_arn = invoked_function_arn
        self.tenant_id = tenant_id
        self.client_context = client_context
        self.identity = identity if identity is not None else CognitoIdentity()
        # Monotonic (real) deadline; see the module docstring.
        self._deadline = time.monotonic() + timeout_ms / 1000.0

    def get_remaining_time_in_millis(self) -> int:
        remaining = int((self._deadline - time.monotonic()) * 1000)
        return max(0, remaining)

    def log(self, msg: object) -> None:
        """Write ``msg`` to the invocation's log, without adding a newline (as AWS does)."""
        sys.stdout.write(str(msg))

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(["
            f"aws_request_id={self.aws_request_id},"
            f"log_group_name={self.log_group_name},"
            f"log_stream_name={self.log_stream_name},"
            f"function_name={self.function_name},"
            f"memory_limit_in_mb={self.memory_limit_in_mb},"
            f"function_version={self.function_version},"
            f"invoked_function_arn={self.invoked_function_arn},"
            f"client_context={self.client_context},"
            f"identity={self.identity},"
            f"tenant_id={self.tenant_id}"
            "])"
        )
