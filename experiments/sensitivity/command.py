"""Sensitivity experiments: which levers and structural factors move the model's outcomes.

``alliance sensitivity SPEC`` reads a spec (:mod:`experiments.sensitivity.spec`), runs a pilot
measuring the seed noise, runs the design (stage 1: regression on a space-filling design;
stage 2: Sobol' indices on independent scrambles; or Morris), tests every factor's effect
(:mod:`experiments.sensitivity.analysis`) and writes ``results/<UTC time>-<spec>/``
(:mod:`experiments.sensitivity.report`, ``ranking.md`` by :mod:`experiments.sensitivity.ranking`);
the design tables and checkpoints live in :mod:`experiments.sensitivity.runs`.

* Every run has its own seed; the seed noise is measured (pilot, within-point variance or
  the dummy) and removed from the indices rather than cancelled by shared seeds, whose
  cancellation is imperfect once a lever changes the random stream.
* ``--precision H`` (Sobol'): after the spec's scrambles, more independent scrambles are run
  until the half-width of every total index's interval is at most H (up to
  ``sobol.max_scrambles``).
* Any failing or non-finite run stops the experiment with an error naming its parameters and
  seed (:class:`~experiments.io.errors.RunFailed`); nothing is dropped.

Runs are checkpointed in chunks (``checkpoint/*.parquet``); ``--resume DIR`` recomputes only
the missing chunks and, since every result is read back from the checkpoint files in design
order, gives exactly the results of an uninterrupted run, whatever the executor.

References
----------
ten Broeke, G., van Voorn, G. & Ligtenberg, A. (2016). Which sensitivity analysis method
should I use for my agent-based model? JASSS 19(1), 5. https://doi.org/10.18564/jasss.2857
Saltelli, A. et al. (2010). Comput. Phys. Commun. 181, 259-270. https://doi.org/10.1016/j.cpc.2009.09.018
Herman, J. & Usher, W. (2017). SALib. JOSS 2(9), 97. https://doi.org/10.21105/joss.00097
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

from experiments.execution.executor import Executor, check_executor_args
from experiments.io.errors import InputError, ResourceError, RunFailed
from experiments.io.results import kept, lock_folder, repair_folder, write_atomic
from experiments.sensitivity.runs import (
    design_parts,
    execute,
    model_fingerprint,
    pilot_noise,
    pilot_table,
    run_table,
)
from experiments.sensitivity.spec import Spec, load_spec

__all__ = ["design_parts", "dry_run", "evaluate_runs", "register", "run_experiment", "run_table"]

RESULTS = Path("results")


# --------------------------------------------------------------------------------------
# Worker side
# --------------------------------------------------------------------------------------

def evaluate_runs(chunk: dict) -> list[dict[str, float]]:
    """Run every ``(values, seed)`` of a chunk; the function executors map (top level).

    ``chunk`` holds ``model`` (``"simulation"`` or ``"module:function"``), ``base`` (the
    full parameter dict, for the simulation) and ``runs``: ``[(values by path, seed), ...]``.
    """
    from experiments.execution.executor import run_model

    model = chunk["model"]
    out = []
    if model == "simulation":
        from simulation.params import set_dotted

        for values, seed in chunk["runs"]:
            params = copy.deepcopy(chunk["base"])
            for path, value in values.items():
                set_dotted(params, path, value, "design")
            params["run"]["seed"] = int(seed)
            out.append(run_model({"params": params, "varied": values, "series": False})["summary"])
        return out
    from experiments.sensitivity.spec import resolve_model

    fn = resolve_model(model, "spec")
    for values, seed in chunk["runs"]:
        try:
            summary = {k: float(v) for k, v in fn(values, int(seed)).items()}
        except Exception as exc:
            raise RunFailed(f"run failed for seed {seed}, varied parameters {values}: "
                            f"{type(exc).__name__}: {exc}", dict(values), int(seed)) from exc
        bad = {k: v for k, v in summary.items() if not math.isfinite(v)}
        if bad:
            raise RunFailed(f"non-finite outcome(s) {bad} for seed {seed}, varied parameters {values}",
                            dict(values), int(seed))
        out.append(summary)
    return out


# --------------------------------------------------------------------------------------
# The experiment
# --------------------------------------------------------------------------------------

def base_params(spec: Spec) -> dict | None:
    """The full parameter dict every run starts from: base scenario plus the fixed overrides."""
    if not spec.is_simulation:
        return None
    from simulation import ParameterError, Params

    if spec.base == "defaults":
        params = Params()
    else:
        from experiments.io.scenarios import load

        try:
            params = load(spec.base).params
        except InputError as exc:
            raise InputError(f"{spec.path or spec.name}: key 'base': {exc}") from None
    try:
        return params.with_overrides(spec.overrides, source=f"{spec.path} [overrides]").model_dump()
    except ParameterError as exc:
        raise InputError(str(exc)) from None


def new_folder(spec: Spec, out: Path = RESULTS) -> Path:
    from experiments.io.provenance import utc_stamp

    stamp = utc_stamp()
    for i in range(1, 1000):
        folder = out / (f"{stamp}-{spec.name}" if i == 1 else f"{stamp}-{spec.name}-{i}")
        try:
            (folder / "checkpoint").mkdir(parents=True)
            return folder
        except FileExistsError:
            continue
        except OSError as exc:
            raise InputError(f"{out}: expected a writable results folder; found {exc.strerror}") from None
    raise InputError(f"{out}: expected a free folder name for {stamp}-{spec.name}; found all taken")


def retained_from(spec: Spec, stage1: str | Path) -> tuple[Spec, dict]:
    """The spec with ``[sobol] retained`` read from a stage-1 results folder (rule:
    :data:`~experiments.sensitivity.ranking.RETAIN_RULE`, ``sobol.retain_top`` levers at most),
    and what to record of it. Refuses a stage 1 that is not a regression, ran on another model
    or detected none of this spec's levers."""
    import pandas as pd

    from experiments.sensitivity.ranking import select_retained

    folder = Path(stage1)
    where = f"--from {folder}"
    if spec.method != "sobol":
        raise InputError(f"{where}: expected a spec with method = \"sobol\" (stage 2); found {spec.method!r}")
    try:
        saved = json.loads((folder / "experiment.json").read_text())
        first = load_spec(folder / "spec.toml")
        ind = pd.read_csv(folder / "indices.csv", keep_default_na=False, na_values=[""])
    except (OSError, ValueError, KeyError) as exc:
        raise InputError(f"{where}: expected a finished stage-1 results folder (experiment.json, spec.toml, "
                         f"indices.csv); found {type(exc).__name__}: {exc}") from None
    if first.method != "regression":
        raise InputError(f"{where}: expected a stage-1 result (method = \"regression\"); found {first.method!r}")
    now = model_fingerprint(spec)
    if saved.get("model_fingerprint") != now:
        raise InputError(f"{where}: expected stage 1 run on this model (fingerprint {now}); found "
                         f"{saved.get('model_fingerprint')}: the model changed since; re-run stage 1")
    if spec.is_simulation:
        names = {f.name for f in spec.factors if f.path.startswith("levers.")}
    else:
        names = {f.name for f in spec.factors}
    top = spec.sobol["retain_top"]
    kept = select_retained(ind[ind["part"] == "factors"] if "factors" in set(ind["part"]) else ind,
                           names, spec.outcomes, top)
    if not kept:
        raise InputError(f"{where}: expected at least one of this spec's levers detected on one of its outcomes; "
                         "found none: nothing to retain (list them by hand in [sobol] retained)")
    from dataclasses import replace

    info = {"retained": kept, "retained_from": str(folder), "retain_top": top}
    return replace(spec, sobol={**spec.sobol, "retained": kept}), info


