"""Money to associations by source (funder shares, issue 11) and the candidate cliff of
partner search: a fraction of a candidate is met with its probability."""

import numpy as np
from helpers import effect, outcomes

SEEDS = range(6)


def test_funder_shares_are_shares_of_the_same_money():
    for r in outcomes({"run.months": 60}, SEEDS):
        s, la, pub = r["money_share_state"], r["money_share_local_authority"], r["state_public_money_share"]
        assert 0 < s < 1 and 0 < la < 1 and s + la < 1  # foundations, firms, associations give too
        assert abs(pub - s / (s + la)) < 1e-12


def test_local_authorities_share_follows_their_means():
    """The counters follow the money: officials with three times their yearly means (120 ->
    360 k€) pledge more, so their share of associations' project money rises and the State's
    part of public money falls (paired seeds, 95% intervals)."""
    more = {"actors.official.money": 360.0}
    la = effect({"run.months": 60}, more, "money_share_local_authority", seeds=SEEDS)
    pub = effect({"run.months": 60}, more, "state_public_money_share", seeds=SEEDS)
    assert la[1] > 0, la
    assert pub[2] < 0, pub


def test_a_fraction_of_a_candidate_is_met_with_its_probability():
    """Below 2.0 candidates a month a holder used to meet only its official (``int(...)``):
    no national partnership at all. Now 1.8 candidates meet a second one in 80% of months,
    and the national share moves continuously towards its value at 2.0."""
    low = outcomes({"constants.lever_third_places_candidates_without": 1.8}, SEEDS)
    two = outcomes({"constants.lever_third_places_candidates_without": 2.0}, SEEDS)
    share_low = np.mean([r["national_partnership_share"] for r in low])
    share_two = np.mean([r["national_partnership_share"] for r in two])
    assert all(r["national_partnership_share"] > 0 for r in low)
    assert 0.6 * share_two < share_low <= share_two + 0.03, (share_low, share_two)
