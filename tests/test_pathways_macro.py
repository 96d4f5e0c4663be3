"""The macro/micro funding pathways (issue 9, item 5): a macro that funds results without the
path, and the micro filling the macro's gaps (simulation/submodels/funding.py and
outcomes.py; docs/ODD.md 7.6 and 7.9).

- ``unpaid_path``: under the State's results contracts (``funding.results_contracts``) nobody
  pays for capitalising the path, so the knowledge stock grows less, and with it later
  effectiveness and scaling, while the work funded is the same.
- ``local_gap_filling``: a local partner gives its own staff time to capitalise the path the
  macro left unpaid: the knowledge stock under results contracts depends on it.

Paired seeds (common random numbers: the draw of whether a path is capitalised is the same
in both arms), 95% intervals; "vanishes" is tests.helpers.vanishes with its margin.
"""

import numpy as np
import pytest
from helpers import interval, outcomes

from simulation import Params
from simulation.engine import Engine

pytestmark = pytest.mark.slow

SEEDS = range(40)
RESULTS = {"funding.results_contracts": 1.0}


def knowledge(overrides: dict, seeds=SEEDS) -> list[dict[str, float]]:
    """Each seed's summary plus ``knowledge``, the territories' mean knowledge stock at the end
    of the run (the stock capitalised paths build: outcomes, learning)."""
    out = []
    for s in seeds:
        p = Params().with_overrides({**overrides, "run.seed": s})
        engine = Engine(p, np.random.default_rng(s))
        engine.simulate(p.run.months)
        row = engine.summary()
        row["knowledge"] = float(engine.state.territories["knowledge"].mean())
        out.append(row)
    return out


def paired(a, b, key):
    return interval([y[key] - x[key] for x, y in zip(a, b, strict=True)])


def test_a_macro_funding_results_without_the_path_stalls_the_knowledge_stock():
    """Where the micro does not fill the gap, results contracts leave part of every path they
    funded uncapitalised: the knowledge stock grows less and fewer successes scale (no national
    narrative, nothing for the neighbours to copy). Measured (40 seeds, 120 months, 95%):
    knowledge -0.0082 [-0.0119, -0.0045] of 0.026, scaling rate -0.071 [-0.114, -0.027] of
    0.27, while local successes -0.28 [-1.28, +0.73] of 10.2 and impact -0.17 [-0.46, +0.12]
    of 7.2 do not show it within ten years."""
    base = {**RESULTS, "mechanisms.local_gap_filling": False, "mechanisms.unpaid_path": False}
    a = knowledge(base)
    b = knowledge({**base, "mechanisms.unpaid_path": True})
    k = paired(a, b, "knowledge")
    s = paired(a, b, "scaling_rate")
    assert k[2] < 0 and s[2] < 0, (k, s)


def test_the_micro_fills_the_macro_s_gap_with_its_own_means():
    """Under results contracts, local partners that pay the path's capitalisation out of their
    own staff and money keep the knowledge stock growing: switching the filling on adds
    (40 seeds, 95%) +0.0067 [+0.0031, +0.0102] of knowledge (of 0.018) and +0.071 [+0.030,
    +0.111] of scaling rate; what remains of the stall with the filling on
    (-0.0015 [-0.0037, +0.0006]) is the State's ranking that ignores the evaluation and the
    paths no local partner could pay for."""
    base = {**RESULTS, "mechanisms.unpaid_path": True}
    on = knowledge(base)
    off = knowledge({**base, "mechanisms.local_gap_filling": False})
    k = paired(off, on, "knowledge")
    assert k[1] > 0, k
    paid = knowledge({**RESULTS, "mechanisms.unpaid_path": False})
    stall_filled = paired(paid, on, "knowledge")
    stall_unfilled = paired(paid, off, "knowledge")
    assert abs(stall_filled[0]) < 0.5 * abs(stall_unfilled[0]), (stall_filled, stall_unfilled)  # at least half filled


def test_the_switches_remove_only_the_results_contracts():
    """While the State pays for the path (``results_contracts`` 0, the default), neither switch
    changes any outcome on the same seeds; with results contracts, each does."""
    seeds = range(3)
    for switch in ("unpaid_path", "local_gap_filling"):
        assert outcomes({}, seeds) == outcomes({f"mechanisms.{switch}": False}, seeds), switch
        assert outcomes(RESULTS, seeds) != outcomes({**RESULTS, f"mechanisms.{switch}": False}, seeds), switch
