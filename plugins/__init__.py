"""The built-in plugins of tirelire, one sub-package each.

Each plugin arrives with its own issue and registers itself through the ``tirelire.plugins``
entry-point group in ``pyproject.toml``, exactly like a third-party plugin would.
"""
