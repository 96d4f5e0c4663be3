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
    # session 20 (s20-9d): scored on survival, which it does not set, instead of the conflictual
    # exits it relabels (review 9b, finding 6); docs/ODD.md 1.4.
    "exit_clause": "alliance_survival -0.0010 [-0.0128, +0.0107], impact -0.07 [-0.33, +0.19] "
                   "(100 paired seeds, session 20): alliances that lose a partner mostly end for "
                   "the reason the partner left (engagement gone, money short), procedure or not",
    # session 20 (s20-9d): with the local executives' public co-funding at the status quo, more
    # alliances start and the sessions stop the riskier ones: shown on main before it (+0.0130
    # [+0.0027, +0.0234], 200 seeds).
    "experimentation": "alliance_survival +0.0053 [-0.0037, +0.0143] (200 paired seeds, session 20, "
                       "public co-funding on)",
    # session 21 (s21-9d): its equity gain was levelling down (review 9c, finding 5); rebuilt to
    # add emergence above the mean fragility only, it shows from 0 but not from the status quo.
    "territorial_anchoring": "equity_gap +0.007 [-0.100, +0.115] from the status quo (100 paired "
                             "seeds, session 21); -0.167 [-0.271, -0.062] from 0 (docs/ODD.md 7.3)",
}

#: Levers whose effect is smaller than the 100-seed interval can show, with more paired seeds.
#: experimentation (s19-fixB): with the budget vote on by default (session 19) its survival
#: effect halves, +0.0059 [-0.0081, +0.0199] on seeds 0-99 and +0.0130 [+0.0027, +0.0234] on
#: 0-199 (vote off: +0.0280 [+0.0165, +0.0396], 200 seeds): the sessions stop more of the
#: riskier projects its second pathway starts (risk_taking off: +0.0166 with the vote, +0.0173
#: without); docs/ODD.md 1.4.
MORE_SEEDS = {"experimentation": range(200)}


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