def run_experiment(spec_path: str | Path | None = None, *, resume: str | Path | None = None,
                   workers: int | None = None, scheduler: str | None = None,
                   out: Path = RESULTS, progress: bool = True, precision: float | None = None,
                   stage1: str | Path | None = None, posterior: str | Path | None = None) -> Path:
    """Run (or resume) an experiment and write its results folder; return the folder.
    ``stage1``: a stage-1 results folder whose detected levers a Sobol' spec retains.
    ``posterior``: a calibration results folder; each run's calibrated constants are drawn
    from its posterior (:func:`experiments.sensitivity.runs.posterior_draws`)."""
    from experiments.sensitivity import report as sens_report

    started = time.perf_counter()
    if resume is not None:
        folder = Path(resume)
        if not (folder / "spec.toml").exists():
            raise InputError(f"--resume {folder}: expected a sensitivity results folder with spec.toml; "
                             "found none")
        spec = load_spec(folder / "spec.toml")
        saved, base = repair_folder(folder, spec, base_params, model_fingerprint, progress)
        spec = _renamed(spec, saved["name"])
        precision = saved.get("precision")
        if saved.get("retained"):
            spec = _retaining(spec, saved["retained"])
        now = model_fingerprint(spec)
        if saved.get("model_fingerprint") != now:
            raise InputError(f"--resume {folder}: expected the model code that wrote the checkpoints "
                             f"(fingerprint {saved.get('model_fingerprint')}); found {now}: the model "
                             "changed, so old and new runs would mix; start a new experiment")
        if saved.get("posterior") is not None and _posterior_key(saved["posterior"]) != saved.get("posterior_key"):
            raise InputError(f"--resume {folder}: expected the posterior the runs were drawn from "
                             f"({saved['posterior']}, key {saved.get('posterior_key')}); found it changed or "
                             "gone: start a new experiment")
    else:
        if spec_path is None:
            raise InputError("sensitivity: expected a SPEC file or --resume DIR; found neither")
        spec = load_spec(spec_path)
        if precision is not None and spec.method != "sobol":
            raise InputError(f"--precision: expected a spec with method = \"sobol\"; found {spec.method!r}")
        chosen: dict = {}
        if stage1 is not None:
            spec, chosen = retained_from(spec, stage1)
        base = base_params(spec)
        post = None
        if posterior is not None:
            if not spec.is_simulation:
                raise InputError(f"--posterior: expected a spec of the simulation; found model {spec.model!r}")
            from experiments.calibration.posterior import _at, load

            cal = load(posterior)
            from experiments.io.posterior_draws import check_rows

            check_rows(cal, base, frozenset(f.path for f in spec.factors))  # before the folder: no leftover
            post = {"posterior": str(posterior), "posterior_key": _posterior_key(posterior),
                    "posterior_kept": [p for p in cal.paths if _at(base, p) != _at(cal.base, p)],
                    "posterior_overridden": [f.path for f in spec.factors if f.path in cal.paths]}
        folder = new_folder(spec, out)
        lock_folder(folder, "sensitivity")  # a --resume of it while this runs is refused
        write_atomic(folder / "spec.toml", spec.path.read_bytes())
        write_atomic(folder / "base_params.json", json.dumps(base, indent=1) + "\n")
        write_atomic(folder / "experiment.json", json.dumps(
            {"name": spec.name, "spec": str(spec_path), "model_fingerprint": model_fingerprint(spec),
             "precision": precision, **chosen, **(post or {})}) + "\n")
    if progress:
        print(f"results folder: {folder}", file=sys.stderr)
    reps = spec.replications
    try:
        with Executor(workers=workers, scheduler=scheduler) as ex:
            ptable = pilot_table(spec)
            pilot = execute(spec, ptable, folder, "pilot", ex, base, progress, evaluate_runs)
            pilot_stats = pilot_noise(spec, pilot)
            offset = len(ptable)
            if precision is not None:
                spec, offset = _sized(spec, precision, folder, ex, base, progress, offset, pilot_stats)
                reps = spec.replications
            parts = design_parts(spec)
            table = run_table(spec, parts, reps, offset=offset)
            outcomes = execute(spec, table, folder, "runs", ex, base, progress, evaluate_runs)
            if precision is not None:
                parts, table, outcomes = _to_precision(spec, precision, folder, ex, base, progress,
                                                       parts, table, outcomes, offset, pilot_stats)
    except KeyboardInterrupt as exc:
        raise Interrupted(folder) from exc
    except (ResourceError, OSError) as exc:  # disk full, cluster lost: the finished chunks stay
        raise kept(exc, folder) from None
    wall = time.perf_counter() - started
    try:
        sens_report.write_all(folder, spec=spec, parts=parts, table=table, outcomes=outcomes, reps=reps,
                              pilot=pilot.merge(ptable, on="run"), pilot_stats=pilot_stats, base=base,
                              wall_seconds=wall, workers=None if scheduler else (workers or ex.workers),
                              scheduler=scheduler, notes=_notes(spec, folder))
    except OSError as exc:
        raise kept(exc, folder) from None
    return folder


