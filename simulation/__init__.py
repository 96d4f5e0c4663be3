"""Micro/macro co-construction in territories: an agent-based model on Mesa 3.

Public interface::

    from simulation import AllianceModel, Params, LEVERS, OUTCOMES, run
    summary, series = run(Params())           # seed is params.run.seed

Names are imported on first use (PEP 562), so reading the lever or outcome registry does
not pay for Mesa, numba and pydantic: ``from simulation import LEVERS`` loads
``simulation/levers.py`` alone.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

#: Public name -> the module of this package that defines it.
_HOME = {
    "AllianceModel": "model",
    "LEVERS": "levers", "LEVER_IDS": "levers", "Lever": "levers",
    "OUTCOMES": "outcomes", "OUTCOME_KEYS": "outcomes",
    "ParameterError": "params", "Params": "params",
    "run": "engine",
}

__all__ = ["AllianceModel", "LEVERS", "LEVER_IDS", "Lever", "OUTCOMES", "OUTCOME_KEYS",
           "ParameterError", "Params", "run"]

if TYPE_CHECKING:
    from .engine import run
    from .levers import LEVER_IDS, LEVERS, Lever
    from .model import AllianceModel
    from .outcomes import OUTCOME_KEYS, OUTCOMES
    from .params import ParameterError, Params


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'simulation' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{home}", __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOME})
