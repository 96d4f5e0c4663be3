"""The headline answers of issue 9 come from mechanisms, and removing a mechanism (a
``mechanisms`` code switch) removes its answer.

Each test runs paired seeds (common random numbers). "It vanishes" is an equivalence test:
the 90% interval of the effect with the mechanism removed lies within a stated margin of the
original effect (``MARGIN`` of it), never "the interval includes 0".
"""

import numpy as np
import pytest
from helpers import outcomes
from scipy import stats

pytestmark = pytest.mark.slow

SEEDS = range(40)
MARGIN = 0.25  # a removed effect keeps at most a quarter of its size


def paired(base: dict, change: dict, key: str, seeds=SEEDS, level=0.95):
    """Mean per-seed difference of ``key`` (base+change minus base), its interval at
    ``level`` and its standard error."""
    a = outcomes(base, seeds)
    b = outcomes({**base, **change}, seeds)
    d = np.array([y[key] - x[key] for x, y in zip(a, b, strict=True)])
    d = d[~np.isnan(d)]  # an outcome undefined in a seed (no success: no scaling rate) is left out
    se = d.std(ddof=1) / np.sqrt(len(d))
    half = stats.t.ppf(0.5 + level / 2, len(d) - 1) * se
    return d.mean(), d.mean() - half, d.mean() + half, se


def mean_of(over: dict, key: str, seeds=SEEDS) -> float:
    return float(np.nanmean([r[key] for r in outcomes(over, seeds)]))


# --- 1. impact from work done ------------------------------------------------------------

def test_cost_per_impact_does_not_depend_on_project_duration():
    """Deliverables accrue with funded months: at equal money per month, a 60-month
    project costs per unit of impact less than twice what a 12-month one does."""
    short = mean_of({"time.project_duration_months": 12}, "cost_per_impact", range(20))
    long = mean_of({"time.project_duration_months": 60}, "cost_per_impact", range(20))
    assert max(short, long) / min(short, long) < 2.0, (short, long)


# --- 2. will, duty and imposition ---------------------------------------------------------

def charter_full() -> dict:
    from simulation.levers import CHARTER_IDS
    return {f"levers.{lid}": 1.0 for lid in CHARTER_IDS}


def test_charter_gains_less_where_actors_want_the_alliance_less():
    """« Le faire alliance ne se décrète pas »: at a quarter of the default will the full
    Charter's relative gain on impact is smaller than at the default will."""
    full = charter_full()
    gains = {}
    for scale in (0.25, 1.0):
        base = {"actors.will_scale": scale}
        gains[scale] = mean_of({**base, **full}, "impact", range(30)) / mean_of(base, "impact", range(30))
    assert gains[0.25] < gains[1.0], gains


def test_an_imposed_charter_does_clearly_worse_than_an_adopted_one():
    """Delevoye: not « une contrainte par une charte qui serait normative et contraignante »:
    the full Charter imposed gives at least 10% less impact than adopted, z >= 2 on 30 seeds."""
    full = charter_full()
    adopted = mean_of(full, "impact", range(30))
    mean, _, _, se = paired(full, {"governance.charter": "imposed"}, "impact", range(30))
    assert mean <= -0.10 * adopted and -mean / se >= 2.0, (mean, se, adopted)


