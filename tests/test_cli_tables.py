"""The command writes its tables without pandas (experiments/io/results.py): the same bytes
as pandas' ``to_csv(index=False)`` and the same Arrow table as ``Table.from_pandas``."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from experiments.io import results as res

#: Cells that format differently in naive writers: NaN (an empty cell), infinities, the
#: switch to exponents at 1e16 and 1e-4, negative zero, long mantissas, huge integers, and
#: text needing quotes (commas, quotes, line ends) or not ASCII.
EDGES = {
    "rep": np.array([0, 1, 2, 3, 4, 5, 6, 7], dtype=np.int64),
    "seed": np.array([0, 2**63 - 1, 7, 8, 9, 10, 11, 12], dtype=np.int64),
    "x": np.array([np.nan, np.inf, -np.inf, 1e16, 9999999999999998.0, 1e-4, 9.99e-5, -0.0]),
    "y": np.array([0.1 + 0.2, 1 / 3, 2.5e-310, 1.7976931348623157e308, -1.5, 123456789.0, 0.0, 1e22]),
    "scenario": np.array(["baseline", "a,b", 'say "hi"', "two\nlines", "é « » €", "", " x ", "baseline[dialogue=1,evaluation=0.5]"],
                         dtype=object),
}


def test_csv_is_byte_for_byte_what_pandas_writes():
    mine, theirs = io.StringIO(), io.StringIO()
    res.write_csv(mine, EDGES)
    pd.DataFrame(EDGES).to_csv(theirs, index=False)
    assert mine.getvalue() == theirs.getvalue()
    more = io.StringIO()  # appended without its header, as the streamed tables do
    res.write_csv(more, EDGES, header=False)
    assert more.getvalue() == theirs.getvalue().split("\n", 1)[1]


def test_arrow_table_is_what_pandas_gives():
    mine = res._arrow(EDGES)
    theirs = pa.Table.from_pandas(pd.DataFrame(EDGES), preserve_index=False)
    assert mine.schema.equals(theirs.schema.remove_metadata())
    assert mine.equals(theirs.replace_schema_metadata(None))
    assert mine.column("x").null_count == 1  # NaN is null, as from pandas


def test_stacked_series_and_replications_match_the_pandas_tables():
    months = {"month": np.array([1, 2], dtype=np.int64), "impact": np.array([0.5, np.nan])}
    series = res.stack_series([months, pd.DataFrame(months)], [3, 4], extra={"scenario": ["a", "b,c"]})
    expected = pd.concat([pd.DataFrame(months).assign(scenario=s, rep=r, seed=seed)[["scenario", "rep", "seed", "month",
                                                                                    "impact"]]
                          for s, r, seed in (("a", 0, 3), ("b,c", 1, 4))], ignore_index=True)
    pd.testing.assert_frame_equal(pd.DataFrame(series), expected, check_dtype=False)
    assert [series[c].dtype.kind for c in ("rep", "seed", "month", "impact")] == ["i", "i", "i", "f"]
    fake = {o.key: 1.0 for o in res.OUTCOMES}
    reps = res.replication_table([fake, {**fake, "impact": np.nan}], [5, 6])
    assert list(reps)[:3] == ["rep", "seed", res.OUTCOMES[0].key]
    assert res.summarise(reps)["impact"]["n"] == 1  # a table of columns is summarised like the dicts


@pytest.mark.parametrize("names", [None, ["Nord", "Sud, Est"]])
def test_territory_rows_match_a_pandas_table(names):
    from experiments.report.territories import territory_table
    from simulation.territories import TERRITORY_COLUMNS

    cols = {c: np.array([1.0, 2.5]) for c in TERRITORY_COLUMNS}
    frame = pd.DataFrame({"rep": 3, "seed": 9, "territory": range(2), "name": names or ["T0", "T1"]})
    for c in TERRITORY_COLUMNS:
        frame[c] = cols[c]
    theirs = io.StringIO()
    frame.to_csv(theirs, index=False)
    mine = io.StringIO()
    res.write_csv(mine, res.territory_columns(3, 9, cols, names))
    assert mine.getvalue() == theirs.getvalue()
    pd.testing.assert_frame_equal(territory_table([cols], [9], names).assign(rep=3), frame)
