"""Outcomes per territory, read from a run's state (read-only; docs/ODD.md, "Observation").

Issue 9, item 10: « Tous les territoires ont le droit de développer un projet territorial.
Le macro peut les y aider, mais de pas de manière homogène » (seed, synthesis): a user who
modelled her own territories must see which of them gain. Nothing here changes the state or
the kernels: :func:`territory_outcomes` reads the arrays of :class:`simulation.state.State`
at the end of a run (or at any month), and :func:`run_by_territory` is the run contract of
:func:`simulation.run` that also returns them.

Columns (one value per territory, in the order of the territories):

- ``fragility`` (0-1): the territory's fragility, as initialised.
- ``need_before`` (need units): its initial need, summed over the three dimensions (0-3).
- ``need_after`` (need units): its remaining need now, summed over the three dimensions.
- ``impact`` (need units): need reduced in this territory by alliances, its own and its
  neighbours' (signed; the ``impact`` outcome is their sum over territories).
- ``alliance_seats`` (count): seats its own actors took in formed alliances since the
  start (an actor in three alliances counts three; national and regional actors, who
  belong to no territory, are not counted).
- ``alliances_acting`` (count): alliances of this territory acting now.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .state import ACTING

if TYPE_CHECKING:
    import pandas as pd

    from .kernel import Coefficients
    from .params import Params
    from .state import State

#: Columns of :func:`territory_outcomes`, in order.
TERRITORY_COLUMNS: tuple[str, ...] = ("fragility", "need_before", "need_after", "impact",
                                      "alliance_seats", "alliances_acting")


def territory_outcomes(state: State) -> dict[str, np.ndarray]:
    """Each column of :data:`TERRITORY_COLUMNS` as a new array (the state is not changed)."""
    ter = state.territories
    n = len(ter)
    act = state.actors
    local = ~act["national"] & (act["territory"] >= 0)  # regional actors belong to no territory
    seats = np.bincount(act["territory"][local], weights=act["alliances_joined"][local],
                        minlength=n)[:n]
    ini = state.initiatives
    acting = ini["status"] == ACTING
    alive = np.bincount(ini["territory"][acting], minlength=n)[:n]
    return {
        "fragility": ter["fragility"].astype(float),
        "need_before": ter["initial_need"].astype(float),
        "need_after": state.needs.sum(axis=1).astype(float),
        "impact": state.territory_impact.astype(float),
        "alliance_seats": seats.astype(float),
        "alliances_acting": alive.astype(float),
    }


def run_by_territory(params: Params, *, series: bool | str = False, coefficients: Coefficients | None = None
                     ) -> tuple[dict[str, float], pd.DataFrame | dict | None, dict[str, np.ndarray]]:
    """:func:`simulation.run` plus :func:`territory_outcomes` at the end of the run."""
    from .engine import Engine

    engine = Engine(params, np.random.default_rng(params.run.seed), coefficients)
    engine.simulate(params.run.months)
    return (engine.summary(), engine.series_out(series),
            territory_outcomes(engine.state))


def yearly_needs(params: Params, years: int, *, adopt: Params | None = None,
                 adopt_year: int | None = None) -> np.ndarray:
    """Each territory's remaining need (need units) at the end of each year, shape
    ``(years, territories)``: what an evaluator can observe of a territory each year.

    With ``adopt`` and ``adopt_year``, the run uses ``params`` until the end of year
    ``adopt_year - 1`` and ``adopt``'s coefficients from then on (every territory adopts
    that year; the state built so far carries over). Only coefficients change: what
    ``adopt`` would have changed at initialisation does not apply.
    """
    from .engine import Engine
    from .kernel import coefficients

    engine = Engine(params, np.random.default_rng(params.run.seed))
    out = np.zeros((years, len(engine.state.territories)))
    for year in range(years):
        if adopt is not None and year == adopt_year:
            engine.coefficients = coefficients(adopt)
        engine.simulate(12)
        out[year] = engine.state.needs.sum(axis=1)
    return out