def _posterior_key(folder: str | Path) -> str:
    """SHA-256 (16 hex digits) of a calibration folder's posterior (posterior.csv and
    base_params.json), after checking that it is one (InputError, one line, otherwise)."""
    import hashlib

    from experiments.calibration.posterior import load

    post = load(folder)
    text = post.values.to_csv() + json.dumps(post.weights.tolist()) + json.dumps(post.base, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _notes(spec: Spec, folder: Path) -> list[tuple[str, str]]:
    """What the report must say about choices made while running: the retained levers and
    where they came from, the design chosen for ``--precision``."""
    from experiments.sensitivity.ranking import RETAIN_RULE, _fr

    saved = json.loads((folder / "experiment.json").read_text())
    out = []
    if saved.get("posterior"):
        p = saved["posterior"]
        out.append((f"Parameter uncertainty: each run's calibrated constants are a particle drawn by weight from "
                    f"the posterior of `{p}` (columns `posterior.*` of design.parquet); the pilot's noise, "
                    "against which effects are tested, includes their spread. A factor of the spec overrides "
                    "its calibrated value. The ranking is therefore marginal over the posterior (each effect "
                    "averaged over the constants); whether it depends on them: the section 'Against the "
                    "calibrated constants' at the end.",
                    f"Incertitude des paramètres : les constantes calibrées de chaque simulation sont une particule "
                    f"tirée selon son poids dans la loi a posteriori de `{p}` (colonnes `posterior.*` de "
                    "design.parquet) ; le bruit du pilote, auquel les effets sont comparés, inclut leur dispersion. "
                    "Un facteur de la spec remplace sa valeur calibrée. Le classement est donc marginal sur la loi "
                    "a posteriori ; s'il dépend des constantes : dernière section."))
        for key, en, fr in (("posterior_overridden", "Varied by the spec instead", "Variés par la spec à la place"),
                            ("posterior_kept", "Kept at the base scenario's value", "Gardés à la valeur du scénario de base")):
            if saved.get(key):
                names = ", ".join(f"`{k}`" for k in saved[key])
                out.append((f"{en}: {names}.", f"{fr} : {names}."))
    kept = spec.sobol.get("retained", []) if spec.method == "sobol" else []
    if kept:
        names = ", ".join(f"`{k}`" for k in kept)
        if saved.get("retained_from"):
            alpha = 1 - spec.statistics["confidence"]
            en, fr = (r.format(alpha=alpha, alpha_fr=_fr(f"{alpha:.2g}"), top=saved["retain_top"])
                      for r in RETAIN_RULE)
            out.append((f"Retained levers (from stage 1, `{saved['retained_from']}`: {en}): {names}; the other "
                        "levers vary together as one group, `other_factors`.",
                        f"Leviers retenus (de l'étape 1, `{saved['retained_from']}` : {fr}) : {names} ; les autres "
                        "leviers varient ensemble, en un groupe, `other_factors`."))
        else:
            out.append((f"Retained levers (listed in the spec, `[sobol] retained`): {names}; the other levers vary "
                        "together as one group, `other_factors`.",
                        f"Leviers retenus (listés dans la spec, `[sobol] retained`) : {names} ; les autres leviers "
                        "varient ensemble, en un groupe, `other_factors`."))
    if saved.get("precision_note"):
        en, fr = saved["precision_note"]
        h, more = saved.get("half_width_first"), saved.get("scrambles")
        last = saved.get("half_width_last", h)
        if h is not None:
            k = spec.sobol["scrambles"]
            en += f" Measured on that design: largest half-width {h:.3g}"
            fr += f" Mesurée sur ce plan : plus grande demi-largeur {_fr(f'{h:.3g}')}"
            if more and more > k:
                en += (f"; {more - k} independent scrambles were added ({more} in all): largest half-width "
                       f"{last:.3g}.")
                fr += (f" ; {more - k} brouillages indépendants ont été ajoutés ({more} en tout) : plus grande "
                       f"demi-largeur {_fr(f'{last:.3g}')}.")
            else:
                en += "."
                fr += "."
            if last > saved["precision"]:
                en += (f" The target {saved['precision']} is NOT reached: `sobol.max_scrambles` "
                       f"({spec.sobol['max_scrambles']}) stopped the scrambles.")
                fr += (f" La cible {_fr(str(saved['precision']))} n'est PAS atteinte : `sobol.max_scrambles` "
                       f"({spec.sobol['max_scrambles']}) a arrêté les brouillages.")
        out.append((en, fr))
    return out


#: The sizing pilot of ``--precision``: base samples per scramble and scrambles, one run per point.
SIZING_N, SIZING_SCRAMBLES = 32, 3


def _sized(spec: Spec, target: float, folder: Path, ex: Executor, base: dict | None, progress: bool,
           offset: int, pilot_stats: dict) -> tuple[Spec, int]:
    """``--precision``: N (base samples per scramble) and R (runs per point) for the spec's
    scrambles, chosen from a sizing pilot (a small Saltelli design, one run per point) and the
    pilot's seed variance (:func:`analysis.size_for_precision`); the spec to run and the seed
    offset after the sizing pilot. The choice and why go to experiment.json (and ranking.md)."""
    from dataclasses import replace

    from experiments.sensitivity import analysis
    from experiments.sensitivity.spec import DUMMY, MAX_DESIGN_RUNS, check_size

    saved = json.loads((folder / "experiment.json").read_text())
    k = spec.sobol["scrambles"]
    pspec = replace(spec, sobol={**spec.sobol, "n": SIZING_N, "scrambles": SIZING_SCRAMBLES}, replications=1,
                    design_seed=spec.design_seed % (2**32 - 2) + 1)
    pparts = design_parts(pspec)
    ptab = run_table(pspec, pparts, 1, offset=offset)
    got = execute(pspec, ptab, folder, "sizing", ex, base, progress, evaluate_runs)
    prob = next(iter(pparts.values()))[0]
    names = list(dict.fromkeys(prob["groups"])) if prob.get("groups") else list(prob["names"])
    second = spec.sobol["second_order"]
    dummy = names.index(DUMMY) if DUMMY in names else None
    moments = {o: analysis.jansen_moments(got[o].to_numpy(dtype=float), len(names), second) for o in spec.outcomes}
    s2 = {o: float(pilot_stats[o]["seed_var"]) for o in spec.outcomes}
    rows = 2 * len(names) + 2 if second else len(names) + 2
    conf = spec.statistics["confidence"]
    choice = saved.get("chosen") or analysis.size_for_precision(
        moments, s2, target, k, rows, conf, True, dummy, MAX_DESIGN_RUNS * k // spec.sobol["max_scrambles"])
    if choice["n"] is None:
        hw, n, r, runs = choice["closest"] or (float("nan"), 0, 0, 0)
        raise InputError(f"--precision {target}: expected a half-width reachable in at most "
                         f"{MAX_DESIGN_RUNS * k // spec.sobol['max_scrambles']:,} runs on {k} scrambles (room left "
                         f"for max_scrambles = {spec.sobol['max_scrambles']}); found none: the closest, N = {n}, R = {r} "
                         f"({runs:,} runs), is predicted at {hw:.3g}; ask for a wider half-width")
    n, r = int(choice["n"]), int(choice["r"])
    one = {o: float(analysis.total_index_half_width(m, s2[o], n, 1, k, conf, True).max()) for o, m in moments.items()}
    o_bind, j_bind = choice["binding"]
    if "chosen" not in saved:
        words = (f"`--precision {target}`: a sizing pilot ({SIZING_N} base samples x {SIZING_SCRAMBLES} scrambles, one "
                 f"run per point, {len(ptab)} runs) measured, per factor and outcome, the spread of the Jansen terms "
                 f"(y_A - y_AB)^2; with the seed variance of one run from the pilot (s² = "
                 + ", ".join(f"{o} {v:.3g}" for o, v in s2.items()) + "), the total index's half-width on "
                 f"{k} scrambles of N base samples, each point run R times, is predicted as "
                 "t x sqrt((Var(Df²) + 4 E[Df²] 2s²/R + 2 (2s²/R)²) / (4 N K)) / (V - s²). The cheapest design "
                 f"reaching {target} for every factor on every outcome: N = {n}, R = {r} ({choice['runs']:,} runs), "
                 f"predicted half-width {choice['half_width']:.3g}, set by `{names[j_bind]}` on {o_bind}")
        words_fr = (f"`--precision {target}` : un pilote de dimensionnement ({SIZING_N} points de base x "
                    f"{SIZING_SCRAMBLES} brouillages, une simulation par point, {len(ptab)} simulations) a mesuré, par "
                    "facteur et résultat, la dispersion des termes de Jansen (y_A - y_AB)² ; avec la variance d'une "
                    "simulation entre graines mesurée par le pilote, la demi-largeur de l'indice total sur "
                    f"{k} brouillages de N points, chaque point simulé R fois, est prédite par la formule ci-dessus "
                    f"(version anglaise). Le plan le moins coûteux qui atteint {_fr_num(target)} pour chaque facteur "
                    f"et chaque résultat : N = {n}, R = {r} ({choice['runs']:,} simulations), demi-largeur prédite "
                    f"{_fr_num(choice['half_width'])}, fixée par `{names[j_bind]}` sur {o_bind}")
        if r > 1:
            words += (f"; with one run per point the same N would give {max(one.values()):.3g}: the seed noise makes "
                      "replications cheaper than more points here")
            words_fr += (f" ; avec une simulation par point, le même N donnerait {_fr_num(max(one.values()))} : le bruit "
                         "des graines rend ici les répétitions moins chères que des points supplémentaires")
        saved.update(chosen=choice, sizing_runs=len(ptab), precision_note=[words + ".", words_fr + "."])
        (folder / "experiment.json").write_text(json.dumps(saved, default=_plain_num) + "\n")
        if progress:
            print(f"--precision {target}: N = {n}, R = {r} ({choice['runs']} runs), predicted half-width "
                  f"{choice['half_width']:.3g}", file=sys.stderr)
    chosen = replace(spec, sobol={**spec.sobol, "n": n}, replications=r)
    check_size(chosen, f"--precision {target}")
    return chosen, offset + len(ptab)


def size_only(spec_path: str | Path, target: float, workers: int | None, scheduler: str | None = None) -> str:
    """``--dry-run --precision H``: run the pilot and the sizing pilot only (in a temporary
    folder) and say which N and R ``--precision H`` would choose, and why."""
    import tempfile

    spec = load_spec(spec_path)
    if spec.method != "sobol":
        raise InputError(f"--precision: expected a spec with method = \"sobol\"; found {spec.method!r}")
    base = base_params(spec)
    with tempfile.TemporaryDirectory() as tmp, Executor(workers=workers, scheduler=scheduler) as ex:
        folder = Path(tmp)
        (folder / "checkpoint").mkdir()
        (folder / "experiment.json").write_text(json.dumps({"precision": target}) + "\n")
        ptable = pilot_table(spec)
        pilot = execute(spec, ptable, folder, "pilot", ex, base, False, evaluate_runs)
        _sized(spec, target, folder, ex, base, False, len(ptable), pilot_noise(spec, pilot))
        saved = json.loads((folder / "experiment.json").read_text())
    return saved["precision_note"][0]


def _fr_num(x: float) -> str:
    return f"{x:.3g}".replace(".", ",")


def _plain_num(v: Any) -> Any:
    return v.item() if hasattr(v, "item") else str(v)


def half_width(spec: Spec, parts: dict, table: Any, outcomes: Any, pilot_stats: dict) -> float:
    """The largest half-width of a factor's total-index interval (the dummy and the noise aside)."""
    from experiments.sensitivity import report as sens_report
    from experiments.sensitivity.spec import DUMMY

    ind, _ = sens_report.analyse(spec, parts, table, outcomes, spec.replications, pilot_stats)
    st = ind[(ind["index"] == "ST") & (ind["factor"] != DUMMY)]
    return float(((st["ci_high"] - st["ci_low"]) / 2).max())


def scrambles_for(k: int, h: float, target: float, cap: int, confidence: float) -> int:
    """Scrambles for a half-width ``target``, from ``h`` measured on ``k``: the half-width is
    t_{K-1} * sd / sqrt(K), sd unchanged."""
    from scipy import stats

    q = stats.t.ppf(0.5 + confidence / 2, k - 1)
    for kk in range(k, cap + 1):
        if h * stats.t.ppf(0.5 + confidence / 2, kk - 1) / q * math.sqrt(k / kk) <= target:
            return kk
    return cap


def _to_precision(spec: Spec, target: float, folder: Path, ex: Executor, base: dict | None, progress: bool,
                  parts: dict, table: Any, outcomes: Any, offset: int, pilot_stats: dict) -> tuple:
    """Measure the largest total-index half-width; while above ``target``, add independent
    scrambles (as many as the measured half-width says, at least one; up to
    ``sobol.max_scrambles``). Each step is recorded in experiment.json, so a resumed run
    replays the same steps and recomputes only missing chunks."""
    import pandas as pd

    saved = json.loads((folder / "experiment.json").read_text())
    steps = list(saved.get("scramble_steps", []))
    cap, conf = spec.sobol["max_scrambles"], spec.statistics["confidence"]
    done = 0
    while True:
        if done < len(steps):
            more = steps[done]
        else:
            h = half_width(spec, parts, table, outcomes, pilot_stats)
            saved.setdefault("half_width_first", h)
            saved["half_width_last"] = h
            k = len(parts)
            more = max(k + 1, scrambles_for(k, h, target, cap, conf)) if h > target and k < cap else k
            if more > k:
                steps.append(more)
                if progress:
                    print(f"--precision {target}: half-width {h:.3g} on {k} scrambles; running {more}", file=sys.stderr)
            saved.update(scramble_steps=steps, scrambles=more)
            (folder / "experiment.json").write_text(json.dumps(saved, default=_plain_num) + "\n")
            if more == k:
                return parts, table, outcomes
        done += 1
        parts = design_parts(spec, scrambles=more)
        full = run_table(spec, parts, spec.replications, offset=offset)
        extra = full.iloc[len(table):].reset_index(drop=True)
        extra["run"] = range(len(extra))
        got = execute(spec, extra, folder, f"more{done}", ex, base, progress, evaluate_runs)
        got["run"] = got["run"] + len(table)
        table, outcomes = full, pd.concat([outcomes, got], ignore_index=True)


class Interrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM during an experiment; ``folder`` keeps the finished chunks."""

    def __init__(self, folder: Path):
        super().__init__(str(folder))
        self.folder = folder


def _retaining(spec: Spec, kept: list[str]) -> Spec:
    from dataclasses import replace

    return replace(spec, sobol={**spec.sobol, "retained": list(kept)})


def _renamed(spec: Spec, name: str) -> Spec:
    from dataclasses import replace

    return replace(spec, name=name)


def dry_run(spec_path: str | Path, workers: int | None, scheduler: str | None = None) -> str:
    """Number of runs and an estimated duration: a sample of the design's own runs timed in
    this process (no pool is started to size a design), the pool's start taken as
    :data:`~experiments.execution.executor.POOL_START_SECONDS`, and the analysis and report of
    one outcome on the design's real shape (random outputs), times the number of outcomes.
    The load average is printed beside the estimate, which assumes idle cores."""
    import os

    import numpy as np

    from experiments.execution.compiled import compile_kernels
    from experiments.execution.executor import POOL_START_SECONDS
    from experiments.sensitivity import report as sens_report

    spec = load_spec(spec_path)
    base = base_params(spec)
    ptable = pilot_table(spec)
    parts = design_parts(spec)
    reps = spec.replications
    table = run_table(spec, parts, reps, offset=len(ptable))
    n = len(ptable) + len(table)
    rng = np.random.default_rng(0)
    if scheduler is None:
        w, start = workers or os.cpu_count() or 1, 0.0
    else:  # the cluster's slots; its workers are already running
        with Executor(workers=workers, scheduler=scheduler) as ex:
            w, start = ex.slots, 0.0
    if w > 1 and scheduler is None:
        start = POOL_START_SECONDS
    sample = table.iloc[np.sort(rng.choice(len(table), size=min(len(table), 16), replace=False))]
    runs = [(_values_of(spec, r), int(r["seed"])) for _, r in sample.iterrows()]
    if spec.model == "simulation":
        compile_kernels()  # loading the compiled kernels is not a run's cost
    evaluate_runs({"model": spec.model, "base": base, "runs": runs[:1]})  # first-call costs
    t1 = time.process_time()
    evaluate_runs({"model": spec.model, "base": base, "runs": runs})
    per_run = (time.process_time() - t1) / max(len(runs), 1)
    one = spec.outcomes[:1]
    fake_spec = _with_outcomes(spec, one)  # random outputs: no emulator (timed apart, if ever)
    import tempfile

    import pandas as pd

    fake = pd.DataFrame({"run": range(len(table)), one[0]: rng.normal(size=len(table))})
    pilot = ptable.assign(**{one[0]: rng.normal(size=len(ptable))})
    t2 = time.process_time()
    with tempfile.TemporaryDirectory() as tmp:  # the whole report stage, for one outcome
        sens_report.write_all(Path(tmp), spec=fake_spec, parts=parts, table=table, outcomes=fake, reps=reps,
                              pilot=pilot, pilot_stats={one[0]: {"seed_var": 0.5}}, base=base, wall_seconds=1.0,
                              workers=w, scheduler=scheduler)
    analysis_s = (time.process_time() - t2) * len(spec.outcomes)
    total = start + n * per_run / w + analysis_s
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [f"{spec.name}: {spec.method}, {len(spec.all_factors)} factors (dummy included), {len(parts)} part(s), "
             f"{len(table) // reps} design points x {reps} replication(s) + pilot {len(ptable)} = {n} runs",
             f"  about {_duration(total)} on {w} idle workers: pool start {start:.1f} s (measured once, "
             f"not here), {per_run * 1000:.1f} ms of CPU per run ({len(runs)} design runs timed in this "
             f"process), analysis and report {analysis_s:.1f} s",
             f"  load average now {load:.1f} on {os.cpu_count()} cores: a busy machine takes longer"]
    if spec.method == "regression" and spec.regression["emulator_below"] > 0:
        lines.append("  (not included: a Gaussian-process emulator, fitted only where the linear fit is poor)")
    return "\n".join(lines)


def _values_of(spec: Spec, row: Any) -> dict:
    import pandas as pd

    from experiments.sensitivity.runs import _values

    return _values(spec, {k[2:]: v for k, v in row.items() if k.startswith("u_") and not pd.isna(v)})


def _with_outcomes(spec: Spec, outcomes: tuple[str, ...]) -> Spec:
    from dataclasses import replace

    return replace(spec, outcomes=tuple(outcomes), regression={**spec.regression, "emulator_below": 0.0})


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


# --------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------

def register(subparsers: Any) -> None:
    """Add ``alliance sensitivity`` to the command's subparsers."""
    p = subparsers.add_parser("sensitivity", help="Morris or Sobol sensitivity experiment from a spec",
                              description=__doc__.split("\n\n")[0])
    p.add_argument("spec", nargs="?", help="experiment spec (.toml), e.g. experiments/levers_morris.toml")
    p.add_argument("--workers", type=int, default=None, help="local processes (default: all cores)")
    p.add_argument("--scheduler", default=None, help="Dask scheduler address tcp://HOST:PORT")
    p.add_argument("--resume", default=None, metavar="DIR", help="finish an interrupted experiment")
    p.add_argument("--out", default=str(RESULTS), help="parent folder of results (default: results)")
    p.add_argument("--dry-run", action="store_true",
                   help="print the number of runs and an estimated duration (with --precision: run the pilots "
                        "only and print the N and R it would choose)")
    p.add_argument("--precision", type=float, default=None, metavar="H",
                   help="Sobol: add independent scrambles until every total index's interval half-width is <= H")
    p.add_argument("--from", dest="stage1", default=None, metavar="STAGE1_DIR",
                   help="Sobol: retain the levers a stage-1 (regression) results folder detected "
                        "(largest |SRC| first, sobol.retain_top at most) instead of [sobol] retained")
    p.add_argument("--answer", action="store_true",
                   help="re-run the shipped specs (levers_regression, levers_structural, levers_sobol --from "
                        "the former) and print the issue's figures, wall and CPU time (make sensitivity)")
    p.add_argument("--posterior", default=None, metavar="CALIBRATION_DIR",
                   help="draw each run's calibrated constants from the posterior of a calibration results "
                        "folder (alliance calibrate), so the ranking carries parameter uncertainty")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=command)


def command(args: argparse.Namespace) -> int:
    check_executor_args(args.workers, args.scheduler)
    if args.precision is not None and not 0 < args.precision < 1:
        raise InputError(f"--precision: expected a half-width in (0, 1), e.g. 0.02; found {args.precision}")
    if args.posterior is not None and (args.resume or args.answer or args.dry_run):
        raise InputError("sensitivity --posterior: expected a SPEC to run (a resumed experiment keeps its own "
                         "posterior; --answer and --dry-run take none); found "
                         + ("--resume" if args.resume else "--answer" if args.answer else "--dry-run"))
    if args.answer:
        if args.spec is not None or args.resume or args.stage1 or args.precision is not None or args.dry_run:
            raise InputError("sensitivity --answer: expected no SPEC, --resume, --from, --precision nor --dry-run "
                             "(it runs the three shipped specs); found some")
        if args.scheduler is not None:
            raise InputError("sensitivity --answer: expected local workers (CPU time is measured here); "
                             f"found --scheduler {args.scheduler}")
        from experiments.sensitivity.answer import answer

        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        try:
            print(answer(out, args.workers, progress=not args.quiet))
        except Interrupted as exc:
            print(f"alliance: interrupted; finished chunks are kept in {exc.folder} (resume that spec with "
                  f"'alliance sensitivity --resume {exc.folder}', then run the rest); --answer starts anew",
                  file=sys.stderr)
            return 130
        return 0
    if args.dry_run:
        if args.spec is None:
            raise InputError("sensitivity --dry-run: expected a SPEC file; found none")
        if args.precision is not None:
            print(size_only(args.spec, args.precision, args.workers, args.scheduler))
        else:
            print(dry_run(args.spec, args.workers, args.scheduler))
        return 0
    try:
        folder = run_experiment(args.spec, resume=args.resume, workers=args.workers,
                                scheduler=args.scheduler, out=Path(args.out), progress=not args.quiet,
                                precision=args.precision, stage1=args.stage1, posterior=args.posterior)
    except Interrupted as exc:
        print(f"alliance: interrupted; finished chunks are kept: resume with "
              f"'alliance sensitivity --resume {exc.folder}'", file=sys.stderr)
        return 130
    print(f"results: {folder}")
    return 0
