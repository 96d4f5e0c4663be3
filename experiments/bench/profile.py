"""The per-submodel profile of ``alliance bench``.

Each run is stepped month by month through :meth:`simulation.engine.Engine.step` with a
timing buffer: the monthly kernel itself (:func:`simulation.kernel.step_month`) reads a
monotonic clock (about 30 ns a reading) between its submodels, so the profile times the
model's own schedule, not a copy of it. Timing each kernel from Python instead would be
swamped by numba's dispatch (about 11 us a call against 1-17 us of work per submodel-month in
the baseline). ``faithful`` checks that timing changes nothing: the timed run's summary must
equal the untimed run's.
"""

from __future__ import annotations

import time

import numpy as np

from simulation import Params
from simulation.engine import Engine
from simulation.kernel import TIMING


def profile_runs(params_list: list[Params]) -> dict:
    """Seconds per run spent in initialisation, each submodel, the month's bookkeeping and
    the summary, averaged over ``params_list``; ``faithful`` if every timed run's summary
    equals its untimed run's."""
    names = ("initialisation", *TIMING, "summary")
    sec = np.zeros(len(TIMING))
    init = summ = 0.0
    faithful = True
    for p in params_list:
        t0 = time.perf_counter()
        m = Engine(p, np.random.default_rng(p.run.seed))
        init += time.perf_counter() - t0
        for _ in range(p.run.months):
            m.step(sec)
        t0 = time.perf_counter()
        timed = m.summary()
        summ += time.perf_counter() - t0
        untimed = Engine(p, np.random.default_rng(p.run.seed))
        untimed.simulate(p.run.months)
        faithful &= untimed.summary() == timed
    n = len(params_list)
    values = [init / n, *(float(x) for x in sec / n), summ / n]
    return {"seconds": dict(zip(names, values, strict=True)), "faithful": bool(faithful)}
