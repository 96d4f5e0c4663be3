"""Issue 14, "Numerical health": across a wide random sample of legal parameters (every
numeric parameter anywhere in its range, its bounds included; budgets and costs from their
floor to 1e9 k€; 1 to 20 territories; 1 month to 30 years) no outcome is NaN or infinite and
no count, share or cost is negative. Derandomized: the same sets on every run."""

from __future__ import annotations

import pytest
from helpers import malformed
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from simulation import OUTCOME_KEYS, Params, run
from simulation.params import REGIMES, RULES

SIGNED = {"impact", "impact_economic", "impact_social", "impact_environmental", "equity_gap"}
#: Counts of agents capped so that one run stays small (sizes have their own guards).
CAPS = {"associations_per_territory": 40, "firms_per_territory": 20, "national_foundations": 20,
        "local_foundations_per_region": 10, "arranger_capacity": 50, "count": 20, "regions": 20,
        "associations": 40, "firms": 20}
SKIP = {"run.seed", "run.months", "territories.records"}


def _fields(model: type[BaseModel], prefix: str = ""):
    for name, field in model.model_fields.items():
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            yield from _fields(ann, f"{prefix}{name}.")
        elif ann in (int, float) and f"{prefix}{name}" not in SKIP:
            lo = next((m.ge for m in field.metadata if getattr(m, "ge", None) is not None), 0)
            hi = next((m.le for m in field.metadata if getattr(m, "le", None) is not None), None)
            yield f"{prefix}{name}", ann, lo, hi, CAPS.get(name)


def _value(ann, lo, hi, cap):
    if ann is int:
        top = min(hi if hi is not None else 10**6, cap or 10**6)
        return st.one_of(st.sampled_from([lo, top]), st.integers(lo, top))
    if hi is None:
        return st.one_of(st.sampled_from([lo, 1.0, 1e3, 1e6, 1e9]), st.floats(lo, 1e4))
    return st.one_of(st.sampled_from([lo, hi]), st.floats(lo, hi))


FIELDS = list(_fields(Params))


@st.composite
def legal_params(draw):
    chosen = draw(st.lists(st.sampled_from(FIELDS), min_size=3, max_size=12, unique_by=lambda f: f[0]))
    over = {key: draw(_value(ann, lo, hi, cap)) for key, ann, lo, hi, cap in chosen}
    over["run.months"] = draw(st.sampled_from([1, 2, 12, 60, 360]))
    over["run.seed"] = draw(st.integers(0, 2**63 - 1))
    over.setdefault("territories.count", draw(st.sampled_from([1, 2, 3, 20])))
    over.setdefault("time.stagger_elections", draw(st.booleans()))
    over.setdefault("governance.rule", draw(st.sampled_from(RULES)))
    over.setdefault("funding.regime", draw(st.sampled_from(REGIMES)))
    return over


def _check(over: dict) -> None:
    params = Params().with_overrides(over)
    summary, series = run(params, series=True)
    assert set(summary) == set(OUTCOME_KEYS)
    bad = {**malformed(summary), **{k: v for k, v in summary.items() if k not in SIGNED and v < 0}}
    assert not bad, (over, bad)
    numeric = series.select_dtypes("number")
    assert numeric.notna().all().all() and numeric.abs().max().max() < float("inf"), over


def _health(n: int):
    @settings(max_examples=n, derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(legal_params())
    def case(over):
        _check(over)
    case()


def test_random_legal_parameters_give_finite_non_negative_outcomes():
    _health(25)


@pytest.mark.slow
def test_many_random_legal_parameters_give_finite_non_negative_outcomes():
    _health(400)


@pytest.mark.slow
@pytest.mark.parametrize("over", [
    {"territories.count": 1, "run.months": 360},
    {"territories.count": 5000, "run.months": 2, "actors.associations_per_territory": 2},
    {"funding.project_cost": 0.01, "funding.state_budget": 0.0, "funding.foundation_budget": 0.0,
     "funding.local_foundation_budget": 0.0, "run.months": 60},
    {"funding.project_cost": 1e9, "funding.budget_scale": 100.0, "funding.state_budget": 1e6, "run.months": 60},
    {**{f"levers.{k}": 0.0 for k in __import__("simulation").LEVER_IDS}, "run.months": 60},
    {**{f"levers.{k}": 1.0 for k in __import__("simulation").LEVER_IDS}, "run.months": 60},
])
def test_extremes_give_finite_non_negative_outcomes(over):
    _check(over)
