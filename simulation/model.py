"""The Mesa model: territories, actors and alliances stepping month by month.

The model knows nothing of files, the command line, executors or the browser. All
randomness goes through Mesa's generator ``self.rng``, seeded from ``params.run.seed``.
"""

from __future__ import annotations

import mesa
import numpy as np
import pandas as pd

from .agents import Actor
from .compiled import ensure_fresh_cache
from .initialise import initialise
from .kernel import coefficient_table, run_months, step_month
from .outcomes import SERIES
from .params import Params
from .summary import summarise


class AllianceModel(mesa.Model):
    """Micro/macro co-construction in territories (docs/ODD.md).

    Parameters
    ----------
    params : Params, dict or None
        The parameters (a partial dict is laid over the defaults); ``run.seed`` seeds the
        model's generator and ``run.months`` is the default length of :meth:`run`.
    agents : bool
        Create one Mesa agent per actor (thin views over the arrays). Sweeps that only need
        the summary can skip them: the dynamics do not depend on them.
    """

    def __init__(self, params: Params | dict | None = None, *, agents: bool = True):
        p = params if isinstance(params, Params) else Params.from_dict(params or {})
        ensure_fresh_cache()
        super().__init__(rng=p.run.seed)
        self.params = p
        self.state, self.layout = initialise(p, self.rng)
        self.coefficients = coefficient_table(p)
        self.month = 0
        self.series = np.zeros((p.run.months, len(SERIES)))
        self._tmp_i = np.zeros(len(self.state.initiatives), dtype=np.int64)
        self._tmp_s = np.zeros(len(self.state.initiatives))
        self._initial_trust = float(self.state.actors["trust"][~self.state.actors["national"]].mean()) \
            if (~self.state.actors["national"]).any() else 0.0
        if agents:
            Actor.create_agents(self, len(self.state.actors), index=list(range(len(self.state.actors))))

    def step(self) -> None:
        """One month: every submodel once, in the order of docs/ODD.md."""
        s, lay = self.state, self.layout
        if self.month >= len(self.series):
            self.series = np.vstack([self.series, np.zeros((12, len(SERIES)))])
        step_month(self.coefficients, self.month, s.territories, s.needs, s.neighbours, s.actors,
                   s.initiatives, s.weights, s.members, s.engagement, s.share, s.territory_impact,
                   s.events, s.acc, s.nat, lay.regional_foundation, lay.funders, lay.national_first,
                   lay.state_actor, self.rng, self._tmp_i, self._tmp_s, self.series[self.month])
        self.month += 1

    def advance(self, months: int) -> None:
        """``months`` months at once, outside Mesa's clock: what :func:`simulation.run` uses.
        The dynamics are those of :meth:`step` (the same compiled monthly kernel)."""
        s, lay = self.state, self.layout
        end = self.month + months
        if end > len(self.series):
            self.series = np.vstack([self.series, np.zeros((end - len(self.series), len(SERIES)))])
        run_months(self.month, self.series[self.month:end], self.coefficients, s.territories,
                   s.needs, s.neighbours, s.actors, s.initiatives, s.weights, s.members,
                   s.engagement, s.share, s.territory_impact, s.events, s.acc, s.nat,
                   lay.regional_foundation, lay.funders, lay.national_first, lay.state_actor,
                   self.rng, self._tmp_i, self._tmp_s)
        self.month = end

    def summary(self) -> dict[str, float]:
        return summarise(self.state, self._initial_trust)

    def series_frame(self) -> pd.DataFrame:
        df = pd.DataFrame(self.series[:self.month], columns=list(SERIES))
        df["month"] = df["month"].astype(np.int64)
        return df
