"""Issue 14: the demo's inputs fuzzed through its pure functions (no browser).

The page reads its address (``events_from_query``) and applies every control change as an
event (``session.apply``); a refused event must leave the state as it was and give a
message the page can show. Properties, for arbitrary addresses and events (wrong types, NaN,
infinities, huge and negative numbers, unknown keys, cards and languages, junk text):

* reading an address never raises: it gives events and plain-text problems;
* applying an event returns a new state, or raises InputError with a message (one line but
  for newlines the user typed), and the state given is untouched (the page keeps the last
  good state);
* every accepted state gives valid parameters for the reference and each pressed card, and
  a model that fits the machine (what the page then runs);
* the message in the page's language (``i18n.message``) and the log line (``describe``) of
  any event never raise.

Hypothesis is derandomized: the same cases on every run; 110 in the fast suite (a smoke test
that every path still answers), 14,000 in the exhaustive tier (``make test-all``, CI).
"""

from __future__ import annotations

import copy
import math
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from experiments.demo import cards, i18n, session
from experiments.io.errors import InputError
from experiments.io.results import check_model_size
from experiments.io.scenarios import load
from simulation import Params

BASE = load("baseline").params
LEVER_KEYS = [f"levers.{name}" for name in Params().levers.model_dump()]
KEYS = [*session.KNOBS, *LEVER_KEYS, "territories.count", "actors.associations_per_territory",
        "actors.firms_per_territory", "run.seed", "run.months", "levers", "nope.nope", "", "."]
VALUES = [True, False, None, 0, 1, -1, 2, 7, 200, 201, 0.5, -0.0, 1e300, -1e300, math.inf,
          -math.inf, math.nan, 2**62, 2**63, 10**30, "", "fr", "en", "de", "nan", "0.5",
          "subsidiarity", "macro_led", "x" * 300, "é « »", "\x00", [], [1], {}, {"a": 1}]
TEXT = ["", "nan", "inf", "-inf", "-5", "1e300", "0", "1", "0,5", "abc", "true", "１", "9" * 400,
        "é", "%00", "%ZZ", "=", "==", "&", ";", "subsidiarity", "0.8", "10000", "5000"]

FUZZ = settings(derandomize=True, database=None, deadline=None, print_blob=False,
                phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))


def sized(fast: int, full: int):
    return pytest.mark.parametrize("n", [pytest.param(fast, id="fast"),
                                         pytest.param(full, id="full", marks=pytest.mark.slow)])


values = st.one_of(st.sampled_from(VALUES), st.integers(), st.floats(), st.text(max_size=20),
                   st.sampled_from(TEXT))
events = st.one_of(
    st.fixed_dictionaries({"kind": st.just("set"), "key": st.one_of(st.sampled_from(KEYS), values),
                           "value": values}),
    st.fixed_dictionaries({"kind": st.just("card"), "id": st.one_of(st.sampled_from(list(cards.BY_ID)), values)}),
    st.fixed_dictionaries({"kind": st.just("lang"), "value": values}),
    st.fixed_dictionaries({"kind": st.just("seeds")}, optional={"n": values, "first": values}),
    st.fixed_dictionaries({"kind": st.just("compare")},
                          optional={k: st.one_of(st.sampled_from(list(cards.BY_ID)), values) for k in "ab"}),
    st.fixed_dictionaries({"kind": st.sampled_from(["reset", "zoom", "", None])}),
    st.dictionaries(st.text(max_size=5), values, max_size=3),
)
words = st.one_of(
    st.tuples(st.just("set"), st.tuples(st.sampled_from(KEYS), st.one_of(st.sampled_from(TEXT), st.text(max_size=12)))
              .map(lambda kv: f"{kv[0]}={kv[1]}")),
    st.tuples(st.sampled_from(["lang", "card", "seeds", "compare", "zoom", ""]),
              st.one_of(st.sampled_from(TEXT + list(cards.BY_ID)), st.text(max_size=12))),
)
queries = st.one_of(
    st.lists(words, max_size=6).map(lambda ws: "?" + "&".join(f"{quote(n)}={quote(v)}" for n, v in ws)),
    st.text(max_size=80),
)


def check_state(state: session.State) -> None:
    """What the page computes next cannot fail: every scenario's parameters are valid and
    the model fits the machine."""
    ref = state.reference_params(BASE)
    check_model_size(ref, what="demo")
    for cid in state.cards:
        check_model_size(state.scenario_params(BASE, cid), what="demo")
    assert 2 <= state.seeds <= session.MAX_SEEDS


def step(state: session.State, event: dict) -> session.State:
    before = copy.deepcopy(state)
    lang = state.lang
    session.describe(event, lang)  # the log line of any event
    try:
        new = session.apply(state, event, BASE)
    except InputError as exc:
        text = str(exc)
        assert text.strip() and "Traceback" not in text, (event, text)  # (a newline the user typed may show)
        assert i18n.message(text, lang)
        assert state == before, (event, "state changed by a refused event")
        return state
    check_state(new)
    return new


@sized(60, 10_000)
def test_fuzz_demo_events(n):
    @settings(FUZZ, max_examples=n)
    @given(st.lists(events, min_size=1, max_size=8))
    def case(evs):
        state = session.State(lang="fr")
        for event in evs:
            state = step(state, event)

    case()


@sized(50, 4_000)
def test_fuzz_demo_addresses(n):
    @settings(FUZZ, max_examples=n)
    @given(queries)
    def case(query):
        evs, problems = session.events_from_query(query)
        assert all(isinstance(p, str) and p for p in problems), problems
        state = session.State(lang="en")
        for event in evs:
            state = step(state, event)
        for p in problems:
            assert i18n.message(p, state.lang)

    case()


def test_a_demo_setting_implying_a_huge_model_is_refused_and_the_state_kept():
    state = session.apply(session.State(), {"kind": "set", "key": "territories.count", "value": 5000}, BASE)
    with pytest.raises(InputError, match="memory|actors"):
        session.apply(state, {"kind": "set", "key": "actors.associations_per_territory", "value": 10_000}, BASE)
