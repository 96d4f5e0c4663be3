"""The state of one run and its compiled monthly schedule, without Mesa.

One month is the schedule of docs/ODD.md ("Process overview and scheduling"): the
submodels of :data:`simulation.submodels.ORDER`, always in that order, over the state
arrays. The schedule is compiled as one call (:func:`simulation.kernel.step_month`) so that
a month costs one dispatch, and many months as one loop (:func:`simulation.kernel.run_months`).

:class:`Engine` is what :class:`simulation.AllianceModel` (the Mesa model) steps, and what
:func:`run`, the contract every executor calls, runs alone: a batch of runs then pays
neither Mesa's import (about a second of CPU) nor its clock (an event per month). Both use
the same generator, ``numpy.random.default_rng(params.run.seed)`` (what Mesa builds from
``rng=seed``), so they give the same results.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .initialise import initialise
from .kernel import NO_TIMING, Coefficients, run_months, step_month
from .kernel import coefficients as coefficients_of
from .outcomes import SERIES
from .params import Params
from .summary import summarise

if TYPE_CHECKING:
    import pandas as pd


class Engine:
    """The state of one run (``state``), its coefficients and its monthly series.

    Parameters
    ----------
    params : Params
        Validated parameters.
    rng : numpy.random.Generator
        The run's only source of randomness.
    coefficients : Coefficients or None
        ``simulation.kernel.coefficients(params)``, when the caller has them already (they
        depend on every section but ``run``: a batch of seeds computes them once).
    """

    def __init__(self, params: Params, rng: np.random.Generator, coefficients: Coefficients | None = None):
        self.params = params
        self.rng = rng
        self.state = initialise(params, rng)
        self.coefficients = coefficients_of(params) if coefficients is None else coefficients
        self.month = 0
        self.series = np.zeros((params.run.months, len(SERIES)))
        local = ~self.state.actors["national"]
        self._initial_trust = float(self.state.actors["trust"][local].mean()) if local.any() else 0.0

    def step(self, timing: np.ndarray = NO_TIMING) -> None:
        """One month: every submodel once, in the order of docs/ODD.md. ``timing``, if given
        (a buffer of :data:`simulation.kernel.TIMING` slots), gets each submodel's seconds."""
        self._grow_series(self.month + 1)
        step_month(self.coefficients, self.month, self.state, self.rng, self.series[self.month],
                   timing)
        self.month += 1

    def simulate(self, months: int) -> None:
        """``months`` months in one compiled loop: the same monthly kernel as :meth:`step`."""
        end = self.month + months
        self._grow_series(end)
        run_months(self.month, self.series[self.month:end], self.coefficients, self.state,
                   self.rng)
        self.month = end

    def _grow_series(self, months: int) -> None:
        if months > len(self.series):
            extra = max(12, months - len(self.series))
            self.series = np.vstack([self.series, np.zeros((extra, len(SERIES)))])

    def summary(self) -> dict[str, float]:
        """Every outcome of :data:`simulation.OUTCOMES` for the months simulated so far."""
        return summarise(self.state, self._initial_trust)

    def series_frame(self) -> pd.DataFrame:
        """The monthly series, one row per month simulated, columns :data:`SERIES`."""
        import pandas as pd

        df = pd.DataFrame(self.series[:self.month], columns=list(SERIES))
        df["month"] = df["month"].astype(np.int64)
        return df

    def series_out(self, series: bool | str) -> pd.DataFrame | dict[str, np.ndarray] | None:
        """The series as asked: a DataFrame (True), ``{column: values}`` without pandas
        (``"columns"``; ``month`` as whole numbers, the others as floats) or None (False)."""
        if series == "columns":
            cols = {name: self.series[:self.month, j].copy() for j, name in enumerate(SERIES)}
            cols["month"] = cols["month"].astype(np.int64)
            return cols
        return self.series_frame() if series else None


def run(params: Params | dict | None = None, *, series: bool | str = True,
        coefficients: Coefficients | None = None
        ) -> tuple[dict[str, float], pd.DataFrame | dict[str, np.ndarray] | None]:
    """The run contract: ``params.run.months`` months with seed ``params.run.seed``.

    Returns the summary (a plain dict of floats, keys in :data:`simulation.OUTCOME_KEYS`)
    and the monthly series (a DataFrame with the columns of
    :data:`simulation.outcomes.SERIES`), or None for the series when ``series`` is False
    (``series="columns"``: see :meth:`Engine.series_out`).
    The same as stepping :class:`simulation.AllianceModel` for as many months.
    ``coefficients``: see :class:`Engine`.
    """
    p = params if isinstance(params, Params) else Params.from_dict(params or {})
    engine = Engine(p, np.random.default_rng(p.run.seed), coefficients)
    engine.simulate(p.run.months)
    return engine.summary(), engine.series_out(series)
