"""End to end: ``alliance bench --quick --skip-france --json`` runs through the real command
and prints every figure as a positive finite number. No timing is asserted: the benchmark
prints, the issue note quotes it."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

EXPECTED = {
    "baseline": ["seconds_per_run"],
    "executor": ["runs_per_second_1", "runs_per_second_2", "runs_per_second_2_cold", "parallel_efficiency"],
    "batch_run": ["runs_per_second_2", "executor_over_batch_run_cold", "executor_over_batch_run_warm"],
    "scaling": ["slope", "slope_months"],
    "projection": ["runs_per_second", "big_design_minutes"],
}


def _positive(x) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x) and x > 0


@pytest.mark.slow
def test_bench_quick_json_through_the_command():
    proc = subprocess.run([sys.executable, "-m", "experiments.cli", "bench", "--quick", "--skip-france", "--json"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout)
    for section, keys in EXPECTED.items():
        for key in keys:
            assert _positive(out[section][key]), f"{section}.{key} = {out[section].get(key)!r}"
    b = out["baseline"]
    assert b["profile_faithful"] is True, "the profile's replay of step_month no longer matches the model"
    assert set(b["profile_share"]) >= {"initialisation", "summary", "funding", "needs"}
    assert all(math.isfinite(v) and v >= 0 for v in b["profile_share"].values())
    assert math.isclose(sum(b["profile_share"].values()), 1.0, rel_tol=1e-9)
    assert out["executor"]["same_results_1_and_2"] and out["batch_run"]["same_results"]
    assert all(_positive(t) for t in out["scaling"]["seconds_per_run"])
    assert all(_positive(n) for n in out["projection"]["sobol_runs"])
    assert "france" not in out
