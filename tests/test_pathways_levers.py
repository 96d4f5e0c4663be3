"""Pathways built in session 19 (issue 9, item 5): the « alliance contre » as an alliance
(conflicts), the SDGs as a common frame (governance); in session 20 the local executive's
public co-funding of the initiatives it supports (funding); sharing's pooled means (action) and
the hub's listing (partner_search) are in tests/make_tensions.py PATHWAYS, tested by
tests/test_pathways.py. Each is removed by a ``mechanisms`` switch; the claims are
paired-seed effects (tests/helpers.py), the seed passages are in the submodels' docstrings
and docs/ODD.md 7.4, 7.5, 7.7 and 7.8.
"""

import numpy as np
import pytest
from helpers import effect, outcomes

from simulation import Params
from simulation.initialise import initialise
from simulation.kernel import coefficients
from simulation.state import AGREED
from simulation.submodels import conflicts, funding
from simulation.submodels.common import slots

#: Measured in session 19 (paired seeds, 95%), switch on minus off.
MEASURED = {
    "opposition_coalition": "blocked share, local arbitration: +0.082 [+0.058, +0.105] (100 seeds); "
                            "national: +0.034 [+0.017, +0.051]; default (regional): +0.034 [+0.009, +0.059]",
    "sdg_common_frame": "impact at macro_steering 0, sdg_frame 1: +2.94 [+2.51, +3.37] (40 seeds); "
                        "at the default steering 0.5: +0.15 [-0.21, +0.51]",
}


def _contested_state():
    """A state whose initiative 0 is an agreed initiative with local costs in territory 0."""
    state = initialise(Params(), np.random.default_rng(0))
    ini = state.initiatives
    for field, v in (("status", AGREED), ("agreed", True), ("territory", 0), ("local_cost", 1.0),
                     ("holder", state.territories["first_actor"][0])):
        ini[field][0] = v
    state.members[0, :] = -1
    state.members[0, 0] = ini["holder"][0]
    state.live[0] = max(state.live[0], 1)  # slot 0 opened by hand: the scans must reach it (State.live)
    return state


def _locals(state, t=0):
    first, n = state.territories["first_actor"][t], state.territories["n_actors"][t]
    return range(first, first + n)


def test_the_coalition_s_weight_is_its_members():
    """At arbitration each member adds its voice: the local executive the weight its level
    gives an official, any other member COALITION; disbanding gives the seats back."""
    state = _contested_state()
    official = state.territories["official"][0]
    other = next(a for a in _locals(state) if a not in (official, state.initiatives["holder"][0]))
    assert conflicts.voices(state, 0, 0) == 0.0
    engaged = state.actors["engaged"].copy()
    for a in (official, other):
        state.actors["opposing"][a] = 0
        state.actors["engaged"][a] += 1
    local, national = conflicts.voices(state, 0, 0), conflicts.voices(state, 0, 2)
    assert local == pytest.approx(conflicts.OFFICIAL_WEIGHT[0] + conflicts.COALITION)
    assert national == pytest.approx(conflicts.OFFICIAL_WEIGHT[2] + conflicts.COALITION)
    assert local > national  # an opposing executive weighs most where it is arbitrated locally
    conflicts.dissolve(state, 0)
    assert (state.actors["opposing"] == -1).all() and (state.actors["engaged"] == engaged).all()


def test_only_free_local_non_partners_rally_and_each_takes_a_seat():
    state = _contested_state()
    state.territories["resident_trust"][0] = 0.0
    holder = state.initiatives["holder"][0]
    full = next(a for a in _locals(state) if a != holder)
    state.actors["engaged"][full] = slots(state.actors[full])
    before = state.actors["engaged"].copy()
    rng = np.random.default_rng(1)
    for _ in range(200):
        conflicts.rally(state, 0, 0.1, rng)
    joined = np.flatnonzero(state.actors["opposing"] == 0)
    assert len(joined) > 0 and holder not in joined and full not in joined
    assert all(a in _locals(state) for a in joined)
    assert (state.actors["engaged"][joined] == before[joined] + 1).all()
    conflicts.disband_stale(state)  # still contested: nobody leaves
    assert (state.actors["opposing"][joined] == 0).all()
    state.initiatives["local_cost"][0] = 0.0  # overridden: the coalition disbands
    conflicts.disband_stale(state)
    assert (state.actors["opposing"] == -1).all() and (state.actors["engaged"] == before).all()


