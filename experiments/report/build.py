"""``alliance report``: rebuild every section, write the tables and figures and one
self-contained ``report.html`` (figures embedded as base64 PNG), with the methods section
generated from the provenance record of the build.

Layout of the report folder (default ``results/report/``): ``report.html``,
``figures/<name>.{pdf,svg,png}``, ``tables/<name>.{csv,md,tex}``, ``provenance.json``;
the cache of model outputs lives in ``cache/`` (see :mod:`.cache`).
"""

from __future__ import annotations

import html
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from . import outputs as out
from . import sections as sec
from .cache import Cache


def build(folder: Path, cfg: sec.Config, *, cache_dir: Path | None = None, workers: int | None = None,
          sensitivity: Path | None = None, calibration: Path | None = None, quick: bool = False, started: datetime | None = None,
          progress: bool = False) -> dict[str, Any]:
    """Build the report into ``folder`` (its figures/ and tables/ emptied first); returns the
    provenance record written there. A quick build is marked on every figure and table."""
    import shutil

    from experiments.io import provenance

    started = started or provenance.utc_now()
    folder.mkdir(parents=True, exist_ok=True)
    for old in ("figures", "tables"):  # no file of an earlier build stays beside this one's
        shutil.rmtree(folder / old, ignore_errors=True)
    mark = out.WATERMARK.set(QUICK_MARK if quick else None)
    try:
        return _build(folder, cfg, cache_dir=cache_dir, workers=workers, sensitivity=sensitivity,
                      calibration=calibration, quick=quick, started=started, progress=progress)
    finally:
        out.WATERMARK.reset(mark)


#: Printed across every figure and before every table caption of a quick build.
QUICK_MARK = "QUICK: not for publication"


def _build(folder: Path, cfg: sec.Config, *, cache_dir: Path | None, workers: int | None,
           sensitivity: Path | None, calibration: Path | None, quick: bool, started: datetime,
           progress: bool) -> dict[str, Any]:
    from experiments.execution.executor import Executor
    from experiments.io import provenance

    cache = Cache(cache_dir or folder / "cache")
    with Executor(workers=workers) as ex:
        def runs(fn, tasks, name=None):
            return cache.runs(name or fn.__name__, fn, tasks,
                              lambda f, t: ex.map(f, t, progress=progress, desc=name or "report"))

        parts = [sec.model_page(folder)]
        compared, per = sec.comparison(folder, cfg, runs)
        parts += [compared, sec.convergence(folder, cfg, per), sec.territories(folder, cfg, per[cfg.scenarios[0]]),
                  sec.regime_maps(folder, cfg, runs), sec.horizons(folder, cfg, runs),
                  sec.experimentation(folder, cfg, runs, calibration)]
        from .discovery import discovery

        parts.append(discovery(folder, cfg, runs))
        parts.append(sec.lever_ranking(sensitivity, folder))
        from .calibration import section as calibration_section

        parts.append(calibration_section(folder, calibration))
        from .docs import trace_section

        parts.append(trace_section())
        workers_used = ex.processes_used
    files = []
    for part in parts:
        for name, (table, caption) in part.tables.items():
            files += out.save_table(table, folder, name, f"{QUICK_MARK}. {caption}" if quick else caption)
    prov = provenance.record(
        started=started, seeds=sec.seeds_of(cfg, max(cfg.reps, cfg.map_reps, cfg.design_seeds, cfg.prim_points)),
        workers=workers_used, workers_requested=workers, quick=quick, config=_config_dict(cfg),
        cache={"code_version": cache.code, "reused": cache.hits, "computed": cache.misses},
        sensitivity=None if sensitivity is None else provenance.relative(sensitivity),
        calibration=None if calibration is None else provenance.relative(calibration))
    prov["versions"]["ema_workbench"] = provenance.version("ema_workbench")  # finds the PRIM box
    (folder / "provenance.json").write_text(json.dumps(prov, indent=2, ensure_ascii=False), encoding="utf-8")
    parts += [methods(prov, cfg), references()]
    (folder / "report.html").write_text(render(folder, parts, prov), encoding="utf-8")
    return prov


