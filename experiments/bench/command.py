"""``alliance bench``: how fast the model, the sweep engine and the command are here.

Every time is measured twice, as CPU time of the process (what a shared machine cannot
inflate much) and as wall time, and given as minimum and median. Printed, in one go:

1. a baseline run on one core (``ms_per_run_cpu``) and the share of it per submodel;
2. the executor's runs per second with 1 and 2 workers on a design of baseline runs
   (``runs_per_s_2_workers``, wall, pool already running), the runs per second two idle
   cores would give from the CPU time per run of design execution, and from that of the
   compiled kernel alone (``kernel_cpu_ms_per_run``: the ceiling, Python overhead aside);
3. the time per run from 100 to 5,000 territories with money per territory held constant
   (the budgets of the parameters are per territory; only the count and the regions change,
   about 96 territories per region) and the exponent of time against size
   (``scaling_exponent_100_5000``, on the fastest CPU time of each size; null with ``--quick``,
   which times 100 and 400 territories only);
4. the like-for-like ratio of an idiomatic per-agent Mesa version of the emergence, action and
   funding submodels to the compiled kernels, one month from the same states, both ending in the same
   state (``idiomatic_mesa_ratio``, of the summed CPU times; per submodel in
   ``idiomatic_mesa.per_submodel``; at 400 territories, where calling the kernel from Python costs
   little next to its work);
5. the latency of the command as a user meets it (``latency_s``, keyed by command: CPU and
   wall seconds of the whole process, each command in a new process as typed, only ``--out``
   added for run and compare, min and median), with a warm numba cache (``--latency``: this
   section alone); for ``run`` and ``compare`` also ``figures_wall_s``, from the start
   until the figure drawn by the detached process is in the folder (the next command waits
   for it, so that it is not timed against a figure being drawn).

Nothing is asserted: the figures are printed (``--json``: as one dict). ``--quick`` runs
fewer and smaller cases (for tests): its figures are not the bench's.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]

#: Commands timed for latency, as a user types them after ``alliance``.
LATENCY = (("--help",), ("scenarios",), ("levers",), ("run", "baseline", "--reps", "8"),
           ("compare", "baseline", "subsidiarity", "--reps", "30"))
QUICK_LATENCY = (("--help",), ("levers",), ("run", "baseline", "--reps", "2", "--months", "12"))
#: Issue 8's goals (seconds, whole process, warm cache, quiet machine), per command.
LATENCY_GOAL_S = {"--help": 0.5, "scenarios": 0.5, "levers": 0.5, "run baseline --reps 8": 1.5,
                  "compare baseline subsidiarity --reps 30": 2.5}


def _log(text: str) -> None:
    print(f"bench: {text}", file=sys.stderr, flush=True)


def _stats(values: Sequence[float]) -> dict[str, float]:
    import numpy as np

    return {"min": float(np.min(values)), "median": float(np.median(values))}


def timed(fn: Callable[[], Any], repeat: int) -> dict[str, dict[str, float]]:
    """CPU and wall seconds of ``fn()``, min and median over ``repeat`` calls."""
    cpu, wall = [], []
    for _ in range(repeat):
        c, w = time.process_time(), time.perf_counter()
        fn()
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - w)
    return {"cpu_s": _stats(cpu), "wall_s": _stats(wall)}


def scaled(n: int) -> Any:
    """The baseline at ``n`` territories, money per territory unchanged: the budgets are
    per territory already, so only the count and the regions (about 96 territories per
    region, as France's 1,250 in 13, at least the baseline's) change."""
    from simulation import Params

    base = Params()
    regions = min(13, max(base.territories.regions, round(n / 96)))
    return base.with_overrides({"territories.count": n, "territories.regions": regions})


def _slope(sizes: Sequence[int], seconds: Sequence[float]) -> float:
    import numpy as np

    return float(np.polyfit(np.log(sizes), np.log(seconds), 1)[0])


def baseline(quick: bool) -> dict[str, Any]:
    from experiments.bench.profile import profile_runs
    from simulation import Params, run

    base = Params()
    seeds = iter(range(10**6))
    for _ in range(3):
        run(base, series=False)  # compiled kernels loaded, caches warm
    t = timed(lambda: run(base.with_overrides({"run.seed": next(seeds)}), series=False), 10 if quick else 40)
    prof = profile_runs([base.with_overrides({"run.seed": s}) for s in range(3 if quick else 20)])
    secs = prof["seconds"]
    total = sum(secs.values())
    return {"per_run": t, "profile_faithful": prof["faithful"],
            "profile_share": {k: v / total for k, v in secs.items()}}


def executor(quick: bool) -> dict[str, Any]:
    """Design execution: tasks of validated parameter dicts through ``run_model``."""
    from experiments.execution.executor import Executor, run_model
    from simulation import Params

    n = 60 if quick else 600
    base = Params().model_dump()

    def tasks(first: int) -> list[dict]:
        return [{"params": {**base, "run": {**base["run"], "seed": first + s}}, "series": False}
                for s in range(n)]

    with Executor(workers=1) as ex:
        ex.map(run_model, tasks(10**5)[:5])
        one = timed(lambda: ex.map(run_model, tasks(0)), 1 if quick else 2)
    with Executor(workers=2) as ex:
        ex.map(run_model, tasks(10**5), chunk_size=max(1, n // 8))  # start and warm the pool
        two = timed(lambda: ex.map(run_model, tasks(0), chunk_size=max(1, n // 8)), 1 if quick else 2)
    cpu_per_run = one["cpu_s"]["min"] / n
    kernel = _kernel_cpu_per_run(20 if quick else 200)
    return {"runs": n, "runs_per_s_1_worker": n / one["wall_s"]["median"],
            "runs_per_s_2_workers": n / two["wall_s"]["median"],
            "cpu_ms_per_run_in_design": cpu_per_run * 1000,
            "runs_per_s_2_idle_cores_from_cpu": 2 / cpu_per_run,
            "kernel_cpu_ms_per_run": kernel * 1000,
            "runs_per_s_2_idle_cores_kernel_only": 2 / kernel}


def _kernel_cpu_per_run(n: int) -> float:
    """CPU seconds per run of the compiled months alone (``Engine.simulate``) over ``n`` baseline
    seeds (the least of two passes): the ceiling of design execution, whatever the Python around
    the kernel (set-up, summary, transfer) costs."""
    import numpy as np

    from simulation import Params
    from simulation.engine import Engine

    p = Params()
    passes = []
    for _ in range(2):
        total = 0.0
        for seed in range(n):
            engine = Engine(p, np.random.default_rng(seed))
            c = time.process_time()
            engine.simulate(p.run.months)
            total += time.process_time() - c
        passes.append(total / n)
    return min(passes)


def scaling(quick: bool) -> dict[str, Any]:
    from simulation import run

    sizes = [100, 400] if quick else [100, 400, 1250, 5000]
    months = 24 if quick else 120
    out = {}
    for n in sizes:
        p = scaled(n).with_overrides({"run.months": months})
        run(p.with_overrides({"run.months": 2}), series=False)
        out[n] = timed(lambda p=p: run(p, series=False), 2 if quick else (5 if n <= 400 else 3))
        _log(f"  {n} territories: {out[n]['cpu_s']['min'] * 1000:.0f} ms CPU per run")
    cpu = [out[n]["cpu_s"]["min"] for n in sizes]
    return {"territories": sizes, "months": months, "per_run": {str(n): out[n] for n in sizes},
            "exponent": _slope(sizes, cpu), "exponent_largest_two": _slope(sizes[-2:], cpu[-2:])}


def idiomatic(quick: bool) -> dict[str, Any]:
    from experiments.bench.idiomatic import compare
    from simulation import AllianceModel

    n = 100 if quick else 400
    model = AllianceModel(scaled(n).with_overrides({"run.seed": 1}), agents=False)
    return {"territories": n, **compare(model, range(6, 30 if quick else 120, 6))}


def latency(quick: bool) -> dict[str, Any]:
    """Each command in a new process, as typed, in a scratch folder; CPU from the
    operating system's accounting of the finished child."""
    env = {**os.environ, "MPLBACKEND": "Agg"}
    script = Path(sys.executable).with_name("alliance")  # the console script a user types
    entry = [str(script)] if script.exists() else [sys.executable, "-m", "experiments.cli"]
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for args in (QUICK_LATENCY if quick else LATENCY):
            argv = [*entry, *args]  # as typed: the progress bar is drawn (to a pipe), as a user sees it
            cpu, wall, figures = [], [], []
            for i in range(2 if quick else 6):
                folder = Path(scratch) / f"{len(out)}-{i}"
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                w = time.perf_counter()
                subprocess.run([*argv, "--out", str(folder)] if args[0] in ("run", "compare") else argv,
                               cwd=ROOT, env=env, capture_output=True, check=True)
                wall.append(time.perf_counter() - w)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
                if args[0] in ("run", "compare"):
                    figures.append(_figures_ready(folder, w) - w)
                if i == 0:
                    cpu.pop(), wall.pop()  # warm-up: disk caches
                    del figures[:]
            out[" ".join(args)] = {"cpu_s": _stats(cpu), "wall_s": _stats(wall),
                                   **({"figures_wall_s": _stats(figures)} if figures else {})}
    return out


