"""``territories.csv``: outcomes per territory and replication (issue 9, item 10).

The columns are those of :data:`simulation.territories.TERRITORY_COLUMNS` (units in that
module's docstring), after ``rep``, ``seed``, ``territory`` (index) and ``name`` (the name
given in the territories table, or ``T<index>`` for generated territories).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


def territory_table(per_rep: Sequence[dict[str, Any]], seeds: Sequence[int],
                    names: Sequence[str] | None = None, extra: dict[str, Sequence] | None = None
                    ) -> pd.DataFrame:
    """One row per territory and replication; ``extra`` adds one value per replication."""
    import pandas as pd

    from experiments.io.results import concat_columns, territory_columns

    return pd.DataFrame(concat_columns([
        territory_columns(k, seed, cols, names, {key: values[k] for key, values in (extra or {}).items()})
        for k, (cols, seed) in enumerate(zip(per_rep, seeds, strict=True))]))


def names_of(params: Any) -> list[str] | None:
    """Territory names from the parameters' table of territories, or None."""
    recs = params.territories.records
    return [r.name for r in recs] if recs else None
