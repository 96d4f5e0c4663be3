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
from helpers import interval, outcomes, vanishes

from simulation import Params
from simulation.engine import Engine
from simulation.submodels.common import N_SHARED_KNOWLEDGE

pytestmark = pytest.mark.slow

SEEDS = range(100)  # the scaling rate's 40-seed interval is as wide as its effect
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


STALL_SEEDS = range(400)  # a 100-seed block's scaling-rate interval is as wide as the effect


def test_a_macro_funding_results_without_the_path_stalls_the_knowledge_stock():
    """Where the micro does not fill the gap, results contracts leave part of every path they
    funded uncapitalised: the knowledge stock grows less and fewer successes scale (no national
    narrative, nothing for the neighbours to copy), while the results look as good.
    Measured on s19-9b's branch (100 seeds, 120 months, 95%): knowledge -0.0064 [-0.0086,
    -0.0042] of 0.0245, scaling rate -0.049 [-0.081, -0.017] of 0.23, local successes -0.25
    [-0.86, +0.36] of 10.2. On the merged model (fea5875) seeds 0-99 showed the knowledge
    stall (-0.0032 [-0.0058, -0.0005]) but not the scaling rate's (-0.0065 [-0.047, +0.035]);
    by block of 100 seeds the scaling-rate stall ran -0.0065, -0.041, -0.048, -0.080: the test
    was underpowered, so it now reads 400 paired seeds: knowledge -0.0045 [-0.0057, -0.0032]
    of 0.022, scaling rate -0.044 [-0.063, -0.025] of 0.24, impact -0.14 [-0.23, -0.05]."""
    base = {**RESULTS, "mechanisms.local_gap_filling": False, "mechanisms.unpaid_path": False}
    a = knowledge(base, STALL_SEEDS)
    b = knowledge({**base, "mechanisms.unpaid_path": True}, STALL_SEEDS)
    k = paired(a, b, "knowledge")
    s = paired(a, b, "scaling_rate")
    assert k[2] < 0 and s[2] < 0, (k, s)


def test_the_micro_fills_the_macro_s_gap_with_its_own_means():
    """Under results contracts, local partners that pay the path's capitalisation out of their
    own staff and money keep the knowledge stock growing: switching the filling on adds
    (100 seeds, 95%) +0.0063 [+0.0041, +0.0084] of knowledge (of 0.018), +0.054 [+0.024,
    +0.085] of scaling rate and +0.15 [+0.02, +0.28] of impact; with the filling on the stall
    is -0.0002 [-0.0020, +0.0016] (against -0.0064 without it)."""
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
    changes any outcome on the same seeds; with results contracts, each does.

    With results contracts the switches are looked at on 10 seeds, not 3: on the merged model
    (fea5875) few projects paid by results contracts end and are drawn to be capitalised (seed
    0: 5 of 10 ends in 120 months, 1 drawn), so ``local_gap_filling`` changed no outcome on
    seeds 0-2 (in seed 0 a partner did fill 0.61 of one path, 0.31 FTE-month and 1.2 k€, but
    that path was capitalised in the other arm too); it changes them on seeds 5, 7, 9, 10 and
    11 of 0-11. ``unpaid_path`` changes them on seeds 0 and 2."""
    seeds, results_seeds = range(3), range(10)
    for switch in ("unpaid_path", "local_gap_filling"):
        assert outcomes({}, seeds) == outcomes({f"mechanisms.{switch}": False}, seeds), switch
        assert (outcomes(RESULTS, results_seeds)
                != outcomes({**RESULTS, f"mechanisms.{switch}": False}, results_seeds)), switch


LONG = 240  # months: review 9c finding 6 found no consequence over 10 or 20 years
#: Power calculation written before the test was run, from a pilot on seeds 0-39 (240 months):
#: the knowledge later alliances draw on (``lift`` below, 0.258 with the path paid) fell by
#: 0.030 [-0.051, -0.010] with the path unpaid and unfilled (per-seed sd 0.065), and the
#: filling gave back +0.034 (sd 0.077); 95% two-sided, 90% power:
#: helpers.power_seeds(0.065, 0.030) = 48 and power_seeds(0.077, 0.034) = 56: 100 fresh seeds.
LONG_SEEDS = range(100, 200)
UNFILLED = {**RESULTS, "mechanisms.local_gap_filling": False}


def lift(overrides: dict, seeds=LONG_SEEDS) -> list[dict[str, float]]:
    """Per seed, at the end of 20 years, the knowledge a new alliance's effectiveness draws on
    (simulation/submodels/action.py: ``1 + knowledge + research``, national shared knowledge
    reaching it in proportion to steering): territories' mean knowledge plus ``macro_steering``
    times the national shared knowledge; with the run's impact."""
    out = []
    for s in seeds:
        p = Params().with_overrides({**overrides, "run.seed": s, "run.months": LONG})
        engine = Engine(p, np.random.default_rng(s))
        engine.simulate(LONG)
        row = engine.summary()
        row["lift"] = (float(engine.state.territories["knowledge"].mean())
                       + p.governance.macro_steering * float(engine.state.nat[N_SHARED_KNOWLEDGE]))
        out.append(row)
    return out


