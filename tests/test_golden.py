"""Golden test: optimising must not change results.

The summaries of a few seeds and scenarios (tests/make_golden.py, ``CASES``) are pinned in
tests/golden.json and compared key by key with a relative tolerance of 1e-9 (numba may
reassociate a sum differently on another CPU; anything larger is a change of results).

When a mechanism changes on purpose, regenerate the golden values in the same commit, from
the repository root::

    python -m tests.make_golden

and give the reason in the commit message. A speed-up that makes this test fail is not a
speed-up: it changed the model.
"""

from __future__ import annotations

import json
import math

import pytest
from make_golden import CASES, GOLDEN, case_summary

REL = 1e-9
ABS = 1e-12  # only for values that are exactly zero in one of the two

STORED = json.loads(GOLDEN.read_text()) if GOLDEN.is_file() else {"cases": {}}
REGENERATE = "if the change is intended, run `python -m tests.make_golden` and say why in the commit message"


def _changed_sources() -> str:
    from experiments.execution.compiled import source_hash

    same = STORED.get("model_source_hash") == source_hash()
    return ("the model's sources are those golden.json was made from" if same else
            "the model's sources changed since golden.json was made")


def test_golden_file_has_every_case():
    assert GOLDEN.is_file(), f"{GOLDEN} is missing; run `python -m tests.make_golden`"
    stored = {name: (c["scenario"], c["overrides"]) for name, c in STORED["cases"].items()}
    assert stored == CASES, f"tests/golden.json does not hold the cases of make_golden.CASES; {REGENERATE}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_summary_matches_golden(name):
    if name not in STORED["cases"]:
        pytest.fail(f"case {name!r} is not in tests/golden.json; {REGENERATE}")
    case = STORED["cases"][name]
    got = case_summary(case["scenario"], case["overrides"])
    want = case["summary"]
    # values first, over the outcomes both have: adding an outcome must not hide a moved value
    diffs = {k: (want[k], got[k]) for k in want.keys() & got.keys()  # NaN: undefined in the run
             if not (math.isclose(got[k], want[k], rel_tol=REL, abs_tol=ABS)
                     or (math.isnan(got[k]) and math.isnan(want[k])))}
    assert not diffs, (f"{name} ({case['scenario']}, {case['overrides']}): {len(diffs)} outcome(s) "
                       f"moved, golden -> now: {diffs}; {_changed_sources()}; {REGENERATE}")
    assert set(got) == set(want), (
        f"{name}: summary keys differ (new: {sorted(set(got) - set(want))}, "
        f"gone: {sorted(set(want) - set(got))}), the values of the others are unchanged; {REGENERATE}")
