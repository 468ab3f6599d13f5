"""The ``riverbed`` command: thin commands over the library."""
