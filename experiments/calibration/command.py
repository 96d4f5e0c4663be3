"""``alliance calibrate SPEC``: infer the model's uncertain constants from French figures.

The command only parses its arguments here (the command starts fast); the work is in
:mod:`experiments.calibration.run`, the spec in :mod:`experiments.calibration.spec`, the
algorithm in :mod:`experiments.calibration.smc` and the results folder in
:mod:`experiments.calibration.report`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

RESULTS = Path("results")


# --------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------

def register(subparsers: Any) -> None:
    """Add ``alliance calibrate`` to the command's subparsers."""
    p = subparsers.add_parser("calibrate", help="ABC-SMC calibration of the model to observed figures",
                              description=__doc__.split("\n\n")[0])
    p.add_argument("spec", nargs="?", help="calibration spec (.toml), e.g. experiments/calibration.toml")
    p.add_argument("--quick", action="store_true",
                   help="the spec's [quick] sizes: a check that the pipeline runs (CI), not a calibration")
    p.add_argument("--workers", type=int, default=None, help="local processes (default: all cores)")
    p.add_argument("--scheduler", default=None, help="Dask scheduler address tcp://HOST:PORT")
    p.add_argument("--resume", default=None, metavar="DIR", help="finish an interrupted calibration")
    p.add_argument("--check", default=None, metavar="DIR",
                   help="re-run only the predictive checks of the calibration in DIR on the current code "
                        "(its posterior draws, on the same seeds): does the posterior still fit?")
    p.add_argument("--fresh", type=int, default=0, metavar="K",
                   help="with --check: the K-th independent replicate (other posterior draws, other seeds) "
                        "instead of the same ones: the check's Monte Carlo spread")
    p.add_argument("--out", default=str(RESULTS), help="parent folder of results (default: results)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=command)


def command(args: argparse.Namespace) -> int:
    from experiments.execution.executor import check_executor_args
    from experiments.io.errors import InputError
    from experiments.sensitivity.command import Interrupted

    from .run import recheck, run_calibration, short_report

    check_executor_args(args.workers, args.scheduler)
    for option, value in (("--resume", args.resume), ("--check", args.check)):
        if value is not None and (args.spec is not None or args.quick):
            raise InputError(f"calibrate {option}: expected no SPEC and no --quick (the folder keeps both); "
                             f"found {args.spec or '--quick'}")
    if args.resume is not None and args.check is not None:
        raise InputError("calibrate: expected one of --resume and --check; found both")
    if args.fresh and args.check is None:
        raise InputError(f"calibrate --fresh: expected --check DIR with it; found --fresh {args.fresh} alone")
    if not 0 <= args.fresh <= 1000:
        raise InputError(f"calibrate --fresh: expected a replicate number from 0 to 1000; found {args.fresh}")
    if args.check is not None:
        try:
            out = recheck(args.check, workers=args.workers, scheduler=args.scheduler, progress=not args.quiet,
                          fresh=args.fresh)
        except Interrupted:
            print("alliance: interrupted; nothing to resume: run the check again", file=sys.stderr)
            return 130
        print(short_report(out))
        print(f"\nresults: {out} (report.md, check.csv)")
        return 0
    try:
        folder = run_calibration(args.spec, quick=args.quick, resume=args.resume, workers=args.workers,
                                 scheduler=args.scheduler, out=Path(args.out), progress=not args.quiet)
    except Interrupted as exc:
        print(f"alliance: interrupted; finished batches are kept: resume with "
              f"'alliance calibrate --resume {exc.folder}'", file=sys.stderr)
        return 130
    print(short_report(folder))
    print(f"\nresults: {folder} (report.md, posterior.csv, check.csv, figures/pairs.png)")
    return 0
