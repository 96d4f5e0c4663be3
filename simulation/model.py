"""The Mesa model: territories, actors and alliances stepping month by month.

The model knows nothing of files, the command line, executors or the browser. All
randomness goes through Mesa's generator ``self.rng``, seeded from ``params.run.seed``.
The state and the compiled monthly schedule are :class:`simulation.engine.Engine`'s; this
class puts them on Mesa's clock, gives each actor a Mesa agent and presents the monthly
series as a DataCollector does.
"""

from __future__ import annotations

import mesa
import numpy as np
import pandas as pd

from .agents import Actor
from .engine import Engine
from .outcomes import SERIES
from .params import Params
from .submodels import ORDER


class AllianceModel(mesa.Model):
    """Micro/macro co-construction in territories (docs/ODD.md).

    Parameters
    ----------
    params : Params, dict or None
        The parameters (a partial dict is laid over the defaults); ``run.seed`` seeds the
        model's generator and ``run.months`` is the length of a run.
    agents : bool
        Create one Mesa agent per actor (:class:`simulation.agents.Actor`, a view over its
        row of the arrays). The dynamics do not depend on them.

    Attributes
    ----------
    month : int
        Months simulated; equal to Mesa's ``steps`` (and ``time``) after :meth:`step`,
        :meth:`advance` and Mesa's ``run_for``.
    datacollector : SeriesTable
        The monthly series, read as from a ``mesa.DataCollector``
        (``model.datacollector.get_model_vars_dataframe()``).
    """

    #: The submodels of one month, in order (docs/ODD.md, "Submodels").
    schedule = ORDER

    def __init__(self, params: Params | dict | None = None, *, agents: bool = True):
        p = params if isinstance(params, Params) else Params.from_dict(params or {})
        super().__init__(rng=p.run.seed)
        self.params = p
        self.engine = Engine(p, self.rng)
        self._catching_up = 0  # months advance() simulated that Mesa's clock has yet to count
        self.datacollector = SeriesTable(self)
        if agents:
            n = len(self.state.actors)
            Actor.create_agents(self, n, index=list(range(n)))

    @property
    def state(self):
        """The state arrays (:class:`simulation.state.State`)."""
        return self.engine.state

    @property
    def coefficients(self):
        """Every submodel's coefficients (:class:`simulation.kernel.Coefficients`)."""
        return self.engine.coefficients

    @property
    def month(self) -> int:
        return self.engine.month

    @property
    def series(self) -> np.ndarray:
        return self.engine.series

    def step(self) -> None:
        """One month on Mesa's clock: every submodel of :attr:`schedule` once, in order.

        Mesa counts the step (``model.steps``) before calling this; months that
        :meth:`advance` has already simulated are only counted. A state moved outside Mesa's
        clock (``model.engine.simulate``) is refused rather than silently left out of step.
        """
        if self._catching_up > 0:
            self._catching_up -= 1  # simulated by advance(): Mesa's clock is catching up
            return
        if self.engine.month != self.steps - 1:
            raise RuntimeError(
                f"the model is at month {self.engine.month} but Mesa's clock at step {self.steps - 1}: "
                "move it with step() or advance(), not engine.simulate()")
        self.engine.step()

    def advance(self, months: int) -> None:
        """``months`` months in one compiled loop, then Mesa's clock moves by as many steps,
        so that ``model.steps == model.month`` as after ``months`` calls of :meth:`step`.
        The dynamics are those of :meth:`step` (the same monthly kernel). Events scheduled on
        Mesa's clock in between run after the months, on the final state."""
        self.engine.simulate(months)
        self._catching_up = months
        self.run_for(months)
        self._catching_up = 0

    def completions(self) -> list[tuple[int, int, bool]]:
        """The alliances that reached the end of their project in the last month simulated,
        as ``(territory, need dimension, succeeded)``, in the order they ended (read-only: the
        outcomes submodel's record of the month, which the scaling submodel reads)."""
        from .state import E_DIM, E_SUCCESS, E_TERRITORY, N_EVENTS

        s = self.state
        return [(int(e[E_TERRITORY]), int(e[E_DIM]), bool(e[E_SUCCESS] > 0.5))
                for e in s.events[:int(s.nat[N_EVENTS])]]

    def summary(self) -> dict[str, float]:
        """Every outcome of :data:`simulation.OUTCOMES` for the months simulated so far."""
        return self.engine.summary()

    def series_frame(self) -> pd.DataFrame:
        """The monthly series, one row per month simulated, columns :data:`SERIES`."""
        return self.engine.series_frame()


class SeriesTable:
    """The model's monthly series in the shape of ``mesa.DataCollector``.

    The series are computed by the compiled monthly kernel (one row a month, columns
    :data:`simulation.outcomes.SERIES`), so nothing is collected from Python; this object
    presents them as a Mesa user reads a DataCollector.
    """

    def __init__(self, model: AllianceModel):
        self._model = model

    @property
    def model_vars(self) -> dict[str, list[float]]:
        """``{series: [value per month]}``, as ``DataCollector.model_vars``."""
        rows = self._model.series[:self._model.month]
        return {name: rows[:, j].tolist() for j, name in enumerate(SERIES) if name != "month"}

    def get_model_vars_dataframe(self) -> pd.DataFrame:
        """One row per step (index ``Step``, from 1), one column per series."""
        df = self._model.series_frame().drop(columns="month")
        df.index = pd.RangeIndex(1, len(df) + 1, name="Step")
        return df

    def get_agent_vars_dataframe(self) -> pd.DataFrame:
        """The actors' traits now, one row per agent (index ``AgentID``); the arrays keep no
        month-by-month history of agents."""
        model = self._model
        df = pd.DataFrame(model.state.actors)
        agents = sorted(model.agents, key=lambda a: a.index)
        ids = [a.unique_id for a in agents] if len(agents) == len(df) else range(1, len(df) + 1)
        df.index = pd.Index(list(ids), name="AgentID")
        return df
