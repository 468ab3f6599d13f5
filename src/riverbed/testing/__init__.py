"""The testing API: ``riverbed.Riverbed`` in-process, with a manual clock and ``drain()``; a pytest plugin."""

from riverbed.testing.api import Riverbed

__all__ = ["Riverbed"]
