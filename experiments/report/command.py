"""``alliance report`` and ``alliance experiment-design`` (a plugin of experiments/cli.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from experiments.cli import _whole_at_least as _whole


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number in (0, 1); found {text!r}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"expected a number in (0, 1); found {value}")
    return value


def _uptake(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number in (0, 1]; found {text!r}") from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"expected a number in (0, 1]; found {value}")
    return value


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("report", help="rebuild the paper's figures, tables and report.html (model runs "
                                             "cached; statistics and figures always redone)")
    p.add_argument("--quick", action="store_true",
                   help="a small version (minutes; 3 seeds x 24 months), marked 'not for publication' on every "
                        "figure and table; the full build runs 30 seeds x 120 months per scenario, 10 seeds per "
                        "map cell, 1000 discovery points, 16 worlds per cohort, again at lever uptakes 0.5 and 0.25 "
                        "(4-13 min on 2 cores from an empty cache)")
    p.add_argument("--out", type=Path, default=None,
                   help="folder of the report (default results/report, or results/report-quick with --quick); "
                        "its figures/ and tables/ are replaced")
    p.add_argument("--cache", type=Path, default=None,
                   help="folder of the cache of model outputs (default OUT/cache); its files are Python pickles: "
                        "share a cache only with people whose code you would run")
    p.add_argument("--sensitivity", type=Path, default=None, metavar="DIR",
                   help="a folder written by alliance sensitivity: its indices.csv feeds the lever ranking")
    p.add_argument("--calibration", type=Path, default=None, metavar="DIR",
                   help="a folder written by alliance calibrate: its posterior and predictive checks, "
                        "and posterior draws for the experimentation's power")
    p.add_argument("--workers", type=_whole(1), default=None, help="local processes at most")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p.set_defaults(func=cmd_report)

    p = subparsers.add_parser("experiment-design",
                              help="simulate the law's staggered experimentation and print its power curve")
    p.add_argument("--control", default="baseline", help="scenario of territories that do not adopt")
    p.add_argument("--treatment", default="charter_adopted",
                   help="scenario whose levers adopting territories take (levers only)")
    p.add_argument("--uptake", type=_uptake, default=1.0,
                   help="share of the way from the control's lever doses to the treatment's that adopting "
                        "territories practise (1: the whole treatment, the best case; 0.5: half as far)")
    p.add_argument("--measurement-noise", type=float, default=0.0, metavar="SD",
                   help="evaluators' error on each yearly observation: a normal SD as a share of the spread of "
                        "remaining need between territories (0: the true need is observed, a best case)")
    p.add_argument("--seeds", type=_whole(1), default=8, help="seeds (model worlds) in the pool")
    p.add_argument("--seed", type=_whole(0), default=1, help="first seed")
    p.add_argument("--territories", type=_whole(3), default=None,
                   help="territories per model world (default: the scenario's)")
    p.add_argument("--share", type=_share, default=0.5, help="share of territories that adopt")
    p.add_argument("--first", type=_whole(1), default=2, help="first adoption year (years from 0)")
    p.add_argument("--spread", type=_whole(1), default=3, help="adoption years (cohorts)")
    p.add_argument("--years", type=_whole(2), default=10, help="longest panel, years")
    p.add_argument("--draws", type=_whole(10), default=200, help="evaluation samples per cell")
    p.add_argument("--uncertainty", type=_whole(0), default=None, metavar="K",
                   help="draws of the lever strengths within their ranges for the power under the "
                        "effect's uncertainty (0: none; default 6, 2 with --quick)")
    p.add_argument("--uncertainty-seeds", type=_whole(1), default=2, metavar="S",
                   help="worlds per draw: the first S seeds of the pool (at most --seeds)")
    p.add_argument("--posterior", type=Path, default=None, metavar="DIR",
                   help="a folder of alliance calibrate: each uncertainty draw also takes a posterior draw")
    p.add_argument("--quick", action="store_true", help="a small version, for tests")
    p.add_argument("--out", type=Path, default=Path("results"), help="folder receiving the results folder")
    p.add_argument("--workers", type=_whole(1), default=None, help="local processes at most")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p.set_defaults(func=cmd_experiment_design)


def cmd_report(args: argparse.Namespace) -> int:
    from . import build, sections

    cfg = sections.QUICK if args.quick else sections.FULL
    if args.out is None:
        args.out = Path("results/report-quick" if args.quick else "results/report")
    if args.sensitivity is not None and not (args.sensitivity / "indices.csv").is_file():
        from experiments.io.errors import InputError  # said before any run, not after

        raise InputError(f"report: --sensitivity: expected {args.sensitivity / 'indices.csv'} "
                         "(written by alliance sensitivity); not found")
    if args.calibration is not None:
        from .calibration import read

        read(args.calibration)  # checked before any run
    prov = build.build(args.out, cfg, cache_dir=args.cache, workers=args.workers,
                       sensitivity=args.sensitivity, calibration=args.calibration, quick=args.quick,
                       progress=not args.quiet)
    c = prov["cache"]
    print(f"report: {args.out}/report.html (figures/, tables/, provenance.json); "
          f"{len(c['reused'])} block(s) reused from the cache, {len(c['computed'])} computed")
    return 0


def cmd_experiment_design(args: argparse.Namespace) -> int:
    from experiments.execution.executor import Executor
    from experiments.io import provenance
    from experiments.io import results as res

    from . import design as dsg
    from . import outputs, sections

    started = provenance.utc_now()
    if args.first + args.spread > args.years:
        from experiments.io.errors import InputError

        raise InputError(f"experiment-design: --years: expected more than --first + --spread - 1 = "
                         f"{args.first + args.spread - 1}; found {args.years}")
    horizons = tuple(sorted({min(args.years, h) for h in (args.first + args.spread, (args.first + args.spread + args.years) // 2, args.years)}))
    if not (args.measurement_noise >= 0 and args.measurement_noise < float("inf")):
        from experiments.io.errors import InputError

        raise InputError(f"experiment-design: --measurement-noise: expected a number >= 0; found {args.measurement_noise}")
    design = dsg.Design(share=args.share, first=args.first, spread=args.spread, years=args.years,
                        horizons=horizons, draws=args.draws, noise=args.measurement_noise)
    if args.quick:
        design = dsg.Design(share=args.share, first=args.first, spread=args.spread, years=args.years,
                            horizons=horizons, sizes=(20, 40, 80, 160), draws=min(args.draws, 40),
                            noise=args.measurement_noise)
    size = sections.Config(reps=1, months=12 * args.years, territories=args.territories, seed=args.seed)
    control = sections.base_params(args.control, size)
    treated = sections.base_params(args.treatment, size)
    dsg.check_treatment(control, treated)  # said before the dose is scaled
    if args.uptake < 1:
        treated = dsg.partial_uptake(control, treated, args.uptake)
    seeds = [args.seed + i for i in range(args.seeds)]
    per_world = len(control["territories"]["records"] or []) or control["territories"]["count"]
    if args.seeds * per_world < min(design.sizes):
        from experiments.io.errors import InputError

        raise InputError(f"experiment-design: --seeds x territories: expected at least {min(design.sizes)} simulated "
                         f"territories (the smallest evaluation size); found {args.seeds} x {per_world}")
    pool = args.seeds * per_world
    if not any(n <= pool and round(design.share * n) >= 2 * design.spread and n - round(design.share * n) >= 2
               for n in design.sizes):  # said before any run, as power_table would leave every size out
        from experiments.io.errors import InputError

        raise InputError(f"experiment-design: --share {design.share:g}: expected a share that gives at least "
                         f"{2 * design.spread} adopters (2 per cohort) and 2 controls in some evaluation size of "
                         f"{list(design.sizes)} within the {pool} simulated territories; found none")
    uncertainty = (2 if args.quick else 6) if args.uncertainty is None else args.uncertainty  # explicit: kept
    u_seeds = min(2 if args.quick else args.uncertainty_seeds, args.seeds)
    draws = (sections.uncertainty_draws(control, treated, uncertainty, args.seed, args.posterior)
             if uncertainty else [])  # posterior read (and checked) before any run
    uncertain = None
    with Executor(workers=args.workers) as ex:
        def runs(fn, tasks):
            return ex.map(fn, tasks, progress=not args.quiet, desc="worlds")

        result = dsg.simulate(control, treated, seeds, design, runs)
        if draws:
            from dataclasses import replace

            u_seed_list = seeds[:u_seeds]  # common seeds: draws differ from the fixed design by strengths only
            uncertain = dsg.simulate_uncertain(control, treated, draws, u_seed_list, design
                                               if args.quick else replace(design, draws=min(design.draws, 100)), runs)
            uncertain["posterior"] = None if args.posterior is None else args.posterior.name
        workers = ex.processes_used
    with res.ResultFolder(args.out, "experiment-design", started) as folder:
        section = sections.design_section(folder.path, result, args.treatment, uncertain, uptake=args.uptake)
        for name, (table, caption) in section.tables.items():
            outputs.save_table(table, folder.path, name, caption)
        res.write_json(folder.path / "summary.json", {
            "control": args.control, "treatment": args.treatment, "uptake": args.uptake,
            "predicted_effect": result["predicted_effect"],
            "predicted_by_seed": result["predicted_by_seed"], "needed_for_80_percent": result["needed"],
            "territories_per_world": result["territories_per_world"], "power": result["rows"],
            "estimator": next((t for t in section.text if t.startswith("Estimator")), None),
            "uncertainty": None if uncertain is None else {
                "draws": uncertain["draws"], "needed_for_80_percent_assurance": uncertain["needed"],
                "seeds": uncertain["seeds"], "posterior": uncertain["posterior"]}})
        res.write_json(folder.path / "provenance.json", provenance.record(
            started=started, seeds=seeds, workers=workers, control=args.control, treatment=args.treatment,
            uptake=args.uptake,
            design={k: getattr(design, k) for k in ("share", "first", "spread", "years", "sizes", "horizons", "draws",
                                                     "noise")},
            posterior=None if args.posterior is None else provenance.relative(args.posterior)))
    for line in section.text:
        print(line)
    print()
    if "power" in section.tables:
        print(outputs.markdown(section.tables["power"][0]))
    if "power_assurance" in section.tables:
        print()
        print(outputs.markdown(section.tables["power_assurance"][0]))
    print(f"\nResults: {provenance.relative(folder.final)}/", file=sys.stdout)
    return 0