def _config_dict(cfg: sec.Config) -> dict[str, Any]:
    from dataclasses import asdict

    return json.loads(json.dumps(asdict(cfg), default=list))


def methods(prov: dict[str, Any], cfg: sec.Config) -> sec.Section:
    """The methods, generated from the provenance record (nothing typed by hand)."""
    v = prov["versions"]
    s = sec.Section("methods", "Méthodes / Methods")
    dirty = {True: f" (with uncommitted changes, git diff HEAD sha256 {str(prov.get('git_diff_sha256'))[:12]}: "
                   "not reproducible from the commit alone)", False: "",
             None: " (not a git tree)"}[prov["git_dirty"]]
    if prov.get("git_changed_during_run"):
        dirty += " (the tree changed while the report was built: its numbers may mix two versions)"
    s.text = [
        f"Code: alliance-sim {prov['package_version']}, git commit {prov['git_commit']}{dirty}; "
        f"model code version {prov['cache']['code_version'][:12]} (hash of simulation/ and numpy, numba, llvmlite).",
        "Software: " + ", ".join(f"{k} {val}" for k, val in v.items()) + f"; platform {prov['platform']}.",
        f"Runs: {cfg.reps} replications per scenario ({cfg.months} months each), {cfg.map_reps} per "
        f"regime-map cell, {cfg.design_seeds} seeds per world of the experimentation "
        f"({cfg.design.years} years; again at lever uptakes {', '.join(f'{u:g}' for u in cfg.uptakes)} on the same "
        f"seeds), {cfg.uncertainty_draws} draws of the uncertain strengths x "
        f"{cfg.uncertainty_seeds} world(s) for the power under uncertainty (the experimentation's first seeds), "
        f"{cfg.prim_points} scenario-discovery points; evaluation samples of the experimentation drawn from "
        f"generators seeded 0 (fixed strengths) and 0, 1, ... (one per uncertainty draw); seeds from {cfg.seed} (consecutive; one seed per run is "
        "the only source of randomness; the same seed gives the same result on any number of workers). "
        f"How the intervals shrink with replications: section Convergence ({cfg.reps} replications at most).",
        "Model documentation: docs/ODD.md (ODD protocol, Grimm et al. 2020), docs/odd_d.md (decision-making, "
        "ODD+D, Müller et al. 2013), docs/trace.md (testing and validation evidence, TRACE, Grimm et al. 2014); "
        "the seed document: docs/seed/.",
        f"Built {prov['started_utc']} to {prov['ended_utc']} "
        f"with {prov['workers']} process(es)"
        + (f" ({prov['workers_requested']} requested; the executor runs a block in-process when it is too small to "
           "gain from more)" if prov.get("workers_requested") not in (None, prov["workers"]) else "")
        + f"; blocks reused from the cache: {len(prov['cache']['reused'])}, "
        f"computed: {len(prov['cache']['computed'])}. Command: {' '.join(prov['command'])}.",
    ]
    return s


