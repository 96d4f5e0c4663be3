"""The model as a Mesa user meets it: the clock, the agents, a DataCollector-shaped table, and
the batch contract giving the same results without Mesa."""

import numpy as np
import pandas as pd

from simulation import AllianceModel, Params, run
from simulation.outcomes import SERIES
from simulation.state import KIND_NAMES

P = Params().with_overrides({"run.months": 14, "run.seed": 5})


def test_advance_keeps_mesa_clock_true():
    m = AllianceModel(P, agents=False)
    m.advance(12)
    assert (m.month, m.steps, m.time) == (12, 12, 12.0)
    m.step()
    assert (m.month, m.steps) == (13, 13)
    m.run_for(1)  # Mesa's own driver steps the model too
    assert (m.month, m.steps) == (14, 14)


def test_step_advance_run_for_and_run_are_the_same_dynamics():
    stepped = AllianceModel(P, agents=False)
    for _ in range(14):
        stepped.step()
    mixed = AllianceModel(P, agents=False)
    mixed.advance(5)
    mixed.run_for(9)
    summary, series = run(P)
    assert stepped.summary() == mixed.summary() == summary
    pd.testing.assert_frame_equal(stepped.series_frame(), series)
    pd.testing.assert_frame_equal(mixed.series_frame(), series)


def test_datacollector_shaped_table_of_series():
    m = AllianceModel(P, agents=False)
    m.advance(3)
    df = m.datacollector.get_model_vars_dataframe()
    assert df.index.name == "Step" and list(df.index) == [1, 2, 3]
    assert list(df.columns) == [c for c in SERIES if c != "month"]
    np.testing.assert_array_equal(df["impact"].to_numpy(), m.series[:3, SERIES.index("impact")])
    assert m.datacollector.model_vars["impact"] == df["impact"].tolist()


def test_agents_are_live_views_with_kind_territory_and_alliances():
    m = AllianceModel(P)
    assert len(m.agents) == len(m.state.actors)
    assert {a.kind for a in m.agents} == set(KIND_NAMES)
    associations = m.agents.select(lambda a: a.kind == "association")
    assert len(associations) == int((m.state.actors["kind"] == KIND_NAMES.index("association")).sum())
    m.advance(12)
    holders = {int(h) for h in m.state.initiatives["holder"][m.state.initiatives["status"] > 0]}
    holder = next(a for a in m.agents if a.index in holders)
    assert holder.alliances(), "a holder of a live initiative holds a seat in it"
    table = m.datacollector.get_agent_vars_dataframe()
    assert table.index.name == "AgentID" and len(table) == len(m.agents)
    assert table.loc[holder.unique_id, "will"] == holder.will


def test_a_state_moved_outside_mesas_clock_is_refused_not_hidden():
    """Review 8b, F11: after ``engine.simulate`` the model's month ran ahead of Mesa's steps and
    ``step()`` returned silently, leaving the two clocks apart."""
    import pytest

    m = AllianceModel(P, agents=False)
    m.engine.simulate(5)
    with pytest.raises(RuntimeError, match="month 5 but Mesa's clock at step 0"):
        m.step()
