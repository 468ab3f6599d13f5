"""riverbed: DynamoDB tables, DynamoDB Streams and Lambda stream triggers on one laptop.

The public testing API (``riverbed.Riverbed``) is imported lazily so that
``import riverbed`` stays cheap for the server's cold start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from riverbed.testing.api import Riverbed

__version__ = "0.1.0"

__all__ = ["Riverbed", "__version__"]


def __getattr__(name: str) -> type[Riverbed]:  # pragma: no cover - trivial
    if name == "Riverbed":
        from riverbed.testing.api import Riverbed

        return Riverbed
    raise AttributeError(name)
