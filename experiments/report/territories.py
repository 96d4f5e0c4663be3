"""``territories.csv``: outcomes per territory and replication (issue 9, item 10).

The columns are those of :data:`simulation.territories.TERRITORY_COLUMNS` (units in that
module's docstring), after ``rep``, ``seed``, ``territory`` (index) and ``name`` (the name
given in the territories table, or ``T<index>`` for generated territories).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd


def territory_table(per_rep: Sequence[dict[str, Any]], seeds: Sequence[int],
                    names: Sequence[str] | None = None, extra: dict[str, Sequence] | None = None
                    ) -> pd.DataFrame:
    """One row per territory and replication; ``extra`` adds one value per replication."""
    from simulation.territories import TERRITORY_COLUMNS

    frames = []
    for k, (cols, seed) in enumerate(zip(per_rep, seeds, strict=True)):
        n = len(cols["impact"])
        frame = pd.DataFrame({"rep": k, "seed": seed, "territory": range(n),
                              "name": list(names) if names else [f"T{t}" for t in range(n)]})
        for key, values in (extra or {}).items():
            frame[key] = values[k]
        for c in TERRITORY_COLUMNS:
            frame[c] = cols[c]
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def names_of(params: Any) -> list[str] | None:
    """Territory names from the parameters' table of territories, or None."""
    recs = params.territories.records
    return [r.name for r in recs] if recs else None
