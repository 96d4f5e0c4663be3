"""The ``alliance`` command: run, compare, list and check scenarios, and list the levers.

Every user error (unknown scenario, key, lever or value; malformed TOML or CSV; unwritable
output folder; a failed run) becomes one line per problem on stderr and exit code 2, never a
traceback, and leaves no results folder behind. Other modules add subcommands through a
``register(subparsers)`` function (``experiments.sensitivity.command``, ``experiments.bench.command``): each
parser they add sets ``func``, a callable taking the parsed arguments and returning an exit
code (or None for 0).
"""

from __future__ import annotations

import argparse
import ast
import importlib
import importlib.util
import json
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from experiments.io import errors
from experiments.io import scenarios as scn
from experiments.io.errors import InputError, os_problem

#: Modules that may add subcommands; a module that does not exist yet is skipped. A plugin is
#: imported only when its own command runs: ``alliance --help`` reads the names and help lines
#: of its subcommands from its source (see :func:`_declared_commands`).
PLUGINS = ("experiments.sensitivity.command", "experiments.bench.command", "experiments.demo.command", "experiments.calibration.command",
           "experiments.report.command")


# --------------------------------------------------------------------------------------
# Argument types
# --------------------------------------------------------------------------------------

def _whole_at_least(low: int):
    """An argparse type: a whole number >= ``low``, with the message naming what was found."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number >= {low}; found {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"expected a whole number >= {low}; found {value}")
        return value
    return parse


def _outcome_list(text: str) -> tuple[str, ...]:
    """An argparse type: outcome keys separated by commas, each in the outcome registry."""
    from simulation.outcomes import OUTCOME_KEYS

    keys = tuple(k.strip() for k in text.split(",") if k.strip())
    bad = [k for k in keys if k not in OUTCOME_KEYS]
    if bad or not keys:
        raise argparse.ArgumentTypeError(
            f"expected outcome keys among {', '.join(OUTCOME_KEYS)}; found {bad[0] if bad else text!r}")
    return keys


_positive = _whole_at_least(1)
_seed = _whole_at_least(0)

#: Subcommands defined in this module (the others come from ``PLUGINS``).
BUILT_IN = ("run", "compare", "scenarios", "levers", "validate")

#: Choices of ``--figures``.
FIGURES = ("overview", "all", "none")


def _add_run_options(p: argparse.ArgumentParser, reps_default: int) -> None:
    p.add_argument("--seed", type=_seed, default=None,
                   help="seed of the first replication; the others use the next seeds "
                        "(default: the scenario's run.seed)")
    p.add_argument("--reps", type=_positive, default=reps_default,
                   help=f"replications, with consecutive seeds (default {reps_default})")
    p.add_argument("--months", type=_positive, default=None,
                   help="length of each run in months (default: the scenario's run.months)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override any parameter by its dotted path, e.g. levers.dialogue=0.8 "
                        "or governance.rule=subsidiarity (repeatable)")
    p.add_argument("--out", type=Path, default=Path("results"),
                   help="folder that receives the new results folder (default: ./results)")
    p.add_argument("--json", action="store_true", help="print the summary as JSON on stdout")
    p.add_argument("--workers", type=_positive, default=None,
                   help="local processes at most (default: all cores, at most one per run); "
                        "work too small to pay for starting them runs in this process")
    p.add_argument("--figures", choices=FIGURES, default="overview",
                   help="figures to draw: the overview only (default: the series' overview for run, "
                        "the paired differences for compare), all (also one figure per series), or none; "
                        "drawn by a background process once the results are written")
    p.add_argument("--figures-now", action="store_true",
                   help="draw the figures before the command returns (scripts that read them at once)")
    p.add_argument("--print-figures", action="store_true",
                   help="save each figure as PDF, SVG and 300-dpi PNG (default: one screen PNG)")
    p.add_argument("--lang", choices=("fr", "en"), default=None,
                   help="figure labels in one language only (default: French and English)")
    p.add_argument("--quiet", action="store_true", help="no progress bar or messages on stderr")
    p.add_argument("--force", action="store_true",
                   help="run work estimated over 2 hours (refused otherwise, with the estimate)")
    p.add_argument("--posterior", type=Path, default=None, metavar="FOLDER",
                   help="draw each replication's calibrated parameters from this posterior "
                        "(a folder written by alliance calibrate); replications come in draws of "
                        "--seeds-per-draw seeds sharing a particle, and the summary gives the mean with a "
                        "standard error clustered by draw, the spread over draws, a predictive interval "
                        "for one run and the shares of variance from the posterior and from seeds")
    p.add_argument("--seeds-per-draw", type=_whole_at_least(1), default=None, metavar="M",
                   help="with --posterior: consecutive seeds sharing one posterior draw (default 2; "
                        "--reps must be a multiple, at least 2 draws; 1 gives the most precise mean but "
                        "no split of the variance)")


# --------------------------------------------------------------------------------------
# Shared steps
# --------------------------------------------------------------------------------------

def _resolve(name: str, args: argparse.Namespace) -> tuple[scn.Scenario, Any]:
    """A scenario and its parameters with ``--set``, ``--seed`` and ``--months`` applied."""
    scenario = scn.load(name)
    params = scn.apply_overrides(scenario.params, scn.parse_set(args.overrides))
    fixed: dict[str, Any] = {}
    if args.seed is not None:
        fixed["run.seed"] = args.seed
    if args.months is not None:
        fixed["run.months"] = args.months
    if fixed:
        params = params.with_overrides(fixed, source="--seed/--months")
    return scenario, params


def _seeds(params: Any, reps: int, args: argparse.Namespace, scenarios: int = 1) -> list[int]:
    """The replications' seeds, once the work is known to fit (memory, and time unless
    --force); a large work's time estimate is said first."""
    from experiments.io import results as res

    first = params.run.seed
    estimate = res.check_run_size(reps, params, scenarios=scenarios, streamed=args.command == "run",
                                  workers=args.workers or min(reps * scenarios, os.cpu_count() or 1),
                                  force=args.force)
    if estimate:
        _say(args, f"alliance: {estimate}")
    if first + reps - 1 > 2**63 - 1:
        raise InputError(f"--seed/--reps: expected seeds up to {2**63 - 1}; found {first} + {reps - 1}")
    return [first + i for i in range(reps)]