def _figures_ready(out: Path, started: float, limit: float = 120.0) -> float:
    """The moment the background figure process of the one results folder in ``out`` has
    written its first figure or its error file (``perf_counter``)."""
    while time.perf_counter() - started < limit:
        if [p for p in out.glob("*/figures/*") if not p.name.startswith(".")]:
            return time.perf_counter()
        time.sleep(0.01)
    raise RuntimeError(f"bench: no figure in {out} after {limit:.0f} s")


def measure(quick: bool = False) -> dict[str, Any]:
    """Every figure of the benchmark, as one dict (what ``--json`` prints)."""
    from experiments.execution.compiled import compile_kernels
    from experiments.io.provenance import versions

    compile_kernels()
    out: dict[str, Any] = {"machine": {"cores": os.cpu_count(), "quick": quick, **versions(),
                                       "load_average_before": os.getloadavg()[0]}}
    _log("baseline on one core")
    out["baseline"] = baseline(quick)
    _log("executor with 1 and 2 workers")
    out["executor"] = executor(quick)
    _log("scaling with territories")
    out["scaling"] = scaling(quick)
    _log("idiomatic per-agent Mesa emergence, action and funding against the compiled kernels")
    out["idiomatic_mesa"] = idiomatic(quick)
    _log("latency of the command")
    timed_commands = latency(quick)
    out["machine"]["load_average_after"] = os.getloadavg()[0]
    out.update({
        "ms_per_run_cpu": out["baseline"]["per_run"]["cpu_s"]["median"] * 1000,
        "runs_per_s_2_workers": out["executor"]["runs_per_s_2_workers"],
        # --quick times 100 and 400 territories only: no figure under a name it did not measure
        "scaling_exponent_100_5000": None if quick else out["scaling"]["exponent"],
        "idiomatic_mesa_ratio": out["idiomatic_mesa"]["ratio"],
        "latency_s": timed_commands,
    })
    return out