def test_imposition_works_through_crowded_out_will():
    """« Le faire alliance ne se décrète pas »: an imposed Charter acts only through the will it
    crowds out (mechanism ``crowding_out``; the dose haircut ``imposed_dose`` is off by default):
    without it imposed and adopted are the same run. The will crowded out acts mostly through
    the levers' practice (``common.practice``): with ``practice_by_will`` off (levers practised
    in full whatever the will, crowd-out then acting only through fewer initiatives and fewer
    partners) the gap shrinks. Measured (40 seeds): gap -7.36 [-8.44, -6.29] of 31.9, -2.82
    [-3.86, -1.78] with practice_by_will off."""
    full = charter_full()
    imposed = {"governance.charter": "imposed"}
    off = {**full, "mechanisms.crowding_out": False}
    np.testing.assert_equal(outcomes(off, range(3)), outcomes({**off, **imposed}, range(3)))  # NaN-aware
    seeds = range(30)
    gaps = {}
    for name, over in (("will", {}), ("joining", {"mechanisms.practice_by_will": False})):
        a = outcomes({**full, **over}, seeds)
        b = outcomes({**full, **over, **imposed}, seeds)
        gaps[name] = np.array([y["impact"] - x["impact"] for x, y in zip(a, b, strict=True)])
    practice_share = gaps["will"] - gaps["joining"]  # what will's gate on practice carries, per seed
    mean = practice_share.mean()
    half = stats.t.ppf(0.975, len(seeds) - 1) * practice_share.std(ddof=1) / np.sqrt(len(seeds))
    assert mean + half < 0, (mean, half, gaps["will"].mean())
    assert mean <= 0.5 * gaps["will"].mean(), (mean, gaps["will"].mean())


# --- 4. the glass ceiling has causes ------------------------------------------------------

CAUSES = ("information_overload", "holder_legitimacy", "admin_burden_visibility",
          "national_narrative")


def test_doubling_the_budget_alone_does_not_break_the_ceiling():
    """More money multiplies successes (signals), not national attention: the scaling rate
    rises by less than a third of its baseline level (95% interval) and stays under one
    scaling per three successes. On 40 seeds the merged model (fea5875) gave +0.024 with a
    95% half-width of 0.080 (upper bound 0.104 against a third of 0.188): a few runs with
    two or three successes move the rate by a third or more, and 40 seeds could not bound
    it. On 200 paired seeds (the seeds of the causes below): -0.029 [-0.061, +0.003]
    against a third of 0.233 (0.078); rich runs 0.204."""
    base = mean_of({}, "scaling_rate", CEILING_SEEDS)
    mean, _, hi, _ = paired({}, {"funding.budget_scale": 2.0}, "scaling_rate", CEILING_SEEDS)
    assert hi < base / 3, (mean, hi, base)
    assert mean_of({"funding.budget_scale": 2.0}, "scaling_rate", CEILING_SEEDS) < 0.3


#: Removing one cause raises a rate of about 0.27 by 0.06 to 0.36 (200 seeds): on 40 seeds
#: the smallest, the administrative burden's (+0.062 [+0.040, +0.083] on 200), gave
#: +0.040 [-0.008, +0.088], an interval wider than the effect; 200 paired seeds cost ~15 s.
CEILING_SEEDS = range(200)


@pytest.mark.parametrize("cause", CAUSES)
def test_removing_a_cause_of_the_ceiling_raises_scaling(cause):
    mean, lo, hi, _ = paired({}, {f"mechanisms.{cause}": False}, "scaling_rate", CEILING_SEEDS)
    assert lo > 0, (cause, mean, lo, hi)


def test_crowding_out_runs_once_a_month_per_actor_not_per_seat():
    """Review 9b finding 3: an imposed Charter's crowding out was applied once per seat, so an
    actor in two alliances lost will twice as fast. Now each local actor in at least one
    acting alliance loses ``crowd_out`` of its will once a month."""
    from simulation import Params
    from simulation.initialise import initialise
    from simulation.state import ACTING, AGREED
    from simulation.submodels import learning

    p = Params().with_overrides({"governance.charter": "imposed"})
    state = initialise(p, np.random.default_rng(0))
    ini, actors = state.initiatives, state.actors
    first = state.territories["first_actor"][0]
    a, b, idle = [x for x in range(first, first + 10) if not actors["national"][x]][:3]
    ini["status"][:] = AGREED
    state.members[:] = -1
    for i, actor in enumerate((a, a, b)):  # a sits in two acting alliances, b in one
        ini["status"][i] = ACTING
        state.members[i, 0] = actor
    will = actors["will"].copy()
    learning.step(np.array(learning.coefficients(p), dtype=np.float64), 1, state)
    kept = 1.0 - p.constants.crowd_out
    assert actors["will"][a] == pytest.approx(will[a] * kept)
    assert actors["will"][b] == pytest.approx(will[b] * kept)
    assert actors["will"][idle] == will[idle]
