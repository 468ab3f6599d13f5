"""The Lambda execution runtime: functions run as real Python handlers in warm worker processes.

Exports :class:`Runtime` (the one invoker), :class:`FunctionSpec` and
:class:`InvocationResult`.  They are resolved lazily: the worker process
(``python -m riverbed.runtime.child``) imports this package first, and must not
pay for asyncio or the pool before the user's handler is loaded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from riverbed.runtime.pool import Runtime
    from riverbed.runtime.spec import FunctionSpec, InvocationResult

__all__ = ["FunctionSpec", "InvocationResult", "Runtime"]


def __getattr__(name: str) -> Any:
    if name == "Runtime":
        from riverbed.runtime.pool import Runtime

        return Runtime
    if name in ("FunctionSpec", "InvocationResult"):
        from riverbed.runtime import spec

        return getattr(spec, name)
    raise AttributeError(name)