def table(r: dict[str, Any]) -> str:
    """The figures as a readable text."""
    m, b, e, sc, idio = (r[k] for k in ("machine", "baseline", "executor", "scaling", "idiomatic_mesa"))

    def mm(t: dict, scale: float = 1000, unit: str = "ms") -> str:
        return (f"CPU {t['cpu_s']['min'] * scale:.2f}/{t['cpu_s']['median'] * scale:.2f} {unit}, "
                f"wall {t['wall_s']['min'] * scale:.2f}/{t['wall_s']['median'] * scale:.2f} {unit} (min/median)")

    lines = [f"alliance bench on {m['cores']} cores (python {m['python']}, numba {m['numba']}"
             f"{', quick: not the bench figures' if m['quick'] else ''}); load average (1 min) "
             f"{m['load_average_before']:.2f} before, {m['load_average_after']:.2f} after"
             + ("  << a busy machine: wall times are pessimistic, read CPU times"
                if max(m["load_average_before"], m["load_average_after"]) > 0.5 else ""), "",
             f"1. baseline run, one core: {mm(b['per_run'])}; profile faithful: "
             f"{'yes' if b['profile_faithful'] else 'NO'}"]
    for k, v in sorted(b["profile_share"].items(), key=lambda kv: -kv[1]):
        lines.append(f"     {k:<30}{v:>7.1%}")
    lines += [f"2. design of {e['runs']} baseline runs: {e['runs_per_s_1_worker']:.0f} runs/s with 1 worker, "
              f"{e['runs_per_s_2_workers']:.0f} runs/s with 2 (wall); CPU {e['cpu_ms_per_run_in_design']:.2f} ms "
              f"per run, i.e. at most {e['runs_per_s_2_idle_cores_from_cpu']:.0f} runs/s on 2 idle cores; the compiled "
              f"kernel alone {e['kernel_cpu_ms_per_run']:.2f} ms CPU, at most "
              f"{e['runs_per_s_2_idle_cores_kernel_only']:.0f} runs/s on 2 idle cores",
              f"3. {sc['months']} months, money per territory constant: "
              + ", ".join(f"{n} territories {sc['per_run'][str(n)]['cpu_s']['min'] * 1000:.0f} ms"
                          for n in sc["territories"])
              + f" (fastest CPU); exponent {sc['exponent']:.2f} from {sc['territories'][0]} to "
              f"{sc['territories'][-1]}, "
              f"{sc['exponent_largest_two']:.2f} between the two largest",
              f"4. idiomatic per-agent Mesa {', '.join(idio['submodels'])} at {idio['territories']} "
              f"territories: {idio['ratio']:.0f} times the compiled kernels' CPU time ("
              + ", ".join(f"{k} {v['ratio']:.0f}" for k, v in idio["per_submodel"].items())
              + f"; same end state: {'yes' if idio['same_state'] else 'NO'})",
              *latency_lines(r)]
    return "\n".join(lines)


