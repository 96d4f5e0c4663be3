"""The one table of constants (simulation/constants.py): the ODD prints it, a run reads it,
a spec can set any run-time constant by dotted path, within its plausible range."""

from pathlib import Path

import pytest

from simulation import LEVERS, Params, run
from simulation.constants import BY_ID, CONSTANTS, LEVER_ENDS, lever_ranges, markdown
from simulation.params import ParameterError

ODD = Path(__file__).resolve().parent.parent / "docs" / "ODD.md"
BEGIN = "<!-- constants table: generated from simulation/constants.py -->"
END = "<!-- end of constants table -->"


def test_odd_prints_the_table_of_constants():
    text = ODD.read_text(encoding="utf-8")
    assert BEGIN in text and END in text
    printed = text.split(BEGIN, 1)[1].split(END, 1)[0].strip()
    assert printed == markdown(), "regenerate with: python -c 'from simulation.constants import markdown; print(markdown())'"


def test_every_row_is_complete_and_within_its_range():
    for c in CONSTANTS:
        assert c.unit and c.meaning and c.source, c.id
        assert c.low <= c.value <= c.high, c.id
        assert c.source.startswith(("assumed:", "calibrated:")) or "(" in c.source, c.id


def test_every_lever_has_its_strengths_in_the_table():
    assert set(LEVER_ENDS) == {lv.id for lv in LEVERS}
    for lv in LEVERS:
        for r in lever_ranges(lv.id):
            assert r["range_with"][0] <= r["with"] <= r["range_with"][1]


def test_a_spec_sets_a_constant_by_dotted_path_and_the_run_reads_it():
    p = Params().with_overrides({"constants.recognise": 3.0, "run.months": 36})
    assert p.constants.recognise == 3.0
    base = run(Params().with_overrides({"run.months": 36}), series=False)[0]
    moved = run(Params().with_overrides({"constants.lever_sharing_pooled_without": 0.15,
                                         "run.months": 36}), series=False)[0]
    assert moved != base  # the kernels read the table at run time


def test_a_misspelt_or_implausible_constant_is_refused_with_a_hint():
    with pytest.raises(ParameterError, match="did you mean 'recognise'"):
        Params().with_overrides({"constants.recognize": 2.0})
    low, high = BY_ID["pull"].low, BY_ID["pull"].high
    with pytest.raises(ParameterError, match="constants.pull"):
        Params().with_overrides({"constants.pull": high + 1.0})
    assert low < high


def test_odd_prints_the_tension_and_lever_tables():
    """docs/ODD.md 1.4 holds one measured row per tension of tests/make_tensions.py and per
    lever (regenerate with ``python -m tests.make_tensions``)."""
    from tests.make_tensions import MARKERS, PATHWAYS, TENSIONS
    text = ODD.read_text(encoding="utf-8")
    for which, rows in (("tensions", len(TENSIONS)), ("levers", len(LEVERS)), ("pathways", len(PATHWAYS))):
        start, end = MARKERS[which]
        table = text.split(start, 1)[1].split(end, 1)[0].strip().splitlines()
        assert len(table) == rows + 2, (which, len(table))