@pytest.mark.slow
def test_an_alliance_against_blocks_more_initiatives_most_where_arbitrated_locally():
    """« Parfois, seule la lutte rassemble »: with opponents allying against contested
    initiatives, more of them are blocked than when the residents weigh alone; more so at a
    local arbitration, where an opposing executive weighs most."""
    seeds = range(100)
    off = {"mechanisms.opposition_coalition": False}
    on = {"mechanisms.opposition_coalition": True}
    local = effect({**off, "governance.arbitration_level": "local"}, on, "blocked_share", seeds)
    national = effect({**off, "governance.arbitration_level": "national"}, on, "blocked_share", seeds)
    assert local[1] > 0 and national[1] > 0, (local, national, MEASURED["opposition_coalition"])
    assert local[0] > national[0], (local, national)


@pytest.mark.slow
def test_the_sdgs_frame_alliances_the_national_frame_does_not_reach():
    """« Les Objectifs de Développement Durable sont retenus comme cadre commun de référence »:
    with no national steering (no national frame), partners bringing the SDGs frame their
    alliances, whose objectives diverge less: impact rises."""
    base = {"levers.sdg_frame": 1.0, "governance.macro_steering": 0.0,
            "mechanisms.sdg_common_frame": False}
    mean, lo, hi = effect(base, {"mechanisms.sdg_common_frame": True}, "impact")
    assert lo > 0, (mean, lo, hi, MEASURED["sdg_common_frame"])


@pytest.mark.slow
def test_at_sdg_frame_0_the_frame_switch_changes_nothing():
    base = {"levers.sdg_frame": 0.0}
    assert outcomes(base, range(3)) == outcomes({**base, "mechanisms.sdg_common_frame": False}, range(3))


@pytest.mark.slow
def test_without_local_costs_the_coalition_switch_changes_nothing():
    base = {"mechanisms.nimby": 0.0}
    assert outcomes(base, range(3)) == outcomes({**base, "mechanisms.opposition_coalition": False}, range(3))


def test_a_supporting_executive_co_funds_a_share_of_the_gap_from_its_budget():
    """Public co-funding (funding.public_cofunding): only an initiative whose partners include
    its territory's local executive receives it: what it lacks, within the share ``cofund`` of
    a year of the executive's means (the lever's "with" end, times the executive's practice),
    from the executive's money."""
    p = Params().with_overrides({"levers.public_interest_articulation": 1.0})
    c = np.array(coefficients(p).funding, dtype=float)
    state = _contested_state()
    ini, actors = state.initiatives, state.actors
    for field, v in (("monthly_cost", 2.0), ("duration", 36), ("acting", 0), ("pot", 0.0), ("practice", 1.0)):
        ini[field][0] = v
    official = state.territories["official"][0]
    holder = next(a for a in _locals(state) if a != official)
    ini["holder"][0] = state.members[0, 0] = holder
    funding.public_cofunding(c, state)
    assert ini["pot"][0] == 0.0  # the executive is not a partner: no co-funding
    state.members[0, 1] = official
    ini["n"][0] += 1
    gap = funding.gap(c, ini, state.members, state.share, 0)
    money = actors["money"][official]
    funding.public_cofunding(c, state)
    q = min(1.0, actors["will"][official] / p.constants.will_full)  # the executive's practice
    budget = min(money, p.constants.lever_public_interest_articulation_cofund_with * q * 12 * actors["income"][official])
    given = min(gap, budget)
    assert given > 0.0
    assert ini["pot"][0] == pytest.approx(given)
    assert actors["money"][official] == pytest.approx(money - given)


@pytest.mark.slow
def test_at_articulation_0_the_cofunding_switch_changes_nothing():
    base = {"levers.public_interest_articulation": 0.0}
    assert outcomes(base, range(3)) == outcomes({**base, "mechanisms.public_cofunding": False}, range(3))
