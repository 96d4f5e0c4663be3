"""Every lever moves its own variable, and, raised alone, the outcome the registry names."""

import pytest
from helpers import interval, outcomes

from simulation import LEVERS, OUTCOME_KEYS, Params
from simulation.constants import LEVER_ENDS
from simulation.kernel import MODULES, coefficients
from simulation.submodels import ORDER

LEVER_SEEDS = range(100)


def test_registry_is_complete_and_consistent():
    ids = [lv.id for lv in LEVERS]
    assert len(ids) == len(set(ids))
    assert sum(lv.group != "additions" for lv in LEVERS) == 21  # the Charter's (2021); additions may grow
    for lv in LEVERS:
        assert lv.pathways and set(lv.pathways) <= set(ORDER) and len(set(lv.pathways)) == len(lv.pathways)
        assert lv.outcome in OUTCOME_KEYS and lv.direction in (-1, 1)
        assert lv.label_fr and lv.label_en and lv.charter and lv.acts_on
        assert (lv.default == 0.0) == (lv.group == "additions")
    assert [m.__name__.rsplit(".", 1)[1] for m in MODULES] == list(ORDER)


@pytest.mark.parametrize("lever", LEVERS, ids=lambda lv: lv.id)
def test_lever_acts_through_its_declared_pathways_and_no_other(lever):
    """Both ways: raising the lever changes the coefficients of every submodel it declares
    as a pathway (simulation/levers.py), of none other, and its two ends in the table of
    constants belong to exactly these submodels."""
    base = coefficients(Params())
    raised = coefficients(Params().with_overrides({f"levers.{lever.id}": 1.0}))
    changed = {name for name in ORDER if list(getattr(base, name)) != list(getattr(raised, name))}
    assert changed == set(lever.pathways)
    assert {module for _, module in LEVER_ENDS[lever.id]} == set(lever.pathways)


@pytest.fixture(scope="module")
def baseline_runs():
    return outcomes({}, LEVER_SEEDS)


#: Levers whose scored outcome is not shown to move, with the measured figure (docs/ODD.md 1.4).
#: Strict: a lever that starts to show its outcome must leave this list (innovation left it in
#: session 18: +0.092 [+0.048, +0.137] on 100 seeds).
NOT_SHOWN: dict[str, str] = {
    # session 21 (s21-9d): its equity gain was levelling down (review 9c, finding 5); rebuilt to
    # add emergence above the mean fragility only, it shows from 0 but not from the status quo.
    "territorial_anchoring": "equity_gap +0.007 [-0.100, +0.115] from the status quo (100 paired "
                             "seeds, session 21); -0.167 [-0.271, -0.062] from 0 (docs/ODD.md 7.3)",
    # session 22: on the merged model (setbacks per unit of work, tension_trust 0.56) its impact
    # gain is not shown on the 100 test seeds; the referee found it fragile on fresh seeds in
    # session 21 (+0.19 [-0.05, +0.44] on seeds 1000-1099). 40 seeds (ODD 1.4) still show it.
    "celebration": "impact +0.199 [-0.012, +0.409] (100 paired seeds, merged model of session 22)",
}
# Left in session 21 (s21-9b), 100 paired seeds, lever 0 -> 1, 95%:
# - exit_clause (survival; session 20: -0.0010 [-0.0128, +0.0107]): alliances that lost a partner
#   ended because they fell below two partners; the procedure now seeks a replacement
#   (mechanism replacement_search): survival +0.064 [+0.050, +0.077] (seeds 100-299: +0.069
#   [+0.061, +0.078]); without the mechanism +0.005 [-0.007, +0.016] (tests/test_mechanisms_levers.py).
# - experimentation: scored on impact instead of survival (simulation/levers.py says why, by the
#   seed), +1.07 [+0.86, +1.28] on 200 seeds; survival -0.006 [-0.016, +0.004] and local successes
#   +0.19 [-0.47, +0.84] are not shown (its riskier projects fail more: the right to error).

#: Levers whose effect is smaller than the 100-seed interval can show, with more paired seeds.
#: (experimentation read 200 seeds until session 20, when it was scored on survival.)
MORE_SEEDS: dict[str, range] = {}


@pytest.mark.slow
@pytest.mark.parametrize("lever", [pytest.param(lv, marks=pytest.mark.xfail(strict=True, reason=NOT_SHOWN[lv.id]))
                                   if lv.id in NOT_SHOWN else lv for lv in LEVERS],
                         ids=lambda lv: lv.id)
def test_lever_moves_its_outcome(lever, baseline_runs):
    seeds = MORE_SEEDS.get(lever.id, LEVER_SEEDS)
    if seeds != LEVER_SEEDS:
        baseline_runs = outcomes({}, seeds)
    raised = outcomes({f"levers.{lever.id}": 1.0}, seeds)
    mean, lo, hi = interval([r[lever.outcome] - b[lever.outcome]
                             for b, r in zip(baseline_runs, raised, strict=True)])
    if lever.direction > 0:
        assert lo > 0, (lever.outcome, mean, lo, hi)
    else:
        assert hi < 0, (lever.outcome, mean, lo, hi)


def test_every_lever_pair_has_its_own_reason_stating_its_range():
    """Review 9b, finding 8: each (without, with) pair carries its own reason, which names the
    plausible range the table gives its "with" end (the range a sensitivity spec samples), and
    no two pairs share a reason (`alliance levers --json` shows them as ``source``)."""
    from simulation.constants import lever_ranges

    sources = []
    for lv in LEVERS:
        for r in lever_ranges(lv.id):
            lo, hi = r["range_with"]
            assert f"range {lo:g}-{hi:g}" in r["source"], (lv.id, r["variable"], lo, hi, r["source"])
            assert lo <= r["with"] <= hi, (lv.id, r["variable"])
            sources.append(r["source"])
    assert len(sources) == len(set(sources))
