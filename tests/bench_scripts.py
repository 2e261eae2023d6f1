"""The measuring scripts of bench/, loaded as modules for the tests that share their code."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parents[1] / "bench"


def bench_module(script: str) -> ModuleType:
    """``bench/<script>.py`` as a module, loaded once (the scripts import their siblings,
    so bench/ goes on the path)."""
    name = f"caveat_bench_{script}"
    if name in sys.modules:
        return sys.modules[name]
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{script}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
