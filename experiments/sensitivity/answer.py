"""``alliance sensitivity --answer``: re-run the three shipped specs and print the answer.

Runs, in order, stage 1 (``experiments/levers_regression.toml``), the structural rankings
(``experiments/levers_structural.toml``: governance rule x funding regime, and the lever
strengths drawn within their plausible ranges) and stage 2 (``experiments/levers_sobol.toml``
with ``--from`` the stage-1 folder, so the retained levers are stage 1's detected ones), then
prints what issue 10 asks the note to give: the ranking for impact with intervals, R² and its
noise ceiling per outcome, the groups' shares, how the ranking changes across rules, regimes
and strengths, and stage 2's total indices. Each spec's wall time and CPU time (this process, its
workers and the forkserver that starts them: :func:`_cpu`) are measured. The same text is written to
``<out>/<UTC time>-answer.md`` next to the three results folders.
"""

from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path

import pandas as pd

SPECS = Path(__file__).resolve().parents[1]
SHIPPED = ("levers_regression", "levers_structural", "levers_sobol")


def _cpu() -> float:
    """CPU seconds of this process, of its finished children and of its live descendants
    (user + system, and their own finished children). The pool's workers are children of
    the forkserver, which outlives the pools: their time is in its finished children's
    counts, read from /proc (Linux; elsewhere only this process and its reaped children)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime
    proc = Path("/proc")
    if not proc.is_dir():
        return total
    tick = os.sysconf("SC_CLK_TCK")
    parent, ticks = {}, {}
    for d in proc.iterdir():
        if not d.name.isdigit():
            continue
        try:
            fields = (d / "stat").read_text().rpartition(")")[2].split()
        except OSError:  # the process ended meanwhile
            continue
        parent[int(d.name)] = int(fields[1])
        ticks[int(d.name)] = sum(int(x) for x in fields[11:15])  # utime, stime, cutime, cstime
    todo, seen = [os.getpid()], set()
    while todo:
        p = todo.pop()
        for q, pp in parent.items():
            if pp == p and q not in seen:
                seen.add(q)
                todo.append(q)
    return total + sum(ticks[q] for q in seen) / tick


def run_all(out: Path, workers: int | None, progress: bool) -> tuple[dict[str, Path], dict[str, tuple[float, float]]]:
    """Run the shipped specs (stage 2 retaining stage 1's detected levers); folders and
    (wall, CPU) seconds per spec."""
    from experiments.sensitivity.command import run_experiment

    folders: dict[str, Path] = {}
    times: dict[str, tuple[float, float]] = {}
    for name in SHIPPED:
        w0, c0 = time.perf_counter(), _cpu()
        stage1 = folders["levers_regression"] if name == "levers_sobol" else None
        folders[name] = run_experiment(SPECS / f"{name}.toml", workers=workers, out=out, progress=progress,
                                       stage1=stage1)
        times[name] = (time.perf_counter() - w0, _cpu() - c0)
        if progress:
            print(f"{name}: {folders[name]} ({times[name][0]:.0f} s wall, {times[name][1]:.0f} s CPU)",
                  file=sys.stderr)
    return folders, times


def _ind(folder: Path) -> pd.DataFrame:
    return pd.read_csv(folder / "indices.csv", keep_default_na=False, na_values=[""])


def _f(x: float) -> str:
    return f"{x:.3f}"


def summary(folders: dict[str, Path], times: dict[str, tuple[float, float]] | None = None,
            outcome: str = "impact") -> str:
    """The figures, as Markdown, from the three results folders."""
    lines = ["# Sensitivity answer (issue 10)", ""]
    if times:
        wall = sum(w for w, _ in times.values())
        cpu = sum(c for _, c in times.values())
        lines += ["| spec | folder | wall | CPU |", "|---|---|---|---|"]
        lines += [f"| {k} | `{folders[k]}` | {w:.0f} s | {c:.0f} s |" for k, (w, c) in times.items()]
        lines += [f"| total | | {wall:.0f} s ({wall / 60:.1f} min) | {cpu:.0f} s ({cpu / 60:.1f} min) |", ""]
    st1 = folders.get("levers_regression")
    if st1:
        ind = _ind(st1)
        src = ind[(ind["index"] == "SRC") & (ind["outcome"] == outcome)].copy()
        src["size"] = src["estimate"].abs()
        src = src.sort_values("size", ascending=False)
        real = src[src["factor"] != "dummy"]
        hit = real["detected"].astype(str) == "True"
        lines += [f"## Stage 1: {outcome}, standardised regression coefficients", "",
                  f"Each effect's own 95% interval; detection is after Holm's adjustment over the "
                  f"{int(ind['p_value'].notna().sum())} tests (factors x outcomes), so an interval that excludes 0 "
                  "may still be not detected.", "",
                  f"{int(hit.sum())} of {len(real)} factors detected; dummy detected: "
                  f"{src[src['factor'] == 'dummy']['detected'].astype(str).iloc[0]}; the smallest effect this "
                  f"design detects (80% power): {real[~hit]['mde'].max() if (~hit).any() else real['mde'].max():.3f}.",
                  "", "| rank | rank interval | factor | group | SRC [95%] | verdict |", "|---|---|---|---|---|---|"]
        for i, r in enumerate(src.itertuples(), 1):
            verdict = ("detected" if str(r.detected) == "True" else
                       f"not detected at this sample size; the smallest effect this design detects is {r.mde:.3f}")
            lines.append(f"| {i} | {int(r.rank_low)}–{int(r.rank_high)} | `{r.factor}` | {r.group} | "
                         f"{_f(r.estimate)} [{_f(r.ci_low)}, {_f(r.ci_high)}] | {verdict} |")
        fit = pd.read_csv(st1 / "fit.csv")
        shares = ind[ind["index"] == "group_share"]
        lines += ["", "## Stage 1: R² against the noise ceiling, and the groups' shares of the explained variance", "",
                  "| outcome | R² | ceiling | R²/ceiling | emulator Q² | shares: " +
                  ", ".join(dict.fromkeys(shares["factor"])) + " |", "|---|---|---|---|---|---|"]
        for r in fit.itertuples():
            sh = shares[shares["outcome"] == r.outcome]
            txt = ", ".join(f"{s.estimate:.1%} [{s.ci_low:.1%}, {s.ci_high:.1%}]" for s in sh.itertuples())
            q2 = f"{r.q2:.2f}" if pd.notna(r.q2) else "not needed"
            band = (f" [{r.ceiling_low:.3f}, {r.ceiling_high:.3f}]" if "ceiling_low" in fit and pd.notna(r.ceiling_low)
                    else "")
            lines.append(f"| {r.outcome} | {r.r2:.3f} | {r.ceiling:.3f}{band} | {r.r2_share_of_ceiling:.2f} | {q2} | {txt} |")
    st = folders.get("levers_structural")
    if st:
        acr = pd.read_csv(st / "rankings.csv")
        acr = acr[(acr["outcome"] == outcome) & (acr["factor"] != "dummy")]
        fams = [f for f in ("by", "draws") if f in set(acr["family"])]
        every = acr[acr["family"] == ("all" if len(fams) > 1 else fams[0])]
        c = int(every["cells"].max())
        fit = pd.read_csv(st / "fit.csv")
        fit = fit[fit["outcome"] == outcome]
        lines += ["", f"## Across rules x regimes and lever strengths: {outcome}", "",
                  f"Detected in all {c} cells: {', '.join(every[every['detected_cells'] == c]['factor']) or 'none'}. "
                  f"Not detected in any cell at this sample size: {int((every['detected_cells'] == 0).sum())} levers "
                  f"(the smallest effect a cell detects is at most {every['mde_max'].max():.3f}). R² per cell "
                  f"{fit['r2'].min():.2f}–{fit['r2'].max():.2f}.", "",
                  "Whether an effect differs between cells is Cochran's Q (Holm-adjusted), with tau the "
                  "between-cell sd of the SRC; a detection count alone is no evidence of a difference.", "",
                  "| lever | " + " | ".join(f"{f}: median rank (best–worst), rank interval, detected, differs (tau)"
                                          for f in fams) + " |", "|---|" + "---|" * len(fams)]
        tab = {f: acr[acr["family"] == f].set_index("factor") for f in fams}
        for x in every.sort_values("rank_median")["factor"]:
            cells = [f"{tab[f].loc[x, 'rank_median']:g} ({tab[f].loc[x, 'rank_best']}–{tab[f].loc[x, 'rank_worst']}), "
                     f"{tab[f].loc[x, 'rank_low']}–{tab[f].loc[x, 'rank_high']}, "
                     f"{tab[f].loc[x, 'detected_cells']}/{tab[f].loc[x, 'cells']}, "
                     f"{'yes' if bool(tab[f].loc[x, 'heterogeneous']) else 'no'} ({tab[f].loc[x, 'tau']:.3f})"
                     for f in fams]
            lines.append(f"| `{x}` | " + " | ".join(cells) + " |")
    s2 = folders.get("levers_sobol")
    if s2:
        ind = _ind(s2)
        tot = ind[(ind["index"] == "ST") & (ind["outcome"] == outcome)].sort_values("estimate", ascending=False)
        noise = ind[(ind["index"] == "noise_part") & (ind["outcome"] == outcome)].iloc[0]
        lines += ["", f"## Stage 2: total Sobol' indices for {outcome}, corrected for seed noise "
                  f"(noise part {noise.estimate:.2f} [{noise.ci_low:.2f}, {noise.ci_high:.2f}])", "",
                  "| factor | ST [95%] | half-width | verdict |", "|---|---|---|---|"]
        found = tot[(tot["detected"].astype(str) == "True") & ~tot["factor"].isin(["other_factors", "dummy"])]
        if not len(found):
            lines[-2:-2] = ["Stage 2 is inconclusive at this sample size: no retained lever is detected on "
                            f"{outcome}, so the order below is not a ranking.", ""]
        for r in tot.itertuples():
            if r.factor == "dummy" and pd.isna(r.p_value):  # R = 1: the dummy is the noise estimator
                lines.append("| `dummy` | 0 | | measures the seed noise (one run per point): zero by construction |")
                continue
            verdict = ("detected" if str(r.detected) == "True" else
                       f"not detected at this sample size; the smallest effect this design detects is {r.mde:.3f}")
            lines.append(f"| `{r.factor}` | {_f(r.estimate)} [{_f(r.ci_low)}, {_f(r.ci_high)}] | "
                         f"{(r.ci_high - r.ci_low) / 2:.3f} | {verdict} |")
    return "\n".join(lines) + "\n"


def answer(out: Path, workers: int | None, progress: bool = True, outcome: str = "impact") -> str:
    """Run the shipped specs, write ``<out>/<UTC time>-answer.md`` and return its text."""
    from experiments.io.provenance import utc_stamp

    folders, times = run_all(out, workers, progress)
    text = summary(folders, times, outcome)
    (out / f"{utc_stamp()}-answer.md").write_text(text, encoding="utf-8")
    return text