def _tasks(params: Any, seeds: Sequence[int], territories: bool = False) -> list[dict[str, Any]]:
    base = params.model_dump()
    tasks = []
    for seed in seeds:
        p = scn.merge(base, {"run": {"seed": seed}})
        tasks.append({"params": p, "series": "columns", "territories": territories})
    return tasks


def _execute(tasks: list[dict[str, Any]], args: argparse.Namespace, desc: str) -> tuple[list[dict], int]:
    """Every task's output in order, and how many processes ran them (1 when the work was
    too small to pay for a pool)."""
    from experiments.execution.executor import Executor, run_model

    with Executor(workers=args.workers or min(len(tasks), os.cpu_count() or 1)) as ex:
        out = ex.map(run_model, tasks, progress=not args.quiet, desc=desc)
        return out, ex.processes_used


def _say(args: argparse.Namespace, text: str) -> None:
    if not args.quiet:
        print(text, file=sys.stderr)


# --------------------------------------------------------------------------------------
# alliance run
# --------------------------------------------------------------------------------------

def cmd_run(args: argparse.Namespace) -> int:
    from experiments.io import provenance
    from experiments.io import results as res

    scenario, params = _resolve(args.scenario, args)
    seeds = _seeds(params, args.reps, args)
    from experiments.report.inert import inert

    for line in inert(params):
        print(f"alliance: warning: {line}", file=sys.stderr)
    if args.posterior is None:  # one shared parameter dict; each task brings its seed
        _no_seeds_per_draw(args)
        base = params.model_dump()
        tasks, post = ({"params": base, "seed": s, "series": "columns", "territories": True}
                       for s in seeds), None
    else:  # before the results folder exists: a bad posterior leaves none behind
        from experiments.io import posterior_draws

        tasks, post = posterior_draws.lay(_tasks(params, seeds, territories=True), args.posterior, len(seeds),
                                          args.seeds_per_draw or posterior_draws.SEEDS_PER_DRAW)
    started = provenance.utc_now()
    with res.ResultFolder(args.out, scenario.name, started) as folder:
        from experiments.execution.executor import Executor, run_model
        from experiments.report.territories import names_of

        # written as they come: flat memory
        tables = res.StreamedTables(folder.path, len(seeds), names_of(params))
        with Executor(workers=args.workers or min(len(seeds), os.cpu_count() or 1)) as ex:
            try:
                for rep, out in enumerate(ex.imap(run_model, tasks, len(seeds), progress=not args.quiet,
                                                  desc=scenario.name)):
                    tables.add(rep, seeds[rep], out)
            finally:
                reps_table = tables.close()
            workers = ex.processes_used
        _say(args, f"writing results of {len(seeds)} replication(s)...")
        summary = res.run_summary(scenario=scenario.name, scenario_file=scenario.path, seeds=seeds,
                                  months=params.run.months, summaries=reps_table,
                                  params=params.model_dump())
        if post is not None:
            from experiments.io.posterior_draws import draw_of

            summary["outcomes"] = res.posterior_outcomes(reps_table, draw_of(len(seeds), post["seeds_per_draw"]))
        post_lines = _posterior_summary(folder.path, summary, post, {scenario.name: summary["outcomes"]}, reps_table)
        job = _figure_job(args, "run", scenario.name, params.run.months)
        figures = _draw_now(args, folder.path, job)
        prov = provenance.record(
            started=started, seeds=seeds, workers=workers, scenario=scenario.name,
            scenario_files=[provenance.relative(p) for p in scenario.chain],
            overrides=scn.parse_set(args.overrides), params=params.model_dump())
        res.write_json(folder.path / "summary.json", summary)
        res.write_json(folder.path / "provenance.json", prov)
    figures = figures or _draw_later(args, folder.final, job)
    where = provenance.relative(folder.final)
    if args.json:
        print(res.dumps({**summary, "results_dir": where}))
        return 0
    print(f"{scenario.name}: {len(seeds)} replication(s), seeds {seeds[0]}-{seeds[-1]}, "
          f"{params.run.months} months")
    print(_table(res.posterior_rows(summary["outcomes"])) if post else _run_table(summary["outcomes"]))
    if post_lines:
        print("\n" + "\n".join(post_lines))
    print(f"\nResults: {where}/ (summary.json, {'summary.md, ' if post else ''}provenance.json, series.parquet, "
          "series.csv, replications.csv, territories.csv)")
    if figures:
        print(f"Figures: {where}/figures/ ({_figure_note(figures, later=not args.figures_now)})")
    return 0