#: Works the report's methods rest on (the model's own references: docs/ODD.md).
REFERENCES = (
    "Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate. Journal of the Royal "
    "Statistical Society B 57(1), 289-300. doi:10.1111/j.2517-6161.1995.tb02031.x",
    "Bryant, B. P. & Lempert, R. J. (2010). Thinking inside the box: a participatory, computer-assisted approach "
    "to scenario discovery. Technological Forecasting and Social Change 77(1), 34-49. "
    "doi:10.1016/j.techfore.2009.08.002",
    "Callaway, B. & Sant'Anna, P. H. C. (2021). Difference-in-differences with multiple time periods. Journal "
    "of Econometrics 225(2), 200-230. doi:10.1016/j.jeconom.2020.12.001",
    "Friedman, J. H. & Fisher, N. I. (1999). Bump hunting in high-dimensional data. Statistics and Computing 9, "
    "123-143. doi:10.1023/A:1008894516817",
    "Goodman-Bacon, A. (2021). Difference-in-differences with variation in treatment timing. Journal of "
    "Econometrics 225(2), 254-277. doi:10.1016/j.jeconom.2021.03.014",
    "Grimm, V. et al. (2014). Towards better modelling and decision support: documenting model development, "
    "testing, and analysis using TRACE. Ecological Modelling 280, 129-139. doi:10.1016/j.ecolmodel.2014.01.018",
    "Grimm, V. et al. (2020). The ODD protocol for describing agent-based and other simulation models: a second "
    "update. JASSS 23(2) 7. doi:10.18564/jasss.4259",
    "Kwakkel, J. H. (2017). The Exploratory Modeling Workbench. Environmental Modelling & Software 96, 239-250. "
    "doi:10.1016/j.envsoft.2017.06.054",
    "Müller, B. et al. (2013). Describing human decisions in agent-based models: ODD+D, an extension of the ODD "
    "protocol. Environmental Modelling & Software 48, 37-48. doi:10.1016/j.envsoft.2013.06.003",
    "O'Hagan, A., Stevens, J. W. & Campbell, M. J. (2005). Assurance in clinical trial design. Pharmaceutical "
    "Statistics 4(3), 187-201. doi:10.1002/pst.175",
    "White, J. W., Rassweiler, A., Samhouri, J. F., Stier, A. C. & White, C. (2014). Ecologists should not use "
    "statistical significance tests to interpret simulation model results. Oikos 123(4), 385-388. "
    "doi:10.1111/j.1600-0706.2013.01073.x",
    "World Café de la co-construction en territoires (20 October 2021) and the Charte du « faire alliance » "
    "(30 November 2021), Fondation des Territoires: the seed of the model (docs/seed/).",
)


def references() -> sec.Section:
    s = sec.Section("references", "Références / References")
    s.text = list(REFERENCES)
    return s


_STYLE = """body{font-family:sans-serif;max-width:60rem;margin:2rem auto;line-height:1.45;color:#222}
table{border-collapse:collapse;font-size:.8rem;margin:.5rem 0}td,th{border:1px solid #ccc;padding:.2rem .4rem}
th{background:#eef}img{max-width:100%}figcaption,caption{font-size:.85rem;color:#444}"""


def render(folder: Path, parts: list[sec.Section], prov: dict[str, Any]) -> str:
    """The self-contained HTML: text, tables and figures (PNG as data URIs)."""
    body = [f"<h1>alliance-sim: rapport / report</h1><p>Commit {html.escape(str(prov['git_commit']))}, "
            f"built {html.escape(prov['started_utc'])}{' (quick)' if prov['quick'] else ''}.</p>"]
    if prov["quick"]:
        body.append(f"<p style='color:#c00;font-weight:bold'>{QUICK_MARK}: a small build (few seeds, short "
                    "runs) that checks the pipeline; its numbers are not the paper's.</p>")
    body.append("<ol>" + "".join(f"<li><a href='#{p.key}'>{html.escape(p.title)}</a></li>" for p in parts) + "</ol>")
    for p in parts:
        body.append(f"<h2 id='{p.key}'>{html.escape(p.title)}</h2>")
        body += [f"<p>{html.escape(t)}</p>" for t in p.text]
        for name, caption in p.figures.items():
            body.append(f"<figure><img alt='{html.escape(caption, quote=True)}' src='{out.embedded_png(folder, name)}'>"
                        f"<figcaption>{html.escape(caption)} (figures/{name}.pdf, .svg, .png)</figcaption></figure>")
        for name, (table, caption) in p.tables.items():
            rows = out.p_columns(out.display(table)).to_html(index=False, float_format=lambda x: f"{x:.4g}",
                                                             border=0, na_rep="n/a")
            shown = f"{QUICK_MARK}. {caption}" if prov["quick"] else caption
            body.append(f"<p><b>{html.escape(shown)}</b> (tables/{name}.csv, .md, .tex)</p>{rows}")
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>alliance-sim report</title>"
            f"<style>{_STYLE}</style></head><body>{''.join(body)}</body></html>\n")
