"""A package's table of contents: the split service areas (copies, destruction,
dossiers, rectification, staff) list in ``CONTENTS`` which module holds each name, so
that a face or the CLI can say ``copies.release`` without knowing the module.

The names are looked up when first used (PEP 562), not imported with the package: the
modules of the service layer import each other's submodules directly, and a table that
imported everything would bring back the cycles that layout forbids
(tests/unit/test_layout.py).
"""
from __future__ import annotations

from collections.abc import Callable
from importlib import import_module


def lookup(package: str, contents: dict[str, str]) -> Callable[[str], object]:
    """The package's module-level ``__getattr__``: ``package.name`` is ``name`` of the
    module ``contents`` gives for it."""

    def __getattr__(name: str):
        module = contents.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(import_module(f"{package}.{module}"), name)

    return __getattr__
