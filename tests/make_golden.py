"""Regenerate tests/golden.json: the summaries that tests/test_golden.py pins.

Run from the repository root, in the commit that changes a mechanism on purpose, and give the
reason in the commit message::

    python -m tests.make_golden

Each case is a scenario of scenarios/ plus dotted overrides; the file stores the cases with
their summaries and a hash of the model's sources (to tell, when the test fails, whether the
model's code changed since the file was made).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent / "golden.json"

#: name -> (scenario, overrides). Small and fast: the whole file runs in about a second.
CASES: dict[str, tuple[str, dict]] = {
    "baseline_seed0": ("baseline", {"run.seed": 0}),
    "baseline_seed1": ("baseline", {"run.seed": 1}),
    "subsidiarity_seed0": ("subsidiarity", {"run.seed": 0}),
    "pooled_fund_seed0": ("pooled_fund", {"run.seed": 0}),
    "competitive_calls_heavy_seed2": ("competitive_calls_heavy", {"run.seed": 2}),
    "two_territories_24_months": ("baseline", {"run.seed": 5, "territories.count": 2, "run.months": 24}),
}


def case_summary(scenario: str, overrides: dict) -> dict[str, float]:
    """The summary of one case, through the public run contract."""
    from experiments.io.scenarios import load
    from simulation import run

    params = load(scenario).params.with_overrides(overrides)
    summary, _ = run(params, series=False)
    return {k: float(v) for k, v in summary.items()}


def golden() -> dict:
    from experiments.execution.compiled import compile_kernels, source_hash

    compile_kernels()  # numba keys its cache on each kernel's own file: drop a stale one first

    return {
        "about": "Regenerate with `python -m tests.make_golden` when a mechanism changes on purpose; "
                 "give the reason in the commit message.",
        "model_source_hash": source_hash(),
        "cases": {name: {"scenario": sc, "overrides": ov, "summary": case_summary(sc, ov)}
                  for name, (sc, ov) in CASES.items()},
    }


def main() -> int:
    GOLDEN.write_text(json.dumps(golden(), indent=1, sort_keys=False) + "\n")
    print(f"wrote {GOLDEN.relative_to(Path.cwd()) if GOLDEN.is_relative_to(Path.cwd()) else GOLDEN} "
          f"({len(CASES)} cases)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
