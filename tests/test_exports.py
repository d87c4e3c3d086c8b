"""Every exported name of a lazily loading package is what it says, whatever was imported
before: a submodule that shares an export's name must never replace the export."""

from __future__ import annotations

import subprocess
import sys

CHECK = """
import importlib, pkgutil, types
import dubsubs, dubsubs.style
for package in (dubsubs, dubsubs.style):
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        if not info.name.endswith("__main__") and ".data" not in info.name:
            importlib.import_module(info.name)   # every submodule first
for package in (dubsubs, dubsubs.style):
    for name in package.__all__:
        value = getattr(package, name)
        assert not isinstance(value, types.ModuleType), f"{package.__name__}.{name} is a module"
from dubsubs.style import check, conform
from dubsubs import normalize
assert callable(check) and callable(conform) and callable(normalize)
print("ok")
"""


def test_exports_are_never_shadowed_by_submodules() -> None:
    result = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr[-2000:]


def test_a_fetched_run_gets_its_review_page_when_style_check_loaded_first() -> None:
    # The shape of the bug this guards: the review page imported `check` from
    # dubsubs.style after the module defining it had been imported.
    code = ("import dubsubs.style.rules, dubsubs.style.fitting\n"
            "from dubsubs.style import check, conform\n"
            "assert callable(check) and callable(conform)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
