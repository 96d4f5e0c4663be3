"""The lever ranking on impact across lever strengths drawn within their plausible ranges
(docs/ODD.md 1.4, session 20): the standard strengths, then 4 draws of every lever pair's
"with" end uniformly within its range (simulation/constants.py), each lever 0 -> 1 (Charter
levers) or default -> 1 (additions) on 20 paired seeds; prints each draw's top 8 and writes
every effect to lever_strengths.json. Run: ``.venv/bin/python -m tests.measure_lever_strengths``
(about 5,000 runs). A smaller check than experiments/levers_structural.toml (7,168 runs)."""

from __future__ import annotations

import json

import numpy as np

from simulation.constants import CONSTANTS
from simulation.levers import LEVERS
from tests.helpers import outcomes

SEEDS = range(20)
DRAWS = 4


def main() -> None:
    ends = [c for c in CONSTANTS if c.id.startswith("lever_") and c.id.endswith("_with") and c.runtime and c.low < c.high]
    rng = np.random.default_rng(2020)
    draws = [{}] + [{f"constants.{c.id}": float(rng.uniform(c.low, c.high)) for c in ends} for _ in range(DRAWS)]
    res = []
    for k, dr in enumerate(draws):
        base = outcomes(dr, SEEDS)
        eff = {}
        for lv in LEVERS:
            low = outcomes({**dr, f"levers.{lv.id}": 0.0}, SEEDS) if lv.default > 0 else base
            high = outcomes({**dr, f"levers.{lv.id}": 1.0}, SEEDS)
            d = np.array([y["impact"] - x["impact"] for x, y in zip(low, high, strict=True)])
            eff[lv.id] = (float(d.mean()), float(d.std(ddof=1) / np.sqrt(len(d))))
        order = sorted(eff, key=lambda i: -eff[i][0])
        res.append({"draw": k, "effects": eff, "order": order})
        print(k, [(i, round(eff[i][0], 2)) for i in order[:8]], flush=True)
    with open("lever_strengths.json", "w") as f:
        json.dump(res, f)


if __name__ == "__main__":
    main()
