"""A lever acts through every pathway shared/DOMAIN.md names for it, in more than one
submodel where the seed says so (issue 9, item 5; simulation/levers.py declares them).

Each second pathway has a ``mechanisms`` switch. With the lever fully practised, switching
the pathway off moves the outcome the pathway is about in the expected direction (paired
seeds, 95% interval); with the lever at 0 the pathway has nothing to carry, so the switch
changes no outcome at all: the knockout removes that pathway and nothing else.
"""

import pytest
from helpers import effect, outcomes

from tests.make_tensions import PATHWAYS

pytestmark = pytest.mark.slow

#: Measured (switch on minus off at the lever's full dose, 95%); seeds per test: 40, but 200 for
#: evaluation. The seed passage of each pathway is in its submodel's docstring.
MEASURED = {
    "risk_taking": "alliances formed +57.0 [+50.4, +63.6] (40 seeds)",
    "trust_at_meeting": "alliance diversity +0.131 [+0.120, +0.142] (100 seeds)",
    "cross_domain_search": "alliance diversity +0.036 [+0.027, +0.046] (100 seeds)",
    "volunteer_participation": "small associations' participation +0.031 [+0.018, +0.044] (40 seeds)",
    # session 20, main cd6b1c9 (was scored on impact until then; see below)
    "evaluated_selection": "cost per impact -560 [-970, -149] k€ per need unit (200 seeds)",
    # session 19 (s19-9c), 40 seeds
    "pooled_means": "cost per impact -2092 [-3008, -1175] k€ per need unit (40 seeds)",
    "hub_partner_search": "alliance diversity +0.071 [+0.051, +0.091] (40 seeds)",
}
#: Evaluated selection is about funders selecting better: the same money buys more impact
#: (cost per impact, money spent by alliances / positive impact, falls). Until session 19 the
#: pathway was scored on impact itself: +0.33 [+0.09, +0.58] (100 seeds, session 18), then not
#: shown on the merged model of session 19 (+0.10 [-0.08, +0.29] on seeds 0-199; +0.51 with
#: stop_on_evaluation off), a strict xfail. On 600 seeds (session 20) impact is shown and the
#: stop rule does not absorb it: +0.23 [+0.13, +0.34] by default, +0.18 [+0.07, +0.30] with no
#: budget vote, +0.39 [+0.28, +0.50] with a stop on low engagement alone (stop_on_evaluation
#: off); cost per impact -808 [-1042, -573], -715 [-964, -466], -1180 [-1437, -924]. +0.23 on impact
#: against a paired spread of about 1.3 has an 80% chance to show on about 260 seeds (seeds
#: 0-199 gave +0.10); its effect per euro shows on 200. Read directly (stepping the model, a
#: diagnostic): the grant-weighted quality of funded alliances rises +0.022 [+0.010, +0.034] of
#: 1.025 (100 seeds) (docs/ODD.md 7.6).
SEEDS = {"evaluated_selection": range(200)}

#: Second pathways whose outcome the merged model does not show (strict: one that starts to
#: show must leave this list), with the measured figures (docs/ODD.md 7.6).
NOT_SHOWN: dict[str, str] = {}


@pytest.mark.parametrize("lever, switch, key, sign",
                         [pytest.param(r[0], r[2], r[3], r[4],
                                       marks=pytest.mark.xfail(strict=True, reason=NOT_SHOWN[r[2]]))
                          if r[2] in NOT_SHOWN else (r[0], r[2], r[3], r[4]) for r in PATHWAYS],
                         ids=[r[2] for r in PATHWAYS])
def test_a_second_pathway_moves_its_outcome(lever, switch, key, sign):
    off = {f"levers.{lever}": 1.0, f"mechanisms.{switch}": False}
    mean, lo, hi = effect(off, {f"mechanisms.{switch}": True}, key, SEEDS.get(switch, range(40)))
    assert (lo > 0) if sign > 0 else (hi < 0), (lever, switch, key, mean, lo, hi, MEASURED[switch])


def test_every_second_pathway_is_declared_by_its_lever():
    from simulation.levers import BY_ID
    for lever, submodel, switch, _, _ in PATHWAYS:
        assert submodel in BY_ID[lever].pathways and switch in MEASURED, (lever, submodel)


@pytest.mark.parametrize("lever, switch", [(r[0], r[2]) for r in PATHWAYS], ids=[r[2] for r in PATHWAYS])
def test_the_switch_removes_only_the_lever_s_pathway(lever, switch):
    """At the lever's 0 the pathway's variable is at its value without the lever, so the
    switch changes nothing: every outcome is identical on the same seeds."""
    base = {f"levers.{lever}": 0.0}
    assert outcomes(base, range(3)) == outcomes({**base, f"mechanisms.{switch}": False}, range(3))
    assert outcomes({f"levers.{lever}": 1.0}, range(3)) != outcomes(
        {f"levers.{lever}": 1.0, f"mechanisms.{switch}": False}, range(3))