def latency_lines(r: dict[str, Any]) -> list[str]:
    """Section 5 of :func:`table`: each command's CPU and wall seconds against its goal."""
    lines = ["5. latency, whole process, warm cache (CPU: the command's process and its children it waits for; "
             "the detached figure process is not counted):"]
    for cmd, t in r["latency_s"].items():
        goal = LATENCY_GOAL_S.get(cmd)
        f = t.get("figures_wall_s")
        lines.append(f"     alliance {cmd:<42} CPU {t['cpu_s']['min']:.2f}/{t['cpu_s']['median']:.2f} s, "
                     f"wall {t['wall_s']['min']:.2f}/{t['wall_s']['median']:.2f} s (min/median)"
                     + (f"; goal {goal} s wall" if goal is not None else "")
                     + (f"; figure in the folder after {f['min']:.2f}/{f['median']:.2f} s" if f else ""))
    return lines


def register(subparsers: Any) -> None:
    """Add ``alliance bench`` to the command's subparsers."""
    p = subparsers.add_parser("bench", help="benchmark the model, the sweep engine and the command here",
                              description=__doc__.split("\n\n")[0])
    p.add_argument("--json", action="store_true", help="print the figures as one JSON dict")
    p.add_argument("--quick", action="store_true", help="fewer and smaller cases (for tests)")
    p.add_argument("--latency", action="store_true",
                   help="only the latency of the command (section 5: a minute on a quiet machine)")
    p.set_defaults(func=command)


def latency_only(quick: bool = False) -> dict[str, Any]:
    """Section 5 alone, with the load average before and after."""
    from experiments.execution.compiled import compile_kernels

    compile_kernels()  # a warm cache, as in measure()
    before = os.getloadavg()[0]
    timed_commands = latency(quick)
    return {"machine": {"cores": os.cpu_count(), "quick": quick, "load_average_before": before,
                        "load_average_after": os.getloadavg()[0]}, "latency_s": timed_commands}


def command(args: argparse.Namespace) -> int:
    if args.latency:
        result = latency_only(quick=args.quick)
        m = result["machine"]
        text = "\n".join([f"alliance bench --latency on {m['cores']} cores; load average (1 min) "
                          f"{m['load_average_before']:.2f} before, {m['load_average_after']:.2f} after",
                          *latency_lines(result)])
    else:
        result = measure(quick=args.quick)
        text = table(result)
    print(json.dumps(result, indent=2) if args.json else text)
    return 0
