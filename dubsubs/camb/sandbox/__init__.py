"""A local stand-in for the Camb.ai API, in three parts: :mod:`.server` (the
:class:`Sandbox`: its data, its API logic and its request log), :mod:`.handlers` (the HTTP
side) and :mod:`.faults` (misbehaviours on purpose, each bounded)."""

from __future__ import annotations

from .faults import Fault, FaultKind, RequestRecord, iter_faults
from .server import DEFAULT_DATA_DIR, Sandbox, default_data_dir

__all__ = [
    "DEFAULT_DATA_DIR",
    "Fault",
    "FaultKind",
    "RequestRecord",
    "Sandbox",
    "default_data_dir",
    "iter_faults",
]
