"""The run contract every executor calls: one parameter set in, summary and series out."""

from __future__ import annotations

import pandas as pd

from .model import AllianceModel
from .params import Params


def run(params: Params | dict | None = None, *, series: bool = True
        ) -> tuple[dict[str, float], pd.DataFrame | None]:
    """Run the model for ``params.run.months`` months with seed ``params.run.seed``.

    Returns the summary (a plain dict of floats, keys in simulation.OUTCOME_KEYS) and the
    monthly series (a DataFrame with the columns of simulation.outcomes.SERIES), or None
    for the series when ``series`` is False.
    """
    model = AllianceModel(params, agents=False)
    model.advance(model.params.run.months)
    return model.summary(), (model.series_frame() if series else None)
