"""What keeps the command quick (issue 8, item 5) without changing a result: a table of
scipy's t quantiles, numba's cached kernels loaded without importing numba's own modules, and
a sensitivity dry run that starts no process pool. Speed itself is measured by
``alliance bench --latency``, never here."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def test_t_quantile_table_is_scipys_bit_for_bit():
    from scipy.special import stdtrit

    from experiments.io.t_quantiles import T975, t975

    assert len(T975) == 1000
    assert [float(stdtrit(df, 0.975)) for df in range(1, len(T975) + 1)] == list(T975)
    assert t975(len(T975) + 1) == float(stdtrit(len(T975) + 1, 0.975))  # beyond the table: scipy


def test_describe_interval_is_the_one_scipy_gives():
    import math

    import numpy as np
    from scipy.special import stdtrit

    from experiments.io.results import describe

    x = np.random.default_rng(3).normal(size=30)
    st = describe(x)
    half = float(stdtrit(29, 0.975)) * float(x.std(ddof=1)) / math.sqrt(30)
    assert (st["ci95_low"], st["ci95_high"]) == (float(x.mean()) - half, float(x.mean()) + half)


def test_sensitivity_dry_run_starts_no_pool(tmp_path, monkeypatch):
    """review-8b F17: the estimate times runs in this process and prints the load."""
    import concurrent.futures

    from experiments.sensitivity.command import dry_run

    def refused(*args, **kwargs):
        raise AssertionError("a dry run started a process pool")

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", refused)
    monkeypatch.setattr("experiments.execution.executor.ProcessPoolExecutor", refused)
    spec = tmp_path / "spec.toml"
    spec.write_text('method = "regression"\nmodel = "testmodels:noisy_linear"\noutcomes = ["y"]\n'
                    "[factors]\np = [0, 1]\nq = [0, 1]\nr = [0, 1]\n[regression]\npoints = 64\n[pilot]\npoints = 4\nseeds = 4\n")
    text = dry_run(spec, workers=2)
    assert "on 2 idle workers: pool start 1.5 s" in text
    assert "design runs timed in this process" in text
    assert "load average now" in text


@pytest.mark.slow
def test_a_run_loads_the_kernels_without_numbas_array_modules_or_scipy(tmp_path):
    """A small ``alliance run`` imports neither scipy.special, scipy.linalg nor numba's array library modules (their
    environments are rebuilt without them, experiments/execution/compiled.py), and its runs are
    those of a process that imported them (same summaries, bit for bit)."""
    code = ("import sys, json\nfrom experiments.cli import main\nmain(sys.argv[1:])\n"
            "heavy = ('scipy.special', 'scipy.linalg', 'numba.np.arraymath', 'numba.np.arrayobj', 'pandas', 'matplotlib')\n"
            "print('HEAVY', sorted(m for m in heavy if m in sys.modules), file=sys.stderr)\n")
    env = {"PYTHONPATH": str(REPO), "PATH": os.environ.get("PATH", "")}
    done = subprocess.run([sys.executable, "-c", code, "run", "baseline", "--reps", "2", "--months", "12", "--quiet",
                           "--out", "out", "--figures", "none", "--json"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    assert "HEAVY []" in done.stderr, done.stderr

    import json

    import numba.np.arraymath  # noqa: F401  # this process: numba's modules imported as usual

    from experiments.execution.executor import run_model
    from experiments.io import results as res
    from experiments.io import scenarios as scn

    got = json.loads(done.stdout)
    params = scn.load("baseline").params.model_dump()
    params["run"]["months"] = 12
    here = [run_model({"params": params, "seed": s, "series": False})["summary"] for s in got["seeds"]]
    assert {k: v["mean"] for k, v in res.summarise(here).items()} == {k: v["mean"] for k, v in got["outcomes"].items()}


@pytest.mark.parametrize("reps", [1, 2, 7])
def test_comparison_tables_are_those_pandas_wrote(tmp_path, reps):
    """comparison.csv and comparison.tex, now written from columns, are byte for byte those of
    ``DataFrame(rows).to_csv`` and ``latex(display(DataFrame(rows)))`` (the former code),
    including NaN outcomes and the missing intervals and p-values of one replication."""
    import numpy as np
    import pandas as pd

    from experiments import cli
    from experiments.io import results as res
    from experiments.report.outputs import display, latex
    from simulation.outcomes import OUTCOME_KEYS

    rng = np.random.default_rng(reps)
    runs = {lab: [{k: float(rng.normal()) for k in OUTCOME_KEYS} for _ in range(reps)] for lab in ("a", "b", "c")}
    runs["b"][0][OUTCOME_KEYS[3]] = float("nan")  # undefined in one seed
    for r in runs["c"]:
        r[OUTCOME_KEYS[1]] = runs["a"][0][OUTCOME_KEYS[1]] if reps == 1 else r[OUTCOME_KEYS[1]]
    labels = ["a", "b", "c"]
    stats = {lab: res.summarise(runs[lab]) for lab in labels}
    diffs = {lab: cli._with_fdr(res.paired_differences(runs["a"], runs[lab])) for lab in labels[1:]}
    cli._export_comparison(tmp_path, labels, stats, diffs)
    table = pd.DataFrame(cli.comparison_rows(labels, stats, diffs))
    table.to_csv(tmp_path / "pandas.csv", index=False)
    tex = latex(display(table), "Paired differences against a (95% CI, BH q-values)", "comparison")
    assert (tmp_path / "comparison.csv").read_bytes() == (tmp_path / "pandas.csv").read_bytes()
    assert (tmp_path / "comparison.tex").read_text(encoding="utf-8") == tex
