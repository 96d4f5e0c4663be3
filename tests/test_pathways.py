"""A lever acts through every pathway shared/DOMAIN.md names for it, in more than one
submodel where the seed says so (issue 9, item 5; simulation/levers.py declares them).

Each second pathway has a ``mechanisms`` switch. With the lever fully practised, switching
the pathway off moves the outcome the pathway is about in the expected direction (paired
seeds, 95% interval); with the lever at 0 the pathway has nothing to carry, so the switch
changes no outcome at all: the knockout removes that pathway and nothing else.
"""

import pytest
from helpers import effect, outcomes

pytestmark = pytest.mark.slow

#: (lever, switch, outcome, expected sign, seeds, measured in session 18 with the switch on
#: minus off at the lever's full dose, 95%)
PATHWAYS = (
    # « une mutuelle reconnaissance du droit à l'erreur et à l'expérimentation »: riskier
    # initiatives start (emergence)
    ("experimentation", "risk_taking", "alliances_formed", +1, range(40), "+57.0 [+50.4, +63.6]"),
    # « Les parties s'engagent à se respecter mutuellement, et à travailler en confiance »:
    # a candidate sets aside part of its distrust, so alliances gather more kinds of partner
    ("mutual_trust", "trust_at_meeting", "alliance_diversity", +1, range(40), "+0.131 [+0.120, +0.142] (100 seeds)"),
    # « Elles contribuent à décloisonner et à sortir des logiques en silos »
    ("cross_domain", "cross_domain_search", "alliance_diversity", +1, range(40), "+0.036 [+0.027, +0.046] (100 seeds)"),
    # « des gens se diraient « ce n'est pas pour moi » »: volunteers carry part of the time
    ("accessibility", "volunteer_participation", "small_associations_participation", +1, range(40),
     "+0.031 [+0.018, +0.044]"),
    # « la valeur du chemin nécessite d'être évaluée conjointement »; « le bon porteur de
    # projets »: funders rely less on chance and visibility; on 40 seeds the interval is wider
    # than the effect (+0.33 on 100)
    ("evaluation", "evaluated_selection", "impact", +1, range(100), "+0.334 [+0.089, +0.580] (100 seeds)"),
)


@pytest.mark.parametrize("lever, switch, key, sign, seeds, measured", PATHWAYS, ids=lambda x: x if isinstance(x, str) else "")
def test_a_second_pathway_moves_its_outcome(lever, switch, key, sign, seeds, measured):
    off = {f"levers.{lever}": 1.0, f"mechanisms.{switch}": False}
    mean, lo, hi = effect(off, {f"mechanisms.{switch}": True}, key, seeds)
    assert (lo > 0) if sign > 0 else (hi < 0), (lever, switch, key, mean, lo, hi, measured)


@pytest.mark.parametrize("lever, switch", [row[:2] for row in PATHWAYS], ids=lambda x: x)
def test_the_switch_removes_only_the_lever_s_pathway(lever, switch):
    """At the lever's 0 the pathway's variable is at its value without the lever, so the
    switch changes nothing: every outcome is identical on the same seeds."""
    base = {f"levers.{lever}": 0.0}
    assert outcomes(base, range(3)) == outcomes({**base, f"mechanisms.{switch}": False}, range(3))
    assert outcomes({f"levers.{lever}": 1.0}, range(3)) != outcomes(
        {f"levers.{lever}": 1.0, f"mechanisms.{switch}": False}, range(3))
