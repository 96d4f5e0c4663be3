"""Helpers of ``alliance bench``: the per-submodel profile and the France-scale child process.

The profile replays :func:`simulation.kernel.step_month` in a compiled copy that reads a
monotonic clock (about 30 ns a reading) between the eleven submodel kernels, calling them in
the same order with the same arguments, on a copy of a fresh model's state (the model itself
is not changed). Timing each kernel from Python instead would be swamped by numba's dispatch:
about 11 us a call just to unbox the random generator, against 1-17 us of work per
submodel-month in the baseline. The replay is checked against the real run: its summary must
equal the model's, otherwise the profile says ``faithful = False`` (``kernel.py`` changed and
:func:`_profiled_month` must follow it). The month's series row is not replayed; its cost
stays in the remainder of the table.
"""

from __future__ import annotations

import copy
import ctypes
import time

import numpy as np
from numba import njit

from simulation import Params
from simulation.engine import Engine
from simulation.kernel import begin_month
from simulation.submodels import (
    ORDER,
    action,
    conflicts,
    elections,
    emergence,
    funding,
    governance,
    learning,
    needs,
    outcomes,
    partner_search,
    scaling,
)
from simulation.submodels.common import A_MONTHS
from simulation.summary import summarise

_libc = ctypes.CDLL(None)
_clock_gettime = _libc.clock_gettime
_clock_gettime.argtypes = [ctypes.c_int, ctypes.c_void_p]
_clock_gettime.restype = ctypes.c_int
CLOCK_MONOTONIC = 1  # Linux


@njit
def _now(buf):
    """Monotonic clock in seconds, read from compiled code (about 30 ns)."""
    _clock_gettime(CLOCK_MONOTONIC, buf.ctypes)
    return buf[0] + buf[1] * 1e-9


@njit
def _profiled_month(cf, month, territories, needs_, neighbours, actors, ini, weights, members,
                    engagement, share, territory_impact, events, acc, nat, regional_foundation,
                    funders, national_first, state_actor, rng, tmp_i, tmp_s, buf, sec):
    """``step_month`` (simulation/kernel.py) without the series row, adding to ``sec[j]`` the
    seconds of submodel ``j`` (in ORDER) and to ``sec[11]`` the month's bookkeeping."""
    t = _now(buf)
    begin_month(territories, actors, acc, nat)
    t1 = _now(buf); sec[11] += t1 - t; t = t1  # noqa: E702
    elections.step(cf[0], month, territories, actors, ini, members, engagement, share, acc, rng)
    t1 = _now(buf); sec[0] += t1 - t; t = t1  # noqa: E702
    needs.step(cf[1], territories, needs_)
    t1 = _now(buf); sec[1] += t1 - t; t = t1  # noqa: E702
    emergence.step(cf[2], territories, needs_, actors, ini, weights, members, engagement, share,
                   acc, rng)
    t1 = _now(buf); sec[2] += t1 - t; t = t1  # noqa: E702
    partner_search.step(cf[3], month, territories, needs_, actors, ini, weights, members,
                        engagement, share, regional_foundation, national_first, state_actor,
                        acc, nat, rng)
    t1 = _now(buf); sec[3] += t1 - t; t = t1  # noqa: E702
    governance.step(cf[4], territories, actors, ini, members, engagement, share, acc, nat, rng)
    t1 = _now(buf); sec[4] += t1 - t; t = t1  # noqa: E702
    funding.step(cf[5], month, territories, needs_, actors, ini, members, share, funders, acc, nat,
                 rng, tmp_i, tmp_s)
    t1 = _now(buf); sec[5] += t1 - t; t = t1  # noqa: E702
    action.step(cf[6], territories, actors, ini, members, engagement, share, acc, nat, rng)
    t1 = _now(buf); sec[6] += t1 - t; t = t1  # noqa: E702
    conflicts.step(cf[7], territories, actors, ini, members, engagement, share, acc, rng)
    t1 = _now(buf); sec[7] += t1 - t; t = t1  # noqa: E702
    outcomes.step(cf[8], territories, needs_, neighbours, actors, ini, weights, members,
                  engagement, share, territory_impact, events, acc, nat, rng)
    t1 = _now(buf); sec[8] += t1 - t; t = t1  # noqa: E702
    scaling.step(cf[9], cf[2], territories, neighbours, actors, ini, weights, members,
                 engagement, share, events, acc, nat, rng)
    t1 = _now(buf); sec[9] += t1 - t; t = t1  # noqa: E702
    learning.step(cf[10], month, territories, actors, ini, members, nat)
    sec[10] += _now(buf) - t
    acc[A_MONTHS] += 1


def profile_runs(params_list: list[Params]) -> dict:
    """Seconds per run spent in initialisation, each submodel, the month's bookkeeping and
    the summary, averaged over ``params_list``; ``faithful`` if every replay's summary
    equals its model's."""
    names = ("initialisation", *ORDER, "bookkeeping", "summary")
    sec = np.zeros(len(ORDER) + 1)
    init = summ = 0.0
    faithful = True
    buf = np.zeros(2, dtype=np.int64)
    for p in params_list:
        t0 = time.perf_counter()
        m = Engine(p, np.random.default_rng(p.run.seed))
        init += time.perf_counter() - t0
        s, lay, rng = copy.deepcopy(m.state), m.layout, copy.deepcopy(m.rng)
        tmp_i, tmp_s = np.zeros_like(m._tmp_i), np.zeros_like(m._tmp_s)
        for month in range(p.run.months):
            _profiled_month(m.coefficients, month, s.territories, s.needs, s.neighbours, s.actors,
                            s.initiatives, s.weights, s.members, s.engagement, s.share,
                            s.territory_impact, s.events, s.acc, s.nat, lay.regional_foundation,
                            lay.funders, lay.national_first, lay.state_actor, rng, tmp_i, tmp_s,
                            buf, sec)
        replay = summarise(s, m._initial_trust)
        for _ in range(p.run.months):
            m.step()
        t0 = time.perf_counter()
        real = m.summary()
        summ += time.perf_counter() - t0
        faithful &= all(replay[k] == real[k] or np.isclose(replay[k], real[k], rtol=1e-12)
                        for k in real)
    n = len(params_list)
    values = [init / n, *(float(x) for x in sec / n), summ / n]
    return {"seconds": dict(zip(names, values, strict=True)), "faithful": bool(faithful)}
