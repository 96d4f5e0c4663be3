"""The headline answers of issue 9 come from mechanisms, and removing a mechanism (a
``mechanisms`` code switch) removes its answer.

Each test runs paired seeds (common random numbers). "It vanishes" is an equivalence test:
the 90% interval of the effect with the mechanism removed lies within a stated margin of the
original effect (``MARGIN`` of it), never "the interval includes 0".
"""

import functools

import numpy as np
import pytest
from helpers import interval, outcomes, vanishes
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


def test_work_done_together_lowers_the_hazard_of_long_projects():
    """Review 9b, finding 3b: with constant monthly hazards 60-month projects survived 11%.
    The frictions that drive partners out (path frustration, coordination strain,
    unfairness) now weigh less as the partners' work together grows (mechanism
    ``work_cement``, Fichman & Levinthal 1991), so the monthly hazard of exits falls with an
    alliance's age in work. Measured (40 paired seeds, session 20, on minus off): survival
    of 12-month projects -0.004 [-0.015, +0.008] (0.82), 36-month +0.048 [+0.028, +0.069]
    (0.22 -> 0.27), 60-month +0.029 [+0.015, +0.044] (0.075 -> 0.104). Survival still falls
    with duration (money gaps, conflicts and elections stay monthly hazards, each for a
    reason; setbacks come with the work since session 22, next test): docs/ODD.md 1.4 and
    7.7."""
    mean, lo, hi, _ = paired({"time.project_duration_months": 60}, {"mechanisms.work_cement": False},
                             "alliance_survival")
    assert hi < 0, (mean, lo, hi)
    short = mean_of({"time.project_duration_months": 12}, "alliance_survival")
    long = mean_of({"time.project_duration_months": 60}, "alliance_survival")
    assert long < short, (short, long)  # still a finding, not mended: a longer exposure


def duration_gap(over: dict) -> np.ndarray:
    """Per seed, survival of 60-month projects minus that of 12-month ones (paired seeds)."""
    short = outcomes({**over, "time.project_duration_months": 12})
    long = outcomes({**over, "time.project_duration_months": 60})
    return np.array([b["alliance_survival"] - a["alliance_survival"] for a, b in zip(short, long, strict=True)])


def test_setbacks_per_unit_of_work_narrow_the_survival_gap_of_long_projects():
    """Review 9c, finding 8: a failed step comes with the steps taken, not with the calendar
    (mechanism ``work_setbacks``; the Charter: « le chemin s'invente progressivement pour
    tenir compte des enseignements du parcours commun effectué »). A project meets about
    ``setback * risk`` failed steps over its plan whatever its length, so the fall of survival
    from 12- to 60-month projects narrows; the knockout (a hazard per calendar month, the
    model before session 22) restores it. Survival still falls with duration through the
    hazards that are legitimately on the calendar (elections, yearly money, conflicts, exits:
    action.py, docs/ODD.md 7.7): the gap stays negative, and is stated with its interval."""
    on = duration_gap({})
    off = duration_gap({"mechanisms.work_setbacks": False})
    gap, lo, hi = interval(on)
    assert hi < 0, (gap, lo, hi)  # longer projects still survive less: the calendar hazards
    narrowed, n_lo, n_hi = interval(on - off)  # the knockout's difference-in-differences
    assert n_lo > 0, (narrowed, n_lo, n_hi, gap, interval(off))


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

#: The four causes that are factors <= 1 of a success's salience: removing one can only raise
#: its chance to be seen, so their tests check that the effect shows on 200 seeds, not that
#: the cause exists (review 9b, finding 2). ``level_tensions`` is not among them: it is a
#: factor around 1, neutral at the status quo's trust (``constants.tension_trust``), so it
#: holds recognition back only where local trust in the macro is lower (its own test below).
CAUSES = ("information_overload", "holder_legitimacy", "admin_burden_visibility",
          "national_narrative")

#: Removing one cause raises a rate of about 0.25 by 0.06 to 0.36 (200 seeds): on 40 seeds
#: the smallest, the administrative burden's (+0.062 [+0.040, +0.083] on 200), gave
#: +0.040 [-0.008, +0.088], an interval wider than the effect.
CEILING_SEEDS = range(200)


