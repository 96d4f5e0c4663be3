"""Figures of results folders, one helper module for ``run``, ``compare`` and ``sensitivity``.

Fit to print (issue 13): human labels in French and English (``lang``: ``"fr"``, ``"en"`` or
both) instead of ids, the unit on every axis, axes that do not exaggerate (the rules of
:func:`experiments.report.outputs.honest_limits`: a share or a 0-1 scale on its whole range,
counts and need units from zero, a difference centred on zero), and comparisons drawn as
paired differences against the reference. Each figure is a screen PNG (100 dpi) or, with
``print_formats=True``, PDF, SVG and a 300-dpi PNG (the report's formats).

``alliance run`` draws the overview of the monthly series and ``compare`` the paired
differences; ``--figures all`` adds one figure per series, ``--figures none`` draws nothing.
By default they are drawn by a detached process started once the results folder is complete
(:func:`draw_in_background`: importing matplotlib and laying out the first figure would double
the command's time), which reads the folder back and writes ``figures/`` a few seconds later,
or ``figures/error.txt`` if it fails; ``--figures-now`` draws them before the command returns
(:func:`draw`). matplotlib's object API on an Agg canvas: no pyplot, no global backend state.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

#: Names taken from the report's outputs (which import pandas) when first used, so that the
#: command can name and plan its figures without paying for pandas: this module's name ->
#: ``experiments.report.outputs``'s.
_FROM_OUTPUTS = {"BOUNDED_UNITS": "BOUNDED_UNITS", "UNITS_FR": "UNITS_FR", "honest_limits": "honest_limits",
                 "parameter_label": "parameter_label", "PRINT_DPI": "DPI", "PRINT_FORMATS": "FIGURE_FORMATS"}


def __getattr__(name: str) -> Any:
    if name not in _FROM_OUTPUTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from experiments.report import outputs

    value = getattr(outputs, _FROM_OUTPUTS[name])
    globals()[name] = value  # later look-ups, this module's functions included, find it
    return value


def _outputs(name: str) -> Any:
    """A name of :data:`_FROM_OUTPUTS`, imported on first use."""
    return globals().get(name) or __getattr__(name)

#: Resolution of a screen PNG (dots per inch); printed figures use ``PRINT_DPI``.
DPI = 100

#: Monthly series drawn as figures (when the model's series has them): French and English
#: labels and unit.
FIGURE_SERIES: dict[str, tuple[str, str, str]] = {
    "impact": ("Impact cumulé sur les besoins", "Cumulated impact on needs", "need units"),
    "need_mean": ("Besoin restant moyen", "Mean remaining need", "0-1"),
    "alliances_active": ("Alliances en action", "Alliances acting", "count"),
    "engagement": ("Engagement des partenaires", "Engagement of partners", "0-1"),
    "trust_micro_macro": ("Confiance micro-macro", "Micro-macro trust", "0-1"),
    "admin_burden": ("Temps des associations en candidatures", "Associations' time on applications",
                     "share"),
}

#: Outcomes drawn in the comparison figure (``compare --plot-outcomes`` chooses others).
COMPARE_OUTCOMES: tuple[str, ...] = (
    "impact", "equity_gap", "alliances_formed", "alliance_survival", "engagement",
    "scaling_rate", "abandonment_rate", "admin_burden", "application_success_rate",
    "small_associations_participation", "trust_micro_macro", "blocked_share",
)

#: Labels (French, English, unit) of the sensitivity specs' structural factors that the
#: report's table (``experiments.report.outputs.PARAMETERS``) does not name.
FACTORS: dict[str, tuple[str, str, str]] = {
    "funding.national_budget_scale": ("Budget de l'État (x défaut)", "State budget (x default)", ""),
    "funding.state_budget": ("Budget annuel de l'État par territoire", "State's yearly budget per territory", "k€"),
    "funding.local_foundation_budget": ("Budget annuel des fondations locales par territoire",
                                        "Local foundations' yearly budget per territory", "k€"),
    "funding.selection_noise": ("Bruit de sélection des financeurs", "Funders' selection noise", "sd of score"),
    "funding.visibility_bias": ("Biais de visibilité des financeurs", "Funders' visibility bias", "weight"),
    "actors.firm.will": ("Envie des entreprises", "Firms' will", "0-1"),
    "actors.firms_per_territory": ("Entreprises par territoire", "Firms per territory", "count"),
    "territories.social_capital_mean": ("Capital social moyen des territoires", "Mean social capital of territories",
                                        "0-1"),
}

#: Words of figure texts, French and English.
WORDS = {
    "month": ("mois", "month"),
    "months": ("{n} mois", "{n} months"),
    "mean_band": ("ligne : moyenne sur {n} réplications ; bande : 5e-95e centile",
                  "line: mean over {n} replications; band: 5th-95th percentile"),
    "one_rep": ("une réplication", "one replication"),
    "difference": ("différence avec {ref}", "difference from {ref}"),
    "compare_title": ("Différences appariées avec {ref} (graines communes), moyenne et IC à 95 % "
                      "sur {n} réplications",
                      "Paired differences from {ref} (common seeds), mean and 95% CI over {n} "
                      "replications"),
    "filled": ("plein : q < 0,05 (Benjamini-Hochberg)", "filled: q < 0.05 (Benjamini-Hochberg)"),
}


def text(key: str, lang: str = "both", sep: str = " / ", **values: Any) -> str:
    """A figure text in French, English or both (French first)."""
    fr, en = (w.format(**values) for w in WORDS[key])
    return {"fr": fr, "en": en}.get(lang, f"{fr}{sep}{en}")


def unit_text(unit: str, lang: str = "both") -> str:
    """A unit as written on an axis (French, English or both when they differ)."""
    fr = _outputs("UNITS_FR").get(unit, unit)
    if lang == "fr" or fr == unit:
        return fr
    return unit if lang == "en" else f"{fr} / {unit}"


def label(names: tuple[str, str], unit: str, lang: str = "both", sep: str = "\n") -> str:
    """``names`` (French, English) in the chosen language(s) with the unit in brackets."""
    fr, en = names
    name = {"fr": fr, "en": en}.get(lang, f"{fr}{sep}{en}")
    return f"{name} ({unit_text(unit, lang)})" if unit else name


def outcome_label(key: str, lang: str = "both", sep: str = "\n", unit: bool = True) -> str:
    """An outcome's label (French, English or both) and unit from the outcome registry
    (``simulation.outcomes``), the one place every figure, report and demo names an outcome;
    the key itself for an outcome the registry does not hold (a sensitivity spec's own model)."""
    from simulation.outcomes import BY_KEY

    o = BY_KEY.get(key)
    if o is None:
        return key
    return label((o.label_fr, o.label_en), o.unit if unit else "", lang, sep)


def factor_label(name: str, lang: str = "both", sep: str = " / ") -> str:
    """A sensitivity factor or parameter by its human name: a lever's label from the lever
    registry (``simulation.levers``), a structural parameter's from the report's table, else
    the name itself."""
    from simulation.levers import BY_ID

    lever = BY_ID.get(name.removeprefix("levers."))
    if lever is not None:
        return label((lever.label_fr, lever.label_en), "", lang, sep)
    if name in FACTORS:
        fr, en, unit = FACTORS[name]
        return label((fr, en), unit, lang, sep)
    return _outputs("parameter_label")(name, lang if lang in ("fr", "en") else "both")


def new_figure(width: float, height: float, layout: str | None = "constrained") -> Any:
    """A matplotlib Figure on its own Agg canvas (no pyplot, no global backend state).

    ``layout=None`` leaves the axes where :meth:`~matplotlib.figure.Figure.subplots_adjust`
    puts them: a fixed grid draws in about half the time of a constrained layout, which
    measures every text several times.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=DPI, layout=layout)
    FigureCanvasAgg(fig)
    return fig


def save(fig: Any, folder: Path, name: str, print_formats: bool = False) -> list[str]:
    """``figures/<name>.png`` at screen resolution, or with ``print_formats`` the PDF, SVG
    and 300-dpi PNG (no creation dates, SVG ids salted by the name, so two builds give the same
    bytes); returns the
    relative names."""
    import matplotlib

    (folder / "figures").mkdir(parents=True, exist_ok=True)
    formats = _outputs("PRINT_FORMATS") if print_formats else ("png",)
    written = []
    with matplotlib.rc_context({"svg.hashsalt": name}):  # SVG element ids from the name, not at random
        for fmt in formats:
            rel = f"figures/{name}.{fmt}"
            meta = {"pdf": {"CreationDate": None}, "svg": {"Date": None}}.get(fmt, {})
            part = folder / f"figures/.{name}.{fmt}.part"  # a reader never sees half a file
            fig.savefig(part, format=fmt, dpi=_outputs("PRINT_DPI") if print_formats else DPI, metadata=meta)
            os.replace(part, folder / rel)
            written.append(rel)
    return written


def set_limits(ax: Any, values: Any, unit: str, difference: bool = False, axis: str = "y") -> None:
    """Honest limits for ``values`` drawn in ``unit`` (see the module's docstring), with
    at most five plain tick labels (no offset such as "1e-12" under the axis). Values that
    are all zero get a stated range: [-0.1, 0.1] for a share or 0-1 scale, [-1, 1] else."""
    from matplotlib.ticker import MaxNLocator

    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if difference and (v.size == 0 or not np.any(v)):
        m = 0.1 if unit in _outputs("BOUNDED_UNITS") else 1.0
        lo, hi = -m, m
    else:
        lo, hi = _outputs("honest_limits")(v, unit, difference=difference)
    if hi <= lo:
        hi = lo + 1.0
    (ax.set_ylim if axis == "y" else ax.set_xlim)(lo, hi)
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_locator(MaxNLocator(5))
    ax.ticklabel_format(axis=axis, useOffset=False)


# --------------------------------------------------------------------------------------
# Monthly series (run, and compare with --figures all)
# --------------------------------------------------------------------------------------

def series_figures(folder: Path, series: pd.DataFrame, title: str, group: str | None = None,
                   each: bool = False, lang: str = "both", print_formats: bool = False) -> list[str]:
    """The overview grid of the key series, ``figures/overview``, and with ``each`` one
    figure per key series; returns the relative names. With ``group`` (a column such as
    ``scenario``) each group is a line."""
    cols = [c for c in FIGURE_SERIES if c in series.columns]
    if not cols or "month" not in series.columns:
        return []
    written = []
    if each:
        for col in cols:
            written += save(series_figure(series, title, [col], group, lang), folder, col, print_formats)
    return written + save(series_figure(series, title, cols, group, lang), folder, "overview", print_formats)


def series_figure(series: pd.DataFrame, title: str, cols: Sequence[str], group: str | None = None,
                  lang: str = "both") -> Any:
    """One panel per column of ``cols`` (keys of ``FIGURE_SERIES``): the mean over
    replications per month and its 5th-95th percentile band, a line per group."""
    groups = list(dict.fromkeys(series[group])) if group else [None]
    parts = [series if g is None else series[series[group] == g] for g in groups]
    bands = [_bands(part, list(cols)) for part in parts]
    reps = series["rep"].nunique()
    note = text("mean_band", lang, n=reps) if reps > 1 else text("one_rep", lang)
    if len(cols) == 1:
        fig = new_figure(6.4, 4.6)
        axes = [fig.add_subplot()]
    else:
        fig = new_figure(12, 7, layout=None)
        axes = fig.subplots(2, (len(cols) + 1) // 2, squeeze=False).ravel()
        fig.subplots_adjust(left=0.06, right=0.98, bottom=0.08, top=0.86, wspace=0.3, hspace=0.5)
    for ax, col in zip(axes, cols, strict=False):
        _draw_series(ax, col, groups, bands, lang)
    for ax in axes[len(cols):]:
        ax.set_visible(False)
    if group:
        axes[0].legend(fontsize=8)
    fig.suptitle(f"{title}\n{note}", fontsize=10 if len(cols) > 1 else 9)
    return fig


def _bands(series: pd.DataFrame, cols: list[str]) -> dict[str, tuple[np.ndarray, ...]]:
    """Per column: months, mean over replications and, with several replications, the 5th
    and 95th percentiles (None otherwise)."""
    months = np.sort(series["month"].unique())
    by_month = series.groupby("month")[cols]
    mean = by_month.mean().reindex(months)
    several = series["rep"].nunique() > 1
    lo = by_month.quantile(0.05).reindex(months) if several else None
    hi = by_month.quantile(0.95).reindex(months) if several else None
    return {c: (months, mean[c].to_numpy(), None if lo is None else lo[c].to_numpy(),
                None if hi is None else hi[c].to_numpy()) for c in cols}


def _draw_series(ax: Any, col: str, groups: list[Any], bands: list[dict], lang: str) -> None:
    """Mean over replications as a line, the 5th-95th percentile band, one per group; the
    y axis in the series' unit, from zero (or on [0, 1] for a share)."""
    fr, en, unit = FIGURE_SERIES[col]
    drawn = []
    for g, band in zip(groups, bands, strict=True):
        months, mean, lo, hi = band[col]
        (line,) = ax.plot(months, mean, lw=1.8, label=g)
        drawn.append(mean)
        if lo is not None:
            ax.fill_between(months, lo, hi, alpha=0.25, lw=0, color=line.get_color())
            drawn += [lo, hi]
    ax.set_title(label((fr, en), "", lang), fontsize=9)
    ax.set_ylabel(unit_text(unit, lang), fontsize=8)
    ax.set_xlabel(text("month", lang), fontsize=8)
    set_limits(ax, np.concatenate(drawn), unit)
    ax.tick_params(labelsize=8)
    ax.grid(alpha=0.3)


# --------------------------------------------------------------------------------------
# Comparison of scenarios (compare)
# --------------------------------------------------------------------------------------

def comparison_figure(folder: Path, stats: dict[str, dict[str, dict[str, Any]]],
                      diffs: dict[str, dict[str, dict[str, Any]]], outcomes: Sequence[str] | None = None,
                      lang: str = "both", print_formats: bool = False) -> list[str]:
    """``figures/compare`` (see :func:`differences_figure`); returns the relative names."""
    fig = differences_figure(stats, diffs, outcomes, lang)
    return [] if fig is None else save(fig, folder, "compare", print_formats)


def differences_figure(stats: dict[str, dict[str, dict[str, Any]]], diffs: dict[str, dict[str, dict[str, Any]]],
                       outcomes: Sequence[str] | None = None, lang: str = "both") -> Any:
    """Per outcome, each scenario's paired difference from the reference (the first of
    ``stats``) with its 95% CI, filled when its BH q-value is below 0.05, on an axis centred
    on zero in the outcome's unit; the reference's mean is written under each panel. None
    when there is nothing to draw."""
    names = list(stats)
    ref, others = names[0], names[1:]
    shown = [scenario_text(n, lang) for n in others]
    first = stats[ref]
    keys = [k for k in (outcomes or COMPARE_OUTCOMES) if k in first]
    if not keys or not others:
        return None
    cols = min(4, len(keys))
    rows = -(-len(keys) // cols)
    height = 1.2 + rows * (1.1 + 0.25 * len(others))
    wide = max(len(line) for n in shown for line in n.split("\n"))
    fig = new_figure(3.4 * cols + 0.08 * wide, height, layout=None)
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    fig.subplots_adjust(left=min(0.4, 0.03 + 0.08 * wide / (3.4 * cols)), right=0.98,
                        bottom=0.5 / height, top=1 - 0.95 / height, wspace=0.15, hspace=1.3)
    ys = np.arange(len(others))[::-1]
    colors = [f"C{k + 1}" for k in range(len(others))]
    for i, (ax, key) in enumerate(zip(axes, keys, strict=False)):
        d = [diffs[n][key] for n in others]
        means = np.array([x["mean"] for x in d], dtype=float)
        lows = np.array([np.nan if x["ci95_low"] is None else x["ci95_low"] for x in d], dtype=float)
        highs = np.array([np.nan if x["ci95_high"] is None else x["ci95_high"] for x in d], dtype=float)
        sig = [x.get("q_value") is not None and x["q_value"] < 0.05 for x in d]
        if np.isfinite(lows).all():
            ax.hlines(ys, lows, highs, colors=colors, lw=1.2)
        ax.scatter(means, ys, zorder=3, s=24, edgecolors=colors,
                   facecolors=[c if s else "white" for c, s in zip(colors, sig, strict=True)])
        ax.axvline(0, color="grey", lw=0.8)
        unit = first[key]["unit"]
        set_limits(ax, np.concatenate([means, lows, highs]), unit, difference=True, axis="x")
        ax.set_yticks(ys, shown if i % cols == 0 else [""] * len(others), fontsize=7)
        ax.set_ylim(-0.7, len(others) - 0.3)
        ax.set_title(outcome_label(key, lang, sep="\n"), fontsize=8)
        ref_mean = "n/a" if first[key]["mean"] is None else f"{first[key]['mean']:.3g}"
        ref_word = {"fr": "réf.", "en": "ref."}.get(lang, "réf./ref.")
        ax.set_xlabel(f"{unit_text(unit, lang)}; {ref_word} = {ref_mean}", fontsize=7)
        ax.tick_params(axis="x", labelsize=7)
        ax.grid(axis="x", alpha=0.3)
    for ax in axes[len(keys):]:
        ax.set_visible(False)
    fig.suptitle(text("compare_title", lang, sep="\n", ref=scenario_text(ref, lang, " / "), n=first[keys[0]]["n"]) + "\n"
                 + text("filled", lang), fontsize=9)
    return fig


def scenario_text(name: str, lang: str = "both", sep: str = "\n") -> str:
    """A shipped scenario's French / English label (experiments.report.outputs.SCENARIOS);
    any other name (a file, a name with overrides) as it is."""
    from experiments.report.outputs import SCENARIOS

    if name not in SCENARIOS:
        return name
    fr, en = SCENARIOS[name]
    return {"fr": fr, "en": en}.get(lang, f"{fr}{sep}{en}")


# --------------------------------------------------------------------------------------
# The figures of a finished results folder, at once or in a detached process
# --------------------------------------------------------------------------------------

#: Written in the folder by a figure process that failed: one line saying why.
ERROR_FILE = "figures/error.txt"


def planned(job: dict[str, Any]) -> list[str]:
    """The relative names of the figures ``job`` (see :func:`draw`) will write (``compare``'s
    only when it has outcomes to draw, which :func:`draw` checks)."""
    formats = _outputs("PRINT_FORMATS") if job.get("print_formats") else ("png",)
    names = ["compare"] if job["kind"] == "compare" else []
    if job["kind"] == "run" or job.get("each"):
        names += ["overview"] + (list(FIGURE_SERIES) if job.get("each") else [])
    return [f"figures/{n}.{fmt}" for n in names for fmt in formats]


def draw(folder: Path, job: dict[str, Any]) -> list[str]:
    """Draw the figures of a results folder from its files, as ``job`` says: ``kind``
    ("run": the series' overview; "compare": the paired differences of ``summary.json``),
    ``title``, ``each`` (also one figure per series), ``lang``, ``print_formats`` and, for
    compare, ``outcomes``; returns the relative names written."""
    folder = Path(folder)
    each, lang, print_formats = bool(job.get("each")), job.get("lang", "both"), bool(job.get("print_formats"))
    written: list[str] = []
    if job["kind"] == "compare":
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        written += comparison_figure(folder, summary["outcomes"], summary["differences"],
                                     outcomes=job.get("outcomes"), lang=lang, print_formats=print_formats)
        if not each:
            return written
    from experiments.io.results import read_series

    group = "scenario" if job["kind"] == "compare" else None
    series = read_series(folder, ["rep", "month", *([group] if group else []), *FIGURE_SERIES])
    return written + series_figures(folder, series, job["title"], group=group, each=each, lang=lang,
                                    print_formats=print_formats)


def draw_in_background(folder: Path, job: dict[str, Any]) -> None:
    """Start a process, detached from this one (its own session, no terminal, no output), that
    draws ``job`` into ``folder`` (see :func:`draw`) and writes :data:`ERROR_FILE` if it cannot."""
    import subprocess

    subprocess.Popen([sys.executable, "-m", "experiments.io.figures", str(Path(folder).resolve()), json.dumps(job)],
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                     start_new_session=True, close_fds=True)


def main(argv: Sequence[str]) -> int:
    """``python -m experiments.io.figures FOLDER JOB``: the background figure process. Any
    failure leaves :data:`ERROR_FILE` (the results themselves are already complete)."""
    folder = Path(argv[0])
    try:
        draw(folder, json.loads(argv[1]))
        return 0
    except BaseException as exc:  # noqa: BLE001 - whatever it is, say it in the folder
        try:
            (folder / "figures").mkdir(exist_ok=True)
            (folder / ERROR_FILE).write_text(
                f"the figures could not be drawn: {type(exc).__name__}: {exc}\n", encoding="utf-8")
        except OSError:
            pass  # the folder itself is gone or unwritable: nothing to tell
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))


__all__ = ["COMPARE_OUTCOMES", "DPI", "FIGURE_SERIES", "comparison_figure",
           "differences_figure", "draw", "draw_in_background", "factor_label", "label", "new_figure", "outcome_label", "save", "scenario_text",
           "series_figure", "series_figures", "set_limits", "text", "unit_text"]