def test_over_20_years_an_unpaid_path_leaves_later_alliances_less_knowledge():
    """Results contracts with nobody filling the gap (``local_gap_filling`` off) against the
    State paying the path (``results_contracts`` 0): the knowledge later alliances draw on
    falls after 20 years. Knockout: with ``unpaid_path`` removed, results contracts are
    ordinary grants and the effect vanishes (tests.helpers.vanishes, margin 25%).
    Measured (seeds 100-199, 95%): see docs/ODD.md 7.6."""
    paid = lift({**UNFILLED, "funding.results_contracts": 0.0})
    effect = paired(paid, lift(UNFILLED), "lift")
    assert effect[2] < 0, effect
    knocked = paired(paid, lift({**UNFILLED, "mechanisms.unpaid_path": False}), "lift")
    assert vanishes(knocked, effect), (knocked, effect)


def test_over_20_years_the_micro_s_filling_gives_later_alliances_that_knowledge_back():
    """Under results contracts, local partners paying the path's capitalisation keep what later
    alliances know (filling on minus off, 20 years, seeds 100-199, 95%; docs/ODD.md 7.9)."""
    on = lift(RESULTS)
    effect = paired(lift(UNFILLED), on, "lift")
    assert effect[1] > 0, effect


LOCAL = {"funding.local_grant_share": 0.25}


def test_local_authorities_own_grants_lower_the_state_s_part_of_public_money():
    """Local executives' own yearly grant programmes (``local_grants``) put local public money
    into associations' projects besides their partnerships: the State's part of public money
    falls (30 seeds, 95%: -0.090 [-0.097, -0.083] of 0.874 at a quarter of their means) and
    the calibration bands of tests/test_calibration.py still hold (means over the seeds)."""
    seeds = range(30)
    off = outcomes({**LOCAL, "mechanisms.local_grants": False}, seeds)
    on = outcomes(LOCAL, seeds)
    d = paired(off, on, "state_public_money_share")
    assert d[2] < 0, d
    from test_calibration import BANDS
    for key, (low, high) in BANDS.items():
        assert low <= np.nanmean([r[key] for r in on]) <= high, key


def test_the_local_grants_switch_acts_only_with_a_programme():
    seeds = range(3)
    assert outcomes({}, seeds) == outcomes({"mechanisms.local_grants": False}, seeds)
    assert outcomes(LOCAL, seeds) != outcomes({**LOCAL, "mechanisms.local_grants": False}, seeds)


def test_the_ceiling_s_attention_and_recognition_cap_are_runtime_constants():
    """Review-9b finding 2: a scenario or spec can set them (ODD 7.10 shows the ceiling over
    their ranges); at a wider attention scaling is more frequent."""
    seeds = range(3)
    base = outcomes({}, seeds)
    assert outcomes({"constants.recognition_capacity": 3.0}, seeds) != base
    wide = outcomes({"constants.attention": 0.08}, seeds)
    assert sum(r["scaling_rate"] for r in wide) > sum(r["scaling_rate"] for r in base)
