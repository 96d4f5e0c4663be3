"""Issue 9, item 5: no lever sets what it is scored on. Each rebuilt lever acts through a
mechanism of the seed (shared/DOMAIN.md's pathway), and each test measures, over 40 paired
seeds, what the lever does to the variable it is scored on through that mechanism, and that
removing the mechanism (a ``mechanisms`` code switch) removes the effect, in the sense of an
equivalence test: the 90% interval of the remaining effect lies within ``MARGIN`` of the
original effect.
"""

import numpy as np
import pytest
from helpers import MARGIN, effect, outcomes, vanishes

pytestmark = pytest.mark.slow

SEEDS = range(40)


def lever(lid, d):
    return {f"levers.{lid}": d}


# --- exit clause: a partner leaves, the alliance and its assets go on ------------------------

def test_an_exit_procedure_settles_exits_without_costing_survival():
    """« Le faire alliance, comment on en sort ? »: with an exit procedure a leaver's money
    stays and a leaving holder hands its role over. Exits are conflictual only as disputes
    over money, so at least a third of them become orderly; and the alliances that lose a
    partner go on: survival does not fall by more than 0.03 (95% interval). A measured
    finding, not a wish: survival does not rise either (docs/ODD.md, 1.4), alliances end
    mostly for other reasons (money, elections, conflicts)."""
    base, clause = lever("exit_clause", 0.0), lever("exit_clause", 1.0)
    disputes = effect(base, clause, "exits_conflictual")
    before = np.mean([r["exits_conflictual"] for r in outcomes(base, SEEDS)])
    assert disputes[2] < -before / 3, (disputes, before)
    survival = effect(base, clause, "alliance_survival")
    assert survival[1] > -0.03, survival


# --- contribution valuation: free-riding that fair recognition reduces ------------------------

def test_valuing_contributions_works_through_free_riding_and_felt_unfairness():
    """« Une juste reconnaissance des contributions [...] pour maintenir l'engagement »:
    recorded contributions deter free-riding on pledges, which costs the alliance money and
    its payers' engagement. With free-riding and unfairness both removed, valuing
    contributions changes nothing (equivalence)."""
    base, valued = lever("contribution_valuation", 0.0), lever("contribution_valuation", 1.0)
    impact = effect(base, valued, "impact")
    assert impact[1] > 0, impact
    off = {"mechanisms.free_riding": False, "mechanisms.unfairness": 0.0}
    assert vanishes(effect({**base, **off}, valued, "impact", level=0.90), impact)


# --- transparency: trust from information against staff time spent reporting -----------------

def test_reporting_buys_trust_and_costs_work():
    """« Il y a besoin de transparence pour la confiance [...] si elle devient obligation
    (reporting, etc.) c'est trop lourd à porter »: full reporting raises local trust in the
    macro over none, and costs impact against moderate reporting (time spent reporting is
    not spent working)."""
    none, some, full = ({"governance.reporting": r} for r in (0.0, 0.3, 1.0))
    trust = effect(none, full, "trust_micro_macro")
    assert trust[1] > 0, trust
    heavy = effect(some, full, "impact")
    assert heavy[2] < 0, heavy


# --- innovation: diffusion along networks and neighbours --------------------------------------

def test_innovation_travels_along_partners_networks():
    """« Les résultats obtenus doivent pouvoir être partagés avec l'écosystème »: a shared
    innovation is known to its neighbours even when it was not capitalised, and reaches the
    territories where its national or regional partners work, beyond its neighbours, told
    to the alliances they work in there; so scaling rises; without network diffusion it
    does not (equivalence). Before neighbours and told partners entered the pathway, the
    effect was -0.002 [-0.036, +0.033] (40 seeds): too few adoptions to see."""
    base, shared = lever("innovation", 0.0), lever("innovation", 1.0)
    scaling = effect(base, shared, "scaling_rate")
    assert scaling[1] > 0, scaling
    off = {"mechanisms.network_diffusion": False}
    assert vanishes(effect({**base, **off}, shared, "scaling_rate", level=0.90), scaling)


# --- articulation with the public interest: officials' support ---------------------------------

CONTESTED = {"territories.nimby_share": 0.5}


def test_articulation_works_through_officials_and_depends_on_the_level():
    """« S'articuler à la gestion de l'intérêt général, garantie par les élus compétents »:
    an official partner who supports the initiative talks opposition down and defends it at
    arbitration, so fewer contested initiatives are blocked; more so when the arbitration is
    local than national (the level chosen changes who wins); without officials' support,
    articulation changes nothing (equivalence)."""
    base = {**CONTESTED, **lever("public_interest_articulation", 0.0)}
    high = lever("public_interest_articulation", 1.0)
    blocked = effect(base, high, "blocked_share")
    assert blocked[2] < 0, blocked
    local = effect({**base, "governance.arbitration_level": "local"}, high, "blocked_share")
    national = effect({**base, "governance.arbitration_level": "national"}, high, "blocked_share")
    assert local[0] < national[0], (local, national)
    off = {"mechanisms.officials_support": False}
    assert vanishes(effect({**base, **off}, high, "blocked_share", level=0.90), blocked)


# --- the arranger is paid -----------------------------------------------------------------------

def test_the_arranger_is_paid_by_the_alliance():
    """The arranger's time is paid from the alliance's pot: a dearer arranger leaves less
    money for the work, so impact falls under the arranger rule."""
    rule = {"governance.rule": "arranger"}
    dear = effect({**rule, "governance.arranger_cost": 0.0}, {"governance.arranger_cost": 4.0},
                  "impact")
    assert dear[2] < 0, dear


# --- competition turns into cooperation --------------------------------------------------------

def test_association_cooperation_rises_with_joint_work():
    """« La concurrence [...] peut se transformer en cohérence à partir d'un certain point »:
    joint work builds cooperative trust among a territory's associations, so over 20 years
    the share of alliances with two or more associations is higher than over the first 10,
    more so with sharing and mutualisation. Without joint-work trust it does not rise: the
    90% upper bound of the change stays under a quarter of the rise (it falls, in fact, as
    funding pressure hardens: docs/ODD.md, 1.4). The rise and its knockout run on 200 seeds:
    on 40 (session 18) the knockout gave +0.0015 [-0.0025, +0.0056] against a margin of
    0.0039, an interval as wide as the margin; on 200, rise +0.0099 [+0.0076, +0.0122] and
    knockout -0.0038 [-0.0054, -0.0021] (90%)."""
    ten, twenty = {"run.months": 120}, {"run.months": 240}
    seeds = range(200)
    rise = effect(ten, twenty, "association_cooperation", seeds)
    assert rise[1] > 0, rise
    pooled = {"levers.sharing": 1.0, "levers.mutualisation": 1.0}
    faster = effect({**twenty}, pooled, "association_cooperation")
    assert faster[1] > 0, faster
    off = {"mechanisms.joint_work_trust": False}
    _, _, hi = effect({**ten, **off}, twenty, "association_cooperation", seeds, level=0.90)
    assert hi <= MARGIN * rise[0], (hi, rise)