def _no_seeds_per_draw(args: argparse.Namespace) -> None:
    if args.seeds_per_draw is not None:
        raise InputError(f"--seeds-per-draw {args.seeds_per_draw}: expected with --posterior FOLDER; found "
                         "no --posterior")


def _posterior_summary(folder: Path, summary: dict, note: dict | None, readings: dict[str, Any],
                       reps_table: Any, diffs: dict[str, Any] | None = None) -> list[str]:
    """Under ``--posterior``, with ``readings`` (per scenario) and ``diffs`` (per compared
    scenario) grouped by draw (experiments/io/results.py ``posterior_readings``): the note, the
    words and the variance split in ``summary``, the draw of each replication in
    replications.csv, and summary.md; returns the words for the terminal. Nothing without
    ``--posterior``."""
    if note is None:
        return []
    import numpy as np

    from experiments.io import results as res

    m = note["seeds_per_draw"]
    summary["interval"] = ("under --posterior: see posterior.intervals; ci95 is the 95% confidence interval of "
                           "the mean with a standard error clustered by parameter draw"
                           + ("; differences are paired by draw and seed, p_value: t test with that clustered "
                              "standard error, q_value: Benjamini-Hochberg across the outcomes of each scenario"
                              if diffs is not None else ""))
    summary["posterior"] = {**note, "intervals": res.POSTERIOR_WORDS,
                            "variance_split": {lab: res.posterior_split(r) for lab, r in readings.items()}}
    if diffs is not None:
        summary["posterior"]["variance_split_of_differences"] = {lab: res.posterior_split(d)
                                                                  for lab, d in diffs.items()}
    rows_of = np.asarray(note["draw_rows"])
    reps_table["draw"] = np.asarray(reps_table["rep"]) // m
    reps_table["posterior_row"] = rows_of[reps_table["draw"]]
    res.write_csv(folder / "replications.csv", reps_table)
    words = res.posterior_words(note)
    md = [f"# {' vs '.join(readings)} under the posterior", "", *words, ""]
    for lab, r in readings.items():
        md += [f"## {lab}", "", res.markdown_table(res.posterior_rows(r)), ""]
    for lab, d in (diffs or {}).items():
        md += [f"## {lab} - {next(iter(readings))} (paired by draw and seed)", "",
               res.markdown_table(res.posterior_rows(d)), ""]
    (folder / "summary.md").write_text("\n".join(md), encoding="utf-8")
    return words


