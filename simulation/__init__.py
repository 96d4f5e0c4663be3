"""Micro/macro co-construction in territories: an agent-based model on Mesa 3.

Public interface::

    from simulation import AllianceModel, Params, LEVERS, OUTCOMES, run
    summary, series = run(Params())           # seed is params.run.seed
"""

from .levers import LEVER_IDS, LEVERS, Lever
from .model import AllianceModel
from .outcomes import OUTCOME_KEYS, OUTCOMES
from .params import ParameterError, Params
from .run import run

__all__ = ["AllianceModel", "LEVERS", "LEVER_IDS", "Lever", "OUTCOMES", "OUTCOME_KEYS",
           "ParameterError", "Params", "run"]
