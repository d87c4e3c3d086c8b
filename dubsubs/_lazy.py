"""Exports loaded on first use (PEP 562), for the packages that keep start-up light.

A package gives a name -> module table (``"check": "rules"``, or a relative path such as
``"..timefmt"``) and takes the ``__getattr__`` this builds. The rule that comes with it: no
export may share a submodule's name. Importing a submodule sets the package attribute of
its name, and a lazily loaded export of that name would then never be looked up.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any


def lazy_exports(package: str, namespace: MutableMapping[str, Any],
                 exports: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package`` that imports each name of ``exports`` from
    its module on first use and keeps it in ``namespace`` (the package's ``globals()``),
    so the next look-up is a plain one."""

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        path = module if module.startswith(".") else f".{module}"
        value = getattr(importlib.import_module(path, package), name)
        namespace[name] = value
        return value

    return __getattr__