def _figure_job(args: argparse.Namespace, kind: str, title: str, months: int | None = None) -> dict | None:
    """What ``--figures`` asks to draw (see :func:`experiments.io.figures.draw`), or None."""
    if args.figures == "none":
        return None
    lang = args.lang or "both"
    if months is not None:
        from experiments.io.figures import text

        title = f"{title}, {text('months', lang, n=months)}"
    outcomes = list(getattr(args, "plot_outcomes", None) or []) or None
    return {"kind": kind, "title": title, "each": args.figures == "all", "lang": lang,
            "print_formats": args.print_figures, "outcomes": outcomes}


def _draw_now(args: argparse.Namespace, folder: Path, job: dict | None) -> list[str]:
    """With ``--figures-now``, the figures drawn into the folder being written (their names)."""
    if job is None or not args.figures_now:
        return []
    from experiments.io.figures import draw

    return draw(folder, job)


def _draw_later(args: argparse.Namespace, folder: Path | None, job: dict | None) -> list[str]:
    """Without ``--figures-now``, a detached process draws the figures into the finished
    folder: the names they will have."""
    if job is None or folder is None or args.figures_now:
        return []
    from experiments.io.figures import draw_in_background, planned

    draw_in_background(folder, job)
    return planned(job)


def _figure_note(names: list[str], later: bool = False) -> str:
    main = [n.split("/")[-1] for n in names if n.split("/")[-1].split(".")[0] in ("overview", "compare")]
    each = len(names) - len(main)
    return (", ".join(main) + (f" and {each} more, one per series" if each else "")
            + ("; drawn in the background within seconds, or figures/error.txt says why" if later else ""))


def _run_table(outcomes: dict[str, dict[str, Any]]) -> str:
    from experiments.io import results as res

    rows = [("outcome", "mean", "95% CI", "unit")]
    for key, st in outcomes.items():
        ci = "-" if st["ci95_low"] is None else f"[{res.fmt(st['ci95_low'])}, {res.fmt(st['ci95_high'])}]"
        if st.get("undefined"):  # NaN in some runs: nothing to average there
            ci += f" (undefined in {st['undefined']} of {st['n'] + st['undefined']})"
        rows.append((key, res.fmt(st["mean"]), ci, st["unit"]))
    return _table(rows)