@functools.cache
def ceiling_runs(change: tuple = ()) -> list[dict]:
    """The 200 ceiling seeds' outcomes under the defaults plus ``change`` (computed once)."""
    return outcomes(dict(change), CEILING_SEEDS)


def ceiling_effect(change: dict, key: str = "scaling_rate", level: float = 0.95):
    a, b = ceiling_runs(), ceiling_runs(tuple(sorted(change.items())))
    return interval([y[key] - x[key] for x, y in zip(a, b, strict=True)], level)


def scalings(r: dict) -> float:
    """Adoptions elsewhere and national recognitions of a run: a count, not a ratio."""
    return r["scaling_rate"] * r["local_successes"] if r["local_successes"] else 0.0


def test_doubling_the_budget_alone_does_not_break_the_ceiling():
    """More money multiplies successes (signals), not national attention. Tested on counts,
    not on the scaling rate (a ratio that any mechanism with scalings proportional to
    successes keeps flat: review 9b, finding 2): doubling the budget raises the number of
    scalings a run (money is not a wall: the paired interval of the count is above 0), by a
    smaller factor than the number of local successes (pooled over the seeds), and scalings
    stay under one per three successes. Measured (200 seeds, session 20): successes 11.8 ->
    19.8 (x1.68), scalings 2.85 -> 3.92 (x1.37; +1.07 [+0.72, +1.41] a run); the rate
    -0.049 [-0.075, -0.022]. The factor gap itself, with its bootstrap interval on 400
    seeds, is observation 2's test (tests/test_observations.py)."""
    base, rich = ceiling_runs(), ceiling_runs((("funding.budget_scale", 2.0),))
    more_scalings = interval([scalings(y) - scalings(x) for x, y in zip(base, rich, strict=True)])
    assert more_scalings[1] > 0, more_scalings
    successes = sum(r["local_successes"] for r in base)
    rich_successes = sum(r["local_successes"] for r in rich)
    ratio = sum(map(scalings, rich)) / sum(map(scalings, base))
    assert ratio < rich_successes / successes, (ratio, rich_successes / successes)
    assert sum(map(scalings, rich)) < 0.3 * rich_successes


@pytest.mark.parametrize("cause", CAUSES)
def test_removing_a_cause_of_the_ceiling_raises_scaling(cause):
    mean, lo, hi = ceiling_effect({f"mechanisms.{cause}": False})
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
    state.live[0] = ini.shape[0]  # every slot open (State.live bounds the scans)
    for i, actor in enumerate((a, a, b)):  # a sits in two acting alliances, b in one
        ini["status"][i] = ACTING
        state.members[i, 0] = actor
    will = actors["will"].copy()
    learning.step(np.array(learning.coefficients(p), dtype=np.float64), 1, state)
    kept = 1.0 - p.constants.crowd_out
    assert actors["will"][a] == pytest.approx(will[a] * kept)
    assert actors["will"][b] == pytest.approx(will[b] * kept)
    assert actors["will"][idle] == will[idle]
def test_tensions_between_levels_are_neutral_at_the_status_quo_and_hold_recognition_back_where_trust_is_low():
    """« Les tensions entre les échelons territoriaux en sont l'une des explications
    majeures »: a success is told to the national level as far as its territory's local
    actors trust the macro, relative to ``constants.tension_trust`` = 0.56, the status quo's
    mean trust at its successes (0.565, seeds 0-39). So at the status quo the tension is not a
    cause of the ceiling: removing it moves scaling by less than a quarter of the smallest
    cause's effect (the administrative burden's), an equivalence on 200 seeds (90%). Where
    local actors start at 0.3 (levels in tension) it is one: removing it raises scaling.
    Until session 22 the neutral point was 0.5, below the status quo's trust, so removing the
    tension lowered scaling at the defaults (-0.013 [-0.020, -0.006], 200 seeds; review 9c
    finding 2). Measured (session 22): at the defaults, see ODD 7.10."""
    knocked = ceiling_effect({"mechanisms.level_tensions": False}, level=0.90)
    smallest = ceiling_effect({"mechanisms.admin_burden_visibility": False})
    assert vanishes(knocked, smallest), (knocked, smallest)
    low = {f"actors.{k}.trust": 0.3 for k in ("association", "official", "firm")}
    mean, lo, hi, _ = paired(low, {"mechanisms.level_tensions": False}, "scaling_rate", range(100))
    assert lo > 0, (mean, lo, hi)
