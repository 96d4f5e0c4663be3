"""Figures fit to print (issue 13) for run, compare and sensitivity: labels read from the
registries (outcomes, levers) in French and English, a unit on every axis, axes that do not
exaggerate, comparisons as paired differences centred on zero, print formats on request."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from experiments.io import figures as figs
from simulation.levers import LEVERS
from simulation.outcomes import BY_KEY

ID = re.compile(r"\b[a-z]+_[a-z_]+\b")  # a snake_case id such as alliance_survival


def _texts(fig) -> list[str]:
    out = [fig._suptitle.get_text()] if fig._suptitle else []
    for ax in fig.axes:
        if ax.get_visible():
            out += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
            out += [t.get_text() for t in ax.get_yticklabels()]
    return out


def _series(reps: int = 3) -> pd.DataFrame:
    """Monthly series whose trust moves between 0.54 and 0.58 (a range a free axis would
    blow up) and whose impact is positive."""
    rng = np.random.default_rng(0)
    rows = []
    for rep in range(reps):
        for month in range(1, 25):
            rows.append({"rep": rep, "month": month, "impact": 0.5 * month + rng.normal(),
                         "need_mean": 0.6 - 0.002 * month, "alliances_active": 3 + rng.integers(0, 3),
                         "engagement": 0.7, "trust_micro_macro": 0.54 + 0.04 * month / 24,
                         "admin_burden": 0.05 + 0.01 * rng.random()})
    return pd.DataFrame(rows)


@pytest.mark.slow  # measured: 10-17 s wall at load 11 on 2 cores (pytest --durations), session 22
def test_series_axes_are_honest_and_labelled_in_both_languages(tmp_path):
    fig = figs.series_figure(_series(), "baseline", list(figs.FIGURE_SERIES))
    figs.save(fig, tmp_path, "overview")
    axes = {ax.get_title(): ax for ax in fig.axes if ax.get_visible()}
    assert len(axes) == len(figs.FIGURE_SERIES)
    for key, (fr, en, unit) in figs.FIGURE_SERIES.items():
        ax = axes[f"{fr}\n{en}"]
        lo, hi = ax.get_ylim()
        if unit in ("0-1", "share"):
            assert (lo, hi) == (0.0, 1.0), key  # trust 0.54-0.58 drawn on its whole scale
        else:
            assert lo == 0.0 and hi > 0, key  # counts and need units from zero
        assert ax.get_ylabel() and "mois / month" == ax.get_xlabel()
    assert not [t for t in _texts(fig) if ID.search(t)]


def test_series_in_one_language():
    fig = figs.series_figure(_series(1), "baseline", ["trust_micro_macro"], lang="fr")
    assert fig.axes[0].get_title() == figs.FIGURE_SERIES["trust_micro_macro"][0]
    assert fig.axes[0].get_xlabel() == "mois" and "une réplication" in fig._suptitle.get_text()


def _stats_and_diffs():
    keys = ["impact", "alliance_survival", "trust_micro_macro"]
    stats = {name: {k: {"mean": m, "unit": BY_KEY[k].unit, "n": 10} for k in keys}
             for name, m in (("baseline", 1.0), ("subsidiarity", 1.1), ("macro_led", 0.9))}
    diffs = {name: {k: {"mean": d, "ci95_low": d - 0.05, "ci95_high": d + 0.02, "q_value": q}
                    for k in keys} for name, d, q in (("subsidiarity", 0.1, 0.01), ("macro_led", -0.03, 0.4))}
    return stats, diffs


def test_comparison_is_paired_differences_centred_on_zero(tmp_path):
    stats, diffs = _stats_and_diffs()
    fig = figs.differences_figure(stats, diffs)
    assert figs.save(fig, tmp_path, "compare") == ["figures/compare.png"]  # it draws
    shown = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in shown] == [figs.outcome_label(k) for k in figs.COMPARE_OUTCOMES
                                                 if k in stats["baseline"]]
    for ax in shown:
        lo, hi = ax.get_xlim()
        assert lo == pytest.approx(-hi) and hi >= 0.12  # centred, wide enough for every interval
        assert "réf./ref. = 1" in ax.get_xlabel()
    assert [t.get_text() for t in shown[0].get_yticklabels()] == ["Subsidiarité\nSubsidiarity",
                                                                   "Pilotage national\nMacro-led"]
    assert "Impact sur les besoins\nImpact on needs (unités de besoin / need units)" in [ax.get_title() for ax in shown]
    assert "Différences appariées" in fig._suptitle.get_text() and "Paired differences" in fig._suptitle.get_text()
    assert figs.differences_figure(stats, diffs, outcomes=["impact"]).axes[0].get_title() == figs.outcome_label("impact")


def test_a_difference_that_is_zero_everywhere_gets_a_stated_range():
    """An outcome that never moves (e.g. a sentinel 0 in every run) is drawn on a stated
    range, not on +-1e-12 with an offset label under the axis."""
    stats, diffs = _stats_and_diffs()
    for name in diffs:
        diffs[name]["alliance_survival"] = {"mean": 0.0, "ci95_low": 0.0, "ci95_high": 0.0, "q_value": None}
    fig = figs.differences_figure(stats, diffs, outcomes=["alliance_survival", "impact"])
    survival, impact = fig.axes[:2]
    assert survival.get_xlim() == (-0.1, 0.1)
    assert impact.get_xlim()[1] == pytest.approx(0.132)  # 1.1 x the widest interval's end
    fig.canvas.draw()
    assert survival.xaxis.get_offset_text().get_text() == ""
    lo, hi = survival.get_xlim()
    assert len([t for t in survival.get_xticklabels() if lo <= t.get_position()[0] <= hi]) <= 6


def test_comparison_in_english_only():
    stats, diffs = _stats_and_diffs()
    fig = figs.differences_figure(stats, diffs, lang="en")
    titles = [ax.get_title() for ax in fig.axes if ax.get_visible()]
    assert titles[0] == f"{BY_KEY['impact'].label_en} (need units)"
    assert "Différences" not in fig._suptitle.get_text()


def test_factor_labels_come_from_the_lever_registry():
    for lv in LEVERS:
        assert figs.factor_label(lv.id) == f"{lv.label_fr} / {lv.label_en}"
        assert figs.factor_label(f"levers.{lv.id}", lang="en") == lv.label_en
    assert figs.factor_label("time.electoral_cycle_months") == "Durée du mandat municipal / Municipal mandate (months)"
    assert figs.factor_label("funding.national_budget_scale", lang="en") == "State budget (x default)"
    assert figs.factor_label("dummy") == "dummy"
    assert figs.outcome_label("y") == "y"  # a sensitivity spec's own model


@pytest.mark.slow  # measured: 10-17 s wall at load 11 on 2 cores (pytest --durations), session 22
def test_print_formats_are_pdf_svg_and_300_dpi_png(tmp_path):
    from matplotlib.image import imread

    fig = figs.series_figure(_series(1), "baseline", ["impact"])
    assert figs.save(fig, tmp_path, "impact") == ["figures/impact.png"]
    screen = imread(tmp_path / "figures/impact.png").shape
    names = figs.save(fig, tmp_path, "impact", print_formats=True)
    assert names == ["figures/impact.pdf", "figures/impact.svg", "figures/impact.png"]
    printed = imread(tmp_path / "figures/impact.png").shape
    assert printed[:2] == (round(screen[0] * 3), round(screen[1] * 3))  # 300 dpi against 100
    assert (tmp_path / "figures/impact.pdf").read_bytes().startswith(b"%PDF")
    assert b"<svg" in (tmp_path / "figures/impact.svg").read_bytes()


def test_sensitivity_indices_name_factors_and_outcomes(tmp_path):
    """The sensitivity figure reads lever and outcome labels from the registries, says what
    its index is and keeps zero on the axis."""
    from experiments.sensitivity import figures as sens_figures
    from experiments.sensitivity.spec import spec_from_dict

    spec = spec_from_dict({"method": "regression", "outcomes": ["impact"], "levers": ["dialogue", "sharing"],
                           "factors": {"time.electoral_cycle_months": {"min": 24, "max": 96, "type": "int"}}})
    names = [f.name for f in spec.all_factors]
    est = np.linspace(0.1, 0.5, len(names))  # every estimate positive: zero must still show
    ind = pd.DataFrame({"outcome": "impact", "index": "SRC", "factor2": "", "part": "all", "factor": names,
                        "estimate": est, "ci_low": est - 0.05, "ci_high": est + 0.05, "detected": True})
    (tmp_path / "figures").mkdir()
    assert sens_figures.draw(tmp_path / "figures", spec, ind) == ["figures/indices.png"]
    assert (tmp_path / "figures/indices.png").stat().st_size > 5000
    fig = sens_figures.indices_figure(spec, ind)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    lever = next(lv for lv in LEVERS if lv.id == "dialogue")
    assert f"{lever.label_fr} / {lever.label_en}" in labels
    assert "Durée du mandat municipal / Municipal mandate (months)" in labels
    assert ax.get_title() == figs.outcome_label("impact") and "SRC" in ax.get_xlabel()
    assert ax.get_xlim()[0] <= 0