def _table(rows: list[Sequence[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


# --------------------------------------------------------------------------------------
# alliance compare
# --------------------------------------------------------------------------------------

def cmd_compare(args: argparse.Namespace) -> int:
    from experiments.io import provenance
    from experiments.io import results as res

    names = args.scenarios
    if len(names) < 2:
        raise InputError(f"compare: expected at least two scenarios; found {len(names)}")
    specs = [_compare_spec(n, args) for n in names]
    resolved = [(s, p) for s, p, _, _ in specs]
    labels = [lab for _, _, lab, _ in specs]
    if len(set(labels)) != len(labels):
        dup = next(x for x in labels if labels.count(x) > 1)
        raise InputError(f"compare: scenario '{dup}' given twice; expected distinct scenarios")
    if args.seed is None:
        # common random numbers: every scenario runs the same seeds, those of the first
        resolved = [(s, p.with_overrides({"run.seed": resolved[0][1].run.seed}, source="compare"))
                    for s, p in resolved]
    seeds = _seeds(max((p for _, p in resolved), key=res.run_bytes), args.reps, args, len(resolved))
    tasks, post = [t for _, p in resolved for t in _tasks(p, seeds)], None
    if args.posterior is None:
        _no_seeds_per_draw(args)
    else:  # before the results folder exists: a bad posterior leaves none behind
        from experiments.io import posterior_draws

        tasks, post = posterior_draws.lay(tasks, args.posterior, len(seeds),
                                          args.seeds_per_draw or posterior_draws.SEEDS_PER_DRAW)
    started = provenance.utc_now()
    label = "compare-" + "-vs-".join(labels)
    with res.ResultFolder(args.out, label, started) as folder:
        outs, workers = _execute(tasks, args, desc="compare")
        _say(args, "writing comparison...")
        n = len(seeds)
        per = {lab: outs[i * n:(i + 1) * n] for i, lab in enumerate(labels)}
        sums = {lab: [o["summary"] for o in per[lab]] for lab in labels}
        if post is None:
            stats = {lab: res.summarise(sums[lab]) for lab in labels}
            diffs = {lab: _with_fdr(res.paired_differences(sums[labels[0]], sums[lab])) for lab in labels[1:]}
        else:  # grouped by draw: same draws and seeds in every scenario, so paired by both
            from experiments.io.posterior_draws import draw_of

            draws = draw_of(n, post["seeds_per_draw"])
            stats = {lab: res.posterior_outcomes(sums[lab], draws) for lab in labels}
            diffs = {lab: _with_fdr(res.posterior_outcomes(
                [{k: b[k] - a[k] for k in a} for a, b in zip(sums[labels[0]], sums[lab], strict=True)], draws))
                for lab in labels[1:]}
        params = {lab: p.model_dump() for lab, (_, p) in zip(labels, resolved, strict=True)}
        summary = {
            "scenarios": labels,
            "scenario_files": {s.name: provenance.relative(s.path) for s, _ in resolved},
            "replications": n, "seeds": seeds, "months": {lab: params[lab]["run"]["months"] for lab in labels},
            "interval": "95% confidence interval of the mean over replications (Student t, n-1 df); "
                        "differences are paired over common seeds; p_value: paired t test; q_value: "
                        "Benjamini-Hochberg across the outcomes of each scenario",
            "overrides": {lab: over for _, _, lab, over in specs},
            "reference": labels[0],
            "outcomes": stats,
            "differences": diffs,
            "params": params,
        }
        rep_scen = [lab for lab in labels for _ in seeds]
        all_seeds = [s for _ in labels for s in seeds]
        series = res.stack_series([o["series"] for o in outs], all_seeds, extra={"scenario": rep_scen})
        series["rep"] = series["rep"] % n
        reps_table = res.replication_table([o["summary"] for o in outs], all_seeds,
                                           extra={"scenario": rep_scen})
        reps_table["rep"] = reps_table["rep"] % n
        res.write_tables(folder.path, series, reps_table)
        post_lines = _posterior_summary(folder.path, summary, post, stats, reps_table, diffs)
        _export_comparison(folder.path, labels, stats, diffs)
        # compare's overview is the comparison of outcomes; the series come with --figures all
        job = _figure_job(args, "compare", " vs ".join(labels))
        prov = provenance.record(
            started=started, seeds=seeds, workers=workers, scenarios=labels,
            scenario_files=[provenance.relative(p) for s, _ in resolved for p in s.chain],
            overrides=scn.parse_set(args.overrides), params=params)
        res.write_json(folder.path / "summary.json", summary)
        res.write_json(folder.path / "provenance.json", prov)
        figures = _draw_now(args, folder.path, job)  # reads summary.json
    figures = figures or _draw_later(args, folder.final, job)
    where = provenance.relative(folder.final)
    if args.json:
        print(res.dumps({**summary, "results_dir": where}))
        return 0
    print(f"{' vs '.join(labels)}: {n} replication(s) each on common seeds {seeds[0]}-{seeds[-1]}")
    print(_compare_table(labels, stats, diffs))
    if post_lines:
        print("\nUnder the posterior, the difference against " + labels[0] + " (paired by draw and seed):")
        for lab in labels[1:]:
            print(f"{lab} - {labels[0]}")
            print(_table(res.posterior_rows(diffs[lab])))
        print("\n" + "\n".join(post_lines))
    test = ("t test with the standard error clustered by draw" if post_lines else "paired t test")
    print(f"\nDifferences are paired over common seeds{' and draws' if post_lines else ''} (95% CI); * marks "
          f"q < 0.05 ({test}, Benjamini-Hochberg across the {len(stats[labels[0]])} outcomes); an outcome undefined in a seed "
          "(NaN: nothing to average, e.g. survival when no alliance ended) gives no pair there, '-' when too few "
          "remain ('n' in comparison.csv). Tables: comparison.csv, comparison.tex")
    print(f"Results: {where}/")
    if figures:
        print(f"Figures: {where}/figures/ ({_figure_note(figures, later=not args.figures_now)})")
    return 0


def _compare_table(labels: list[str], stats: dict, diffs: dict) -> str:
    from experiments.io import results as res

    head = ["outcome", "unit", *labels, *(f"{lab} - {labels[0]}" for lab in labels[1:])]
    rows: list[Sequence[str]] = [head]
    for key in stats[labels[0]]:
        row = [key, stats[labels[0]][key]["unit"], *(res.fmt_interval(stats[lab][key]) for lab in labels)]
        for lab in labels[1:]:
            d = diffs[lab][key]
            star = " *" if d["q_value"] is not None and d["q_value"] < 0.05 else ""
            row.append(res.fmt_interval(d) + star)
        rows.append(row)
    return _table(rows)


def _compare_spec(text: str, args: argparse.Namespace) -> tuple[scn.Scenario, Any, str, dict[str, Any]]:
    """``SCENARIO`` or ``SCENARIO:KEY=VALUE[,KEY=VALUE...]`` (overrides for this scenario
    only, after the common ``--set``): the scenario, its parameters, its label (the name, with
    the overrides in brackets) and the overrides."""
    name, sep, sets = text.partition(":")
    if not sep or "=" not in sets:
        scenario, params = _resolve(text, args)
        return scenario, params, scenario.name, {}
    over = scn.parse_set([s for s in sets.split(",") if s.strip()])
    scenario, params = _resolve(name, args)
    params = scn.apply_overrides(params, over)
    label = f"{scenario.name}[" + ",".join(f"{k.split('.')[-1]}={v}" for k, v in over.items()) + "]"
    return scenario, params, label, over


def _with_fdr(diffs: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Paired differences with the paired t test's p-value and Benjamini-Hochberg q-value
    across outcomes (None with one replication)."""
    from experiments.io.results import fdr, paired_p

    keys = list(diffs)
    ps = [_clustered_p(diffs[k]) if "se" in diffs[k] else paired_p(diffs[k]) for k in keys]
    qs = fdr(ps)
    clean = [None if p != p else p for p in ps]  # NaN (one replication) -> None
    return {k: {**diffs[k], "p_value": p, "q_value": None if p is None else q}
            for k, p, q in zip(keys, clean, qs, strict=True)}


def _clustered_p(d: dict[str, Any]) -> float:
    """Two-sided p of a mean against 0 with the standard error clustered by draw (Student t,
    draws - 1 df; NaN when not computable)."""
    import math

    from scipy.special import stdtr

    if d["se"] is None:
        return math.nan
    if d["se"] == 0:
        return math.nan if d["mean"] == 0 else 0.0
    return float(2 * stdtr(d["df"], -abs(d["mean"] / d["se"])))


def _export_comparison(folder: Path, labels: list[str], stats: dict, diffs: dict) -> None:
    """comparison.csv and comparison.tex: every outcome's mean per scenario and its paired
    difference with the reference (95% CI, p, BH q), with its unit."""
    write_comparison(folder, comparison_columns(comparison_rows(labels, stats, diffs)),
                     f"Paired differences against {labels[0]} (95% CI, BH q-values)")


def comparison_rows(labels: list[str], stats: dict, diffs: dict) -> list[dict[str, Any]]:
    """One row per compared scenario and outcome (the lines of comparison.csv)."""
    rows = []
    for lab in labels[1:]:
        for key, d in diffs[lab].items():
            rows.append({"scenario": lab, "reference": labels[0], "outcome": key, "unit": d["unit"],
                         "reference_mean": stats[labels[0]][key]["mean"], "scenario_mean": stats[lab][key]["mean"],
                         "difference": d["mean"], "ci95_low": d["ci95_low"], "ci95_high": d["ci95_high"],
                         "p_value": d["p_value"], "q_value": d["q_value"], "n": d["n"]})
            if "draws_low" in d:  # --posterior: the readings grouped by draw
                rows[-1].update({k: d[k] for k in ("draws", "draws_low", "draws_high", "one_run_low", "one_run_high",
                                                   "posterior_share", "posterior_share_low", "posterior_share_high")})
    return rows


def comparison_columns(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """``rows`` as the columns ``pandas.DataFrame(rows)`` would hold (without importing
    pandas, 0.6 s): booleans, whole numbers, floats with NaN for None, else objects."""
    import numpy as np

    def column(values: list[Any]) -> Any:
        if values and all(isinstance(v, bool | np.bool_) for v in values):
            return np.array(values, dtype=bool)
        known = [v for v in values if v is not None]
        if known and all(isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool | np.bool_)
                         for v in known):
            if len(known) == len(values) and all(isinstance(v, int | np.integer) for v in known):
                return np.array(values, dtype=np.int64)
            return np.array([np.nan if v is None else v for v in values], dtype=float)
        return np.array(values, dtype=object)

    names = list(dict.fromkeys(k for r in rows for k in r))
    return {k: column([r.get(k) for r in rows]) for k in names}


def write_comparison(folder: Path, table: dict[str, Any], caption: str) -> None:
    """comparison.csv (the ids, for scripts) and comparison.tex (labelled, as
    ``experiments.report.outputs.latex(display(table))`` writes it) from columns."""
    from experiments.io import results as res
    from experiments.report.outputs import P_COLUMNS, column_label, latex_rows, p_text, value_label

    res.write_csv(folder / "comparison.csv", table)
    shown = {}
    for c, values in table.items():
        if values.dtype.kind == "b":
            cells = ["oui / yes" if v else "non / no" for v in values]
        elif values.dtype.kind == "O":
            cells = [value_label(v, c) for v in values]
        else:
            cells = list(values)
        label = column_label(c)
        shown[label] = [p_text(v) for v in cells] if label in P_COLUMNS else cells
    (folder / "comparison.tex").write_text(latex_rows(list(shown), zip(*shown.values(), strict=True), caption,
                                                      "comparison"), encoding="utf-8")


# --------------------------------------------------------------------------------------
# alliance scenarios / levers / validate
# --------------------------------------------------------------------------------------

def cmd_scenarios(args: argparse.Namespace) -> int:
    items = scn.list_library()
    if args.json:
        print(_json(items))
        return 0
    rows = [("name", "extends", "description")]
    rows += [(s["name"], s["extends"] or "-", s["title"]) for s in items]
    print(_table(rows))
    print(f"\n{len(items)} scenarios in {scn._display(scn.LIBRARY)}/; run one with: alliance run NAME")
    return 0


def cmd_levers(args: argparse.Namespace) -> int:
    from simulation import LEVERS
    from simulation.constants import lever_ranges

    if args.json:
        print(_json([{
            "id": lv.id, "group": lv.group, "label_fr": lv.label_fr, "label_en": lv.label_en,
            "charter": lv.charter, "mechanism": lv.acts_on, "submodel": lv.submodel, "pathways": list(lv.pathways),
            "outcome": lv.outcome, "direction": lv.direction, "default": lv.default,
            "parameter": f"levers.{lv.id}",
            "range": {r["variable"]: {"without": r["range_without"], "with": r["range_with"]}
                      for r in lever_ranges(lv.id)},
            "source": "; ".join(sorted({r["source"] for r in lever_ranges(lv.id)}))}
            for lv in LEVERS]))
        return 0
    group = None
    for lv in LEVERS:
        if lv.group != group:
            group = lv.group
            print(f"\n== {group} ==")
        if args.lang == "fr":
            label = lv.label_fr
        elif args.lang == "en":
            label = lv.label_en
        else:
            label = f"{lv.label_fr} / {lv.label_en}"
        arrow = "raises" if lv.direction > 0 else "lowers"
        print(f"{lv.id}  (default {lv.default:g})  {label}")
        print(f"    Charte : « {lv.charter} »")
        print(f"    mechanism: {lv.acts_on} [submodel {lv.submodel}; {arrow} {lv.outcome}]")
    print(f"\n{len(LEVERS)} levers; set one with --set levers.ID=VALUE (0 to 1)")
    return 0


def _json(data: Any) -> str:
    """Plain data (strings, numbers, lists, dicts) as the command's JSON."""
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False)


def cmd_validate(args: argparse.Namespace) -> int:
    from experiments.execution.executor import flat_diff
    from experiments.io.results import check_model_size
    from simulation import Params

    scenario = scn.load(args.file)
    check_model_size(scenario.params, scn._display(scenario.path))  # accepted => it runs
    diff = flat_diff(Params().model_dump(), scenario.params.model_dump())
    chain = " -> ".join(scn._display(p) for p in scenario.chain)
    print(f"ok: {chain}")
    if "territories.records" in diff:
        diff["territories.records"] = f"{len(scenario.params.territories.records)} territories from a table"
    if not diff:
        print("  the model's defaults (no parameter differs)")
    for key, value in diff.items():
        print(f"  {key} = {value!r}")
    from experiments.report.inert import inert

    for line in inert(scenario.params):
        print(f"warning: {line}")
    return 0


# --------------------------------------------------------------------------------------
# Parser and entry point
# --------------------------------------------------------------------------------------

class _Parser(argparse.ArgumentParser):
    """argparse with usage errors on one line (and exit code 2, as argparse does)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The ``alliance`` parser. ``command`` is the subcommand about to run: only the plugin
    that declares it is imported; the others (all of them for ``alliance --help``) get a
    placeholder with the name and help line read from their source. A built-in command
    (``BUILT_IN``) reads no plugin at all."""
    parser = _Parser(
        prog="alliance",
        description="Simulate micro/macro co-construction in territories (Charte du « faire "
                    "alliance »): run and compare scenarios, list levers.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("run", help="run a scenario with replications and write a results folder")
    p.add_argument("scenario", help="a scenario name (see 'alliance scenarios') or a .toml path")
    _add_run_options(p, reps_default=1)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("compare", help="run scenarios on common seeds and compare their outcomes")
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO",
                   help="two or more scenarios; the first is the reference; SCENARIO:KEY=VALUE[,KEY=VALUE] "
                        "sets parameters for that scenario only, e.g. baseline:levers.dialogue=1")
    _add_run_options(p, reps_default=10)
    p.add_argument("--plot-outcomes", type=_outcome_list, default=None, metavar="KEY[,KEY...]",
                   help="outcomes drawn in the comparison figure (default: twelve key outcomes; "
                        "keys as in 'alliance run --json')")
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("scenarios", help="list the scenario library")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_scenarios)

    p = sub.add_parser("levers", help="list the Charter's levers and the workshop's additions")
    p.add_argument("--json", action="store_true")
    p.add_argument("--lang", choices=("fr", "en"), default=None, help="labels in one language only")
    p.set_defaults(func=cmd_levers)

    p = sub.add_parser("validate", help="check a scenario file (exit 0, or a clear error and exit 2)")
    p.add_argument("file", help="a .toml path or a scenario name")
    p.set_defaults(func=cmd_validate)

    if command in BUILT_IN:
        return parser  # no plugin's source need be read to run a built-in command
    for name in PLUGINS:
        declared = _declared_commands(name)
        if declared is None:
            continue  # the module does not exist (yet)
        if declared and command not in declared:
            for cmd, text in declared.items():
                sub.add_parser(cmd, help=text)
            continue
        register = getattr(importlib.import_module(name), "register", None)
        if callable(register):
            register(sub)
    return parser


def _declared_commands(module: str) -> dict[str, str | None] | None:
    """``{command: help}`` of every ``add_parser("command", help="...")`` call in a plugin's
    source, read without importing it; ``{}`` when a name is not a plain string (the plugin
    is then imported), None when the module does not exist."""
    try:
        spec = importlib.util.find_spec(module)
    except ModuleNotFoundError:
        return None
    if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
        return None if spec is None else {}
    found: dict[str, str | None] = {}
    for node in ast.walk(ast.parse(Path(spec.origin).read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "add_parser":
            name = node.args[0] if node.args else None
            if not (isinstance(name, ast.Constant) and isinstance(name.value, str)):
                return {}
            text = next((k.value for k in node.keywords if k.arg == "help"), None)
            found[name.value] = text.value if isinstance(text, ast.Constant) else None
    return found


def _command_of(argv: Sequence[str]) -> str | None:
    """The subcommand in ``argv``: the first word not starting with '-' (the top-level parser
    has no option that takes a value)."""
    return next((a for a in argv if not a.startswith("-")), None)


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _error(message: str) -> int:
    """One line per problem, each starting ``alliance: error:``; exit code 2."""
    for line in message.split("\n"):  # control characters of user values are shown escaped
        line = "".join(c if c.isprintable() else repr(c)[1:-1] for c in line)
        print(f"alliance: error: {line}", file=sys.stderr)
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``alliance`` console script; returns the exit code."""
    for stream in (sys.stdout, sys.stderr):  # e.g. PYTHONIOENCODING=ascii: « » as \xab, not a crash
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    argv = sys.argv[1:] if argv is None else list(argv)
    bad = [a for a in argv if any("\udc80" <= c <= "\udcff" for c in a)]  # bytes that are not UTF-8
    if bad:
        return _error(f"expected arguments in UTF-8 (file names included); found {bad[0]!r}")
    parser = build_parser(_command_of(argv))
    args = parser.parse_args(argv)
    previous = signal.signal(signal.SIGTERM, _terminate)  # SIGTERM cleans up like Ctrl-C
    try:
        if args.command not in ("scenarios", "levers", "validate"):  # the others write provenance
            from experiments.io.provenance import read_git_at_start

            read_git_at_start()  # provenance describes the code as it was when the command started
        code = args.func(args)
        return 0 if code is None else int(code)
    except errors.USER_ERRORS as exc:
        return _error(str(exc))
    except KeyboardInterrupt:
        print("alliance: interrupted; no results folder was written", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader of stdout went away (e.g. `| head`): the results folder is complete;
        # send the rest to /dev/null so Python's exit flush does not fail again
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except OSError as exc:  # disk full, path too long, unwritable: a line, not a traceback
        return _error(os_problem(exc))
    except MemoryError:
        return _error("out of memory; use fewer replications, months or territories")
    except RecursionError:  # a value nested thousands deep that a parser missed
        return _error("expected values nested at most a few hundred deep; found deeper")
    finally:
        signal.signal(signal.SIGTERM, previous)
        if "experiments.io.provenance" in sys.modules:  # no git process left behind
            sys.modules["experiments.io.provenance"].wait_git()


if __name__ == "__main__":
    sys.exit(main())
