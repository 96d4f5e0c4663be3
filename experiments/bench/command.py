"""``alliance bench``: how fast the model and the sweep engine are on the machine at hand.

Prints, measured in one go (issue 5): the median seconds per baseline run on one core and
the share of that time per submodel; the sweep executor's runs per second with 1 and 2
workers and its parallel efficiency; the same runs through ``mesa.batch_run`` (the same model
class, ``number_processes=2``, ``data_collection_period=-1``, one model reporter per summary
key) and the ratio of the two throughputs; the France-scale scenario's seconds per run and
peak memory (in a child process, so the peak is that of a process that ran only this); the
time per run at 20 to 1,250 territories and at 60 to 240 months with the slope of
log(time) against log(size); and the projected duration of the shipped Sobol design and of a
45,056-run design. Nothing is asserted: the figures are printed (``--json``: as one dict).

Throughputs are measured twice for the executor: "cold" includes starting the worker
processes (as every ``batch_run`` call does, so the ratio compares like with like) and
"warm" is a pool already running (what a long design sees). The 45,056-run and Sobol
projections use the warm throughput. Both engines run ``AllianceModel(agents=False)`` and
must give the same summaries (checked and printed). Note that ``mesa.batch_run`` sets the
process's global start method to ``spawn`` (Mesa's doing); nothing after it here needs fork.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
SOBOL_SPEC = Path(__file__).resolve().parent / "levers_sobol.toml"
BIG_DESIGN = 45_056


def _log(text: str) -> None:
    print(f"bench: {text}", file=sys.stderr, flush=True)


def _tasks(seeds: range, params: Any) -> list[dict]:
    return [{"params": params.with_overrides({"run.seed": s}).model_dump(), "series": False}
            for s in seeds]


def _time_runs(params: Any, reps: int, stat: Any = np.median) -> float:
    from simulation import run

    times = []
    for r in range(reps):
        p = params.with_overrides({"run.seed": r})
        t0 = time.perf_counter()
        run(p, series=False)
        times.append(time.perf_counter() - t0)
    return float(stat(times))


def _slope(sizes: list[int], seconds: list[float]) -> float:
    return float(np.polyfit(np.log(sizes), np.log(seconds), 1)[0])


def scaled(n: int) -> Any:
    """Baseline at ``n`` territories with money per territory kept (the france_scale recipe:
    national budgets x n/20, each region's foundation x territories per region / 5), about
    96 territories per region (France: 1,250 in 13), at least the baseline's 4 regions."""
    from simulation import Params

    base = Params()
    n0, r0, f = base.territories.count, base.territories.regions, base.funding
    regions = min(13, max(r0, round(n / 96)))
    k = n / n0
    return base.with_overrides({
        "territories.count": n, "territories.regions": regions,
        "funding.state_budget": f.state_budget * k, "funding.foundation_budget": f.foundation_budget * k,
        "funding.local_foundation_budget": f.local_foundation_budget * (n / regions) / (n0 / r0)})


def measure(quick: bool = False, skip_france: bool = False) -> dict[str, Any]:
    """Every figure of the benchmark, as a dict (what ``--json`` prints)."""
    import mesa
    import numba
    from mesa.batchrunner import batch_run

    from experiments.bench.profile import BatchAllianceModel, profile_runs
    from experiments.execution.executor import Executor, run_many, run_model
    from simulation import Params, run
    from simulation.compiled import source_hash

    cores = os.cpu_count() or 1
    out: dict[str, Any] = {"machine": {"cores": cores, "python": sys.version.split()[0],
                                       "numba": numba.__version__, "mesa": mesa.__version__,
                                       "quick": quick, "load_average_before": os.getloadavg()[0],
                                       "model_source_hash": source_hash()[:16]}}
    base = Params()
    reps, n_sweep = (5, 40) if quick else (30, 400)
    _log("baseline on one core")
    for s in range(3 if quick else 20):  # warm-up: compiled kernels, caches
        run(base.with_overrides({"run.seed": 10_000 + s}), series=False)
    per_run = _time_runs(base, reps)
    prof = profile_runs([base.with_overrides({"run.seed": s}) for s in range(3 if quick else 20)])
    secs = prof["seconds"]
    secs["month dispatch + series row"] = max(0.0, per_run - sum(secs.values()))
    total = sum(secs.values())
    out["baseline"] = {"seconds_per_run": per_run, "runs_timed": reps, "profile_faithful": prof["faithful"],
                       "profile_share": {k: v / total for k, v in secs.items()},
                       "profile_seconds": secs}

    _log(f"sweep executor, {n_sweep} runs with 1 and 2 workers")
    tasks = _tasks(range(n_sweep), base)
    t0 = time.perf_counter()
    one = run_many(run_model, tasks, workers=1)
    rps1 = n_sweep / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    two = run_many(run_model, tasks, workers=2)
    rps2_cold = n_sweep / (time.perf_counter() - t0)
    with Executor(workers=2) as ex:
        ex.map(run_model, _tasks(range(100_000, 100_000 + n_sweep // 4), base))  # start the pool
        t0 = time.perf_counter()
        ex.map(run_model, tasks)
        rps2 = n_sweep / (time.perf_counter() - t0)
    out["executor"] = {"runs": n_sweep, "runs_per_second_1": rps1, "runs_per_second_2_cold": rps2_cold,
                       "runs_per_second_2": rps2, "parallel_efficiency": rps2 / (2 * rps1),
                       "parallel_efficiency_cold": rps2_cold / (2 * rps1),
                       "same_results_1_and_2": [r["summary"] for r in one] == [r["summary"] for r in two]}

    _log(f"mesa.batch_run, {n_sweep} runs with number_processes=2")
    t0 = time.perf_counter()
    rows = batch_run(BatchAllianceModel, parameters={"territories": base.territories.count},
                     number_processes=2, rng=list(range(n_sweep)), data_collection_period=-1,
                     max_steps=base.run.months, display_progress=False)
    rps_mesa = n_sweep / (time.perf_counter() - t0)
    by_seed = {int(r["rng"]): r for r in rows}
    same = all(by_seed[s][k] == v for s, r in enumerate(one) for k, v in r["summary"].items())
    out["batch_run"] = {"runs": n_sweep, "runs_per_second_2": rps_mesa, "same_results": same,
                        "executor_over_batch_run_cold": rps2_cold / rps_mesa,
                        "executor_over_batch_run_warm": rps2 / rps_mesa}

    sizes = [20, 100] if quick else [20, 100, 400]
    _log(f"territories {sizes}, months 60/120/240")
    # the scaling fits take the fastest repetition: least disturbed by other processes
    times = [_time_runs(scaled(n), 2 if quick else (9 if n <= 100 else 3), min) for n in sizes]
    if not skip_france:
        _log("france_scale in a child process")
        proc = subprocess.run([sys.executable, "-m", "experiments.bench.profile", "3"], cwd=ROOT,
                              capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
        fr = json.loads(proc.stdout)
        out["france"] = {"territories": fr["territories"], "months": fr["months"],
                         "seconds_per_run": float(np.median(fr["seconds"])), "peak_memory_mb": fr["peak_mb"]}
        sizes, times = sizes + [fr["territories"]], times + [min(fr["seconds"])]
    months = [60, 120, 240]
    mtimes = [_time_runs(base.with_overrides({"run.months": m}), 3 if quick else 15, min) for m in months]
    out["scaling"] = {"territories": sizes, "seconds_per_run": times, "slope": _slope(sizes, times),
                      "slope_largest_two": _slope(sizes[-2:], times[-2:]),
                      "months": months, "seconds_per_run_months": mtimes, "slope_months": _slope(months, mtimes),
                      "seconds_per_extra_month": (mtimes[-1] - mtimes[0]) / (months[-1] - months[0])}
    # on the cores at hand: measured for 2; else 1 worker's rate x cores x the 2-worker efficiency
    eff = out["executor"]["parallel_efficiency"]
    out["machine"]["load_average_after"] = os.getloadavg()[0]
    out["machine"]["model_changed_during_bench"] = source_hash()[:16] != out["machine"]["model_source_hash"]
    out["projection"] = _projection(rps2 if cores == 2 else rps1 * cores * (eff if cores > 1 else 1.0), cores)
    return out


def _projection(rps: float, cores: int) -> dict[str, Any]:
    """Runs of the shipped Sobol design (pilot + design points x replications, for the
    smallest and largest replications "auto" may choose) and hours at ``rps`` runs/s."""
    from experiments.sensitivity.runs import design_parts
    from experiments.sensitivity.spec import load_spec

    spec = load_spec(SOBOL_SPEC)
    points = sum(u.shape[0] for _, u in design_parts(spec).values())
    pilot = (spec.pilot["points"] + 1) * spec.pilot["seeds"]
    reps = [spec.replications] if spec.replications != "auto" else [2, spec.max_replications]
    runs = [pilot + points * r for r in reps]
    return {"cores": cores, "runs_per_second": rps, "sobol_spec": SOBOL_SPEC.name, "sobol_points": points,
            "sobol_replications": reps, "sobol_runs": runs, "sobol_minutes": [n / rps / 60 for n in runs],
            "big_design_runs": BIG_DESIGN, "big_design_minutes": BIG_DESIGN / rps / 60}


def table(r: dict[str, Any]) -> str:
    """The figures as a readable table."""
    m, b, e, bm, sc, pj = (r[k] for k in ("machine", "baseline", "executor", "batch_run", "scaling", "projection"))
    lines = [f"alliance bench on {m['cores']} cores (python {m['python']}, numba {m['numba']}, "
             f"mesa {m['mesa']}{', quick' if m['quick'] else ''}); load average (1 min) "
             f"{m['load_average_before']:.2f} before, {m['load_average_after']:.2f} after"
             + ("\n   << the machine was busy before the bench started: figures are pessimistic"
                if m["load_average_before"] > 0.5 else "")
             + ("\n   << the model's sources changed during the bench: figures mix two models"
                if m["model_changed_during_bench"] else ""), "",
             f"1. baseline, one core: {b['seconds_per_run'] * 1000:.2f} ms per run (median of "
             f"{b['runs_timed']})   profile faithful: {'yes' if b['profile_faithful'] else 'NO'}",
             f"   {'part':<30}{'ms/run':>9}{'share':>8}"]
    for k, v in sorted(b["profile_seconds"].items(), key=lambda kv: -kv[1]):
        lines.append(f"   {k:<30}{v * 1000:>9.3f}{b['profile_share'][k]:>8.1%}")
    lines += ["", f"2. sweep executor, {e['runs']} baseline runs: 1 worker {e['runs_per_second_1']:.1f} runs/s; "
              f"2 workers {e['runs_per_second_2']:.1f} runs/s warm ({e['runs_per_second_2_cold']:.1f} cold, "
              "pool start included)",
              f"   parallel efficiency {e['parallel_efficiency']:.2f} warm ({e['parallel_efficiency_cold']:.2f} cold); "
              f"same results with 1 and 2 workers: {'yes' if e['same_results_1_and_2'] else 'NO'}",
              f"3. mesa.batch_run, number_processes=2: {bm['runs_per_second_2']:.1f} runs/s; executor / batch_run "
              f"= {bm['executor_over_batch_run_cold']:.2f} cold, {bm['executor_over_batch_run_warm']:.2f} warm; "
              f"same results: {'yes' if bm['same_results'] else 'NO'}"]
    fr = r.get("france")
    lines.append(f"4. france_scale ({fr['territories']} territories, {fr['months']} months): "
                 f"{fr['seconds_per_run']:.2f} s per run, peak memory {fr['peak_memory_mb']:.0f} MB"
                 if fr else "4. france_scale: skipped (--skip-france)")
    lines.append("5. time per run (fastest of the repetitions): " + ", ".join(f"{n} territories {t * 1000:.1f} ms" for n, t in
                                                 zip(sc["territories"], sc["seconds_per_run"], strict=True)))
    lines.append(f"   slope of log(time) on log(territories): {sc['slope']:.2f} overall, "
                 f"{sc['slope_largest_two']:.2f} between the two largest ({_verdict(sc['slope_largest_two'])})")
    lines.append("   " + ", ".join(f"{n} months {t * 1000:.1f} ms" for n, t in
                                    zip(sc["months"], sc["seconds_per_run_months"], strict=True))
                 + f"; slope {sc['slope_months']:.2f} ({_verdict(sc['slope_months'])}; "
                 f"{sc['seconds_per_extra_month'] * 1e6:.0f} us per extra month)")
    lines.append(f"6. on {pj['cores']} cores at {pj['runs_per_second']:.1f} runs/s: {pj['sobol_spec']} = "
                 + " to ".join(f"{n} runs ({t:.1f} min)" for n, t in zip(pj["sobol_runs"], pj["sobol_minutes"], strict=True))
                 + f" (replications {pj['sobol_replications']}); "
                 f"{pj['big_design_runs']} runs: {pj['big_design_minutes']:.1f} min")
    return "\n".join(lines)


def _verdict(slope: float) -> str:
    return "better than linear" if slope < 0.9 else "linear" if slope <= 1.1 else "WORSE than linear"


def register(subparsers: Any) -> None:
    """Add ``alliance bench`` to the command's subparsers."""
    p = subparsers.add_parser("bench", help="benchmark the model and the sweep engine on this machine",
                              description=__doc__.split("\n\n")[0])
    p.add_argument("--json", action="store_true", help="print the figures as one JSON dict")
    p.add_argument("--quick", action="store_true", help="fewer repetitions and runs (for tests)")
    p.add_argument("--skip-france", action="store_true", help="skip the France-scale runs")
    p.set_defaults(func=command)


def command(args: argparse.Namespace) -> int:
    result = measure(quick=args.quick, skip_france=args.skip_france)
    print(json.dumps(result, indent=2) if args.json else table(result))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="alliance")
    register(parser.add_subparsers(required=True))
    return command(parser.parse_args(["bench", *(argv or [])]))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
