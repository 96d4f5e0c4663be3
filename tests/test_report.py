"""alliance report: cache, outputs, outcomes per territory, the experimentation's power."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from experiments.report import design as dsg
from experiments.report import did, outputs
from experiments.report.cache import Cache, code_version


def double(task: dict) -> int:
    return 2 * task["params"]["x"] + task["params"]["run"]["seed"]


def _execute_counting(calls: list):
    def execute(fn, tasks):
        calls.append(len(tasks))
        return [fn(t) for t in tasks]
    return execute


def test_cache_reuses_same_parameters_seeds_and_code_and_recomputes_otherwise(tmp_path):
    calls: list[int] = []
    tasks = [{"params": {"x": 1, "run": {"seed": s}}} for s in (0, 1)]
    cache = Cache(tmp_path, code="v1")
    assert cache.runs("b", double, tasks, _execute_counting(calls)) == [2, 3]
    assert cache.runs("b", double, tasks, _execute_counting(calls)) == [2, 3]
    assert calls == [2] and cache.hits == ["b"] and cache.misses == ["b"]
    changed = [{"params": {"x": 5, "run": {"seed": s}}} for s in (0, 1)]
    assert cache.runs("b", double, changed, _execute_counting(calls)) == [10, 11]
    reseeded = [{"params": {"x": 1, "run": {"seed": s}}} for s in (0, 2)]
    assert cache.runs("b", double, reseeded, _execute_counting(calls)) == [2, 4]
    assert Cache(tmp_path, code="v2").runs("b", double, tasks, _execute_counting(calls)) == [2, 3]
    assert calls == [2, 2, 2, 2]


def test_code_version_changes_when_a_model_source_changes(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.py").write_text("X = 1\n")
    first = code_version(tmp_path)
    assert code_version(tmp_path) == first
    (tmp_path / "sub" / "a.py").write_text("X = 2\n")
    assert code_version(tmp_path) != first
    assert len(code_version()) == 64


def test_tables_in_three_formats_and_honest_axes(tmp_path):
    table = pd.DataFrame({"outcome": ["impact_x"], "value": [1.23456], "unit": ["k€ 5%"]})
    written = outputs.save_table(table, tmp_path, "t", "A caption_with & specials")
    assert written == ["tables/t.csv", "tables/t.md", "tables/t.tex"]
    assert pd.read_csv(tmp_path / "tables/t.csv").equals(table)
    assert "| impact_x | 1.235 | k€ 5% |" in (tmp_path / "tables/t.md").read_text()
    tex = (tmp_path / "tables/t.tex").read_text()
    assert r"impact\_x & 1.235 & k\euro{} 5\% \\" in tex and r"caption_with \& specials" in tex.replace(r"\_", "_")
    assert outputs.honest_limits([0.54, 0.58], "0-1") == (0.0, 1.0)
    assert outputs.honest_limits([10, 20], "count")[0] == 0.0
    assert outputs.honest_limits([-1, 3], "", difference=True) == pytest.approx((-3.3, 3.3))


def test_territory_outcomes_add_up_to_the_run_summary():
    from simulation import Params, run
    from simulation.territories import TERRITORY_COLUMNS, run_by_territory

    p = Params().with_overrides({"run.months": 24, "territories.count": 8, "run.seed": 3})
    summary, _, ter = run_by_territory(p)
    np.testing.assert_equal(summary, run(p, series=False)[0])  # reading the end state changes nothing
    assert list(ter) == list(TERRITORY_COLUMNS) and all(len(v) == 8 for v in ter.values())
    assert ter["impact"].sum() == pytest.approx(summary["impact"], abs=1e-9)
    assert np.all((ter["need_after"] >= 0) & (ter["need_after"] <= 3))
    assert ter["alliance_seats"].sum() >= summary["alliances_formed"]  # every alliance has >= 1 local seat


def test_alliance_run_writes_territories_csv(tmp_path):
    from experiments.cli import main

    code = main(["run", "baseline", "--reps", "2", "--months", "12", "--set", "territories.count=5",
                 "--out", str(tmp_path), "--figures", "none", "--quiet"])
    assert code == 0
    (folder,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    ter = pd.read_csv(folder / "territories.csv")
    assert len(ter) == 10 and set(ter["seed"]) == {json.loads((folder / "summary.json").read_text())["seeds"][0],
                                                    json.loads((folder / "summary.json").read_text())["seeds"][1]}
    assert {"name", "fragility", "need_before", "need_after", "impact", "alliance_seats"} <= set(ter.columns)
    reps = pd.read_csv(folder / "replications.csv")
    assert ter.groupby("rep")["impact"].sum().to_numpy() == pytest.approx(reps["impact"].to_numpy(), abs=1e-9)


def _synthetic_pool(effect: float, seed: int = 0, units: int = 400) -> tuple[np.ndarray, dsg.Design]:
    """Worlds with unit and year effects where adopting in year g lowers the need by
    ``effect`` from year g on."""
    d = dsg.Design(share=0.5, first=2, spread=3, years=8, sizes=(30, 300), horizons=(8,), draws=60)
    rng = np.random.default_rng(seed)
    base = rng.normal(0, 1, (1, units)) + rng.normal(0, 0.5, (d.years, 1)) + rng.normal(0, 0.3, (d.years, units))
    worlds = [base]
    for g in d.cohorts:
        w = base.copy()
        w[g:] += effect
        worlds.append(w)
    return np.stack(worlds), d


def test_power_table_recovers_a_known_effect_and_grows_with_territories():
    pool, d = _synthetic_pool(-0.2)
    assert dsg.predicted_effect(pool, 8, d) == pytest.approx(-0.2)
    rows = dsg.power_table(pool, d, seed=1)
    small, large = rows
    assert large["mean_estimate"] == pytest.approx(-0.2, abs=0.03)
    assert large["power"] > 0.9 and small["power"] < large["power"]
    assert dsg.needed(rows) == {8: 300}
    null_pool, _ = _synthetic_pool(0.0)
    assert dsg.power_table(null_pool, d, seed=1)[1]["power"] < 0.15  # no effect: about the test's size


def test_measurement_error_lowers_the_power_and_leaves_the_estimate_unbiased():
    from dataclasses import replace

    pool, d = _synthetic_pool(-0.2)
    exact = dsg.power_table(pool, d, seed=1)[1]
    noisy = dsg.power_table(pool, replace(d, noise=2.0), seed=1)[1]
    assert noisy["measurement_noise"] == 2.0 and exact["measurement_noise"] == 0.0
    assert noisy["power"] < exact["power"] - 0.2
    assert noisy["mean_estimate"] == pytest.approx(-0.2, abs=0.06)  # noise adds variance, not bias


def test_power_table_leaves_out_sizes_the_pool_or_the_cohorts_cannot_fill():
    d = dsg.Design(share=0.1, first=2, spread=3, years=8, sizes=(20, 60, 300), horizons=(8,), draws=20)
    pool = np.random.default_rng(0).normal(size=(4, 8, 100))
    rows = dsg.power_table(pool, d, seed=0)  # 20: 2 adopters for 3 cohorts; 300: above the 100 simulated
    assert [r["territories"] for r in rows] == [60]
    assert 0 <= rows[0]["power_low"] <= rows[0]["power"] <= rows[0]["power_high"] <= 1


def test_observed_reads_each_cohort_from_its_world():
    pool, d = _synthetic_pool(-1.0, units=6)
    cohort = np.array([2, 3, 4, did.NEVER, did.NEVER, 4])
    y = dsg.observed(pool, np.arange(6), cohort, 4, d)  # cohort 4 adopts after a 4-year panel
    assert np.allclose(y[0], pool[1, :4, 0]) and np.allclose(y[1], pool[2, :4, 1])
    assert np.allclose(y[2], pool[0, :4, 2]) and np.allclose(y[3], pool[0, :4, 3])


def test_treatment_must_change_levers_only():
    from experiments.io.errors import InputError
    from simulation import Params

    base = Params().model_dump()
    other = Params().with_overrides({"funding.budget_scale": 2.0}).model_dump()
    with pytest.raises(InputError, match="levers only; found funding.budget_scale"):
        dsg.check_treatment(base, other)
    with pytest.raises(InputError, match="at least one lever"):
        dsg.check_treatment(base, base)


@pytest.mark.slow
def test_quick_report_builds_reproducibly_and_matches_a_fresh_recomputation(tmp_path):
    from PIL import Image

    from experiments.cli import main
    from experiments.execution.executor import run_model
    from experiments.report import sections

    cache = tmp_path / "cache"
    args = ["report", "--quick", "--quiet", "--workers", "1", "--cache", str(cache)]
    assert main([*args, "--out", str(tmp_path / "a")]) == 0
    assert main([*args, "--out", str(tmp_path / "b")]) == 0  # every block from the cache
    prov_b = json.loads((tmp_path / "b" / "provenance.json").read_text())
    assert prov_b["cache"]["computed"] == [] and len(prov_b["cache"]["reused"]) >= 5
    fresh = ["report", "--quick", "--quiet", "--workers", "1", "--cache", str(tmp_path / "fresh")]
    assert main([*fresh, "--out", str(tmp_path / "c")]) == 0  # nothing cached: all recomputed
    names = sorted(p.name for p in (tmp_path / "a" / "tables").iterdir())
    assert {"comparison.csv", "comparison.md", "comparison.tex", "power.csv", "regime_map_3.csv",
            "territories_by_fragility.csv", "convergence.csv", "power_assurance.csv", "power_uncertain_draws.csv",
            "trace_tests.csv"} <= set(names)
    conv = pd.read_csv(tmp_path / "a" / "tables" / "convergence.csv")
    assert sorted(set(conv["replications"])) == [2, 3]
    draws = pd.read_csv(tmp_path / "a" / "tables" / "power_uncertain_draws.csv")
    assert len(draws) == 2 and draws["predicted_effect"].nunique() == 2  # the strengths reach the runs
    for name in names:
        text = (tmp_path / "a" / "tables" / name).read_text()
        assert text == (tmp_path / "b" / "tables" / name).read_text() == (tmp_path / "c" / "tables" / name).read_text(), name
    for name in ("regime_map_1", "regime_map_2", "regime_map_3"):  # the factors reach the runs
        assert pd.read_csv(tmp_path / "a" / "tables" / f"{name}.csv")["impact_mean"].nunique() > 1, name
    assert (pd.read_csv(tmp_path / "a" / "tables" / "lever_horizons.csv")["effect"] != 0).any()
    uptake = pd.read_csv(tmp_path / "a" / "tables" / "power_partial_uptake.csv").sort_values("uptake")
    assert list(uptake["uptake"]) == [0.25, 0.5, 1.0]  # less uptake, a smaller predicted effect
    assert (uptake["predicted_effect"].abs().diff().dropna() > 0).all()
    maps = pd.read_csv(tmp_path / "a" / "tables" / "regime_map_1.csv")
    assert (maps["ci95_low"] <= maps["impact_mean"]).all() and "significant" in maps
    figures = sorted(p.name for p in (tmp_path / "a" / "figures").iterdir())
    for name in figures:  # every format byte-identical: SVG ids salted, no creation dates
        data = (tmp_path / "a" / "figures" / name).read_bytes()
        assert data == (tmp_path / "c" / "figures" / name).read_bytes(), name
    for stem in ("paired_differences", "power_curve", "regime_map_1", "territories", "life_cycle"):
        assert {f"{stem}.pdf", f"{stem}.svg", f"{stem}.png"} <= set(figures)
    assert Image.open(tmp_path / "a" / "figures" / "power_curve.png").info["dpi"] == pytest.approx((300, 300), abs=0.5)
    html = (tmp_path / "a" / "report.html").read_text()
    assert html.count("data:image/png;base64,") >= 7 and "src='figures/" not in html
    # the comparison table against runs made here, outside the report's code path
    cfg = sections.QUICK
    seeds = sections.seeds_of(cfg)
    runs = {s: [run_model({"params": sections.with_seed(sections.base_params(s, cfg), k)})["summary"]
                for k in seeds] for s in ("baseline", "charter_adopted")}
    table = pd.read_csv(tmp_path / "a" / "tables" / "comparison.csv")
    row = table[(table["scenario"] == "charter_adopted") & (table["outcome"] == "impact")].iloc[0]
    diff = np.mean([b["impact"] - a["impact"] for a, b in zip(runs["baseline"], runs["charter_adopted"], strict=True)])
    assert row["difference"] == pytest.approx(diff, rel=1e-12)


def test_lever_ranking_reads_a_sensitivity_folder(tmp_path):
    from experiments.io.errors import InputError
    from experiments.report.sections import lever_ranking

    pd.DataFrame({"outcome": ["impact"] * 3, "factor": ["levers.dialogue", "funding.budget_scale", "dummy"],
                  "index": ["SRC"] * 3, "estimate": [0.1, -0.4, 0.01], "ci_low": [0.05, -0.5, -0.02],
                  "ci_high": [0.15, -0.3, 0.04], "p_adjusted": [0.01, 0.001, 0.9],
                  "detected": [True, True, False]}).to_csv(tmp_path / "indices.csv", index=False)
    table, _ = lever_ranking(tmp_path).tables["lever_ranking"]
    assert list(table["factor"]) == ["funding.budget_scale", "levers.dialogue", "dummy"]
    assert table["label"].iloc[1].startswith("Dialogue") or "/" in table["label"].iloc[1]
    pd.DataFrame({"outcome": ["impact", "equity_gap"], "part": ["factors"] * 2, "r2": [0.8, 0.3],
                  "ceiling": [0.9, 0.4]}).to_csv(tmp_path / "fit.csv", index=False)
    (tmp_path / "provenance.json").write_text(json.dumps({"git_commit": "abc", "git_dirty": False, "seeds": [4, 5, 6]}))
    sec = lever_ranking(tmp_path)
    assert "lever_ranking_fit" in sec.tables and "below 0.5 for equity_gap" in sec.text[1]
    assert "commit abc (dirty: False), 3 seeds from 4 to 6" in sec.text[2]
    assert lever_ranking(None).tables == {}
    drawn = lever_ranking(tmp_path, tmp_path / "out")  # with a folder: a figure of the largest indices
    assert "lever_ranking" in drawn.figures and (tmp_path / "out" / "figures" / "lever_ranking.svg").is_file()
    assert "ranked together" in drawn.text[0]
    with pytest.raises(InputError, match="indices.csv"):
        lever_ranking(tmp_path / "nowhere")


@pytest.mark.slow  # importing ema_workbench takes seconds (statsmodels, seaborn)
def test_prim_finds_a_known_box_and_writes_it_in_french_and_english():
    from experiments.report.discovery import find_box, rules, sample

    x = sample(600, seed=4)
    y = (x["governance.macro_steering"] > 0.6) & (x["time.electoral_cycle_months"] < 60)
    box = find_box(x, y.to_numpy())
    assert set(box["limits"]) >= {"governance.macro_steering", "time.electoral_cycle_months"}
    lo, _ = box["limits"]["governance.macro_steering"]
    _, hi = box["limits"]["time.electoral_cycle_months"]
    assert lo == pytest.approx(0.6, abs=0.08) and hi == pytest.approx(60, abs=8)
    assert box["coverage"] >= 0.5 and box["density"] > 0.8
    assert box["passed"] and box["holdout_p"] < 1e-6 and box["holdout_density"] > 0.8
    assert all(q < 0.05 for q in box["quasi_p"].values())
    fr, en = rules({"governance.macro_steering": (lo, 1.0), "time.electoral_cycle_months": (24, hi)})
    assert fr.startswith("Si Pilotage national d'au moins") and "mois" in fr
    assert en.startswith("If National steering at least") and "at most" in en and "months" in en
    fr, en = rules({"governance.macro_steering": (0.25, 0.75)})
    assert "entre 0,25 et 0,75" in fr and "between 0.25 and 0.75" in en  # decimal comma in French
    assert find_box(x, np.zeros(len(x), bool)) is None


@pytest.mark.slow
def test_prim_reports_no_box_when_the_cases_are_noise():
    """Cases drawn independently of the factors: over 10 samples, at most one box passes the
    significance filter (each test is at 5%; 10 independent ones pass at most once with
    probability 0.91, and the seeds are fixed)."""
    from experiments.report.discovery import find_box, sample

    passed = 0
    for seed in range(10):
        x = sample(300, seed=seed)
        y = np.random.default_rng(seed).random(len(x)) < 0.2
        box = find_box(x, y, seed)
        passed += box is not None and box["passed"]
    assert passed <= 1


def test_with_seed_neither_changes_nor_shares_its_input():
    from experiments.report.sections import QUICK, base_params, with_seed

    base = base_params("baseline", QUICK)
    before = json.dumps(base, sort_keys=True)
    a = with_seed(base, 1, **{"levers.dialogue": 0.0, "governance.rule": "equal"})
    b = with_seed(base, 2, **{"levers.dialogue": 1.0})
    assert (a["levers"]["dialogue"], b["levers"]["dialogue"]) == (0.0, 1.0)
    assert (a["run"]["seed"], b["run"]["seed"], a["governance"]["rule"]) == (1, 2, "equal")
    assert json.dumps(base, sort_keys=True) == before


def test_the_report_s_scenarios_and_categorical_values_have_french_and_english_labels():
    from pathlib import Path

    from experiments.report import sections
    from simulation.params import REGIMES, RULES

    shipped = {p.stem for p in (Path(__file__).resolve().parents[1] / "scenarios").glob("*.toml")}
    assert set(outputs.SCENARIOS) <= shipped  # no label of a scenario that no longer exists
    used = {*sections.FULL.scenarios, sections.FULL.treatment}
    assert used <= set(outputs.SCENARIOS)
    assert set(RULES) | set(REGIMES) <= set(outputs.CHOICES)
    assert outputs.scenario_label("imposed_charter", "fr") == "Charte imposée comme norme"
    assert outputs.column_label("impact_mean").startswith("Impact sur les besoins / Impact on needs")
    assert outputs.column_label("constants.lever_data_seen_without") == "« Données » : seen (sans) / 'Data': seen (without)"
    shown = outputs.display(pd.DataFrame({"governance.rule": ["macro_led"], "q_value_bh": [0.2]}))
    assert list(shown.columns) == ["Règle de partage du pouvoir / Power-sharing rule", "q (BH)"]
    assert shown.iloc[0, 0] == "pilotée par le national / macro-led"


def _draw(save, folder, name, **kw):
    from experiments.io.figures import new_figure

    fig = new_figure(4, 3)
    ax = fig.add_subplot()
    ax.plot([0, 1, 2], [1, 3, 2], label="a")
    ax.fill_between([0, 1, 2], [0, 1, 1], [2, 4, 3], alpha=0.2)  # clip paths and hatches get ids
    ax.set_title("Survie des alliances / Alliance survival (share)")
    ax.legend()
    return save(fig, folder, name, **kw)


@pytest.mark.slow  # measured: 10-17 s wall at load 11 on 2 cores (pytest --durations), session 22
def test_figures_are_byte_identical_across_two_builds(tmp_path):
    """SVG element ids come from svg.hashsalt (the figure's name), PDF and SVG carry no
    creation date: the same figure drawn twice gives the same bytes in every format, for the
    report's helper and for run/compare/sensitivity's."""
    from experiments.io import figures

    for label, save, kw in (("report", outputs.save_figure, {}), ("io", figures.save, {"print_formats": True})):
        names = _draw(save, tmp_path / label / "a", "fig", **kw)
        _draw(save, tmp_path / label / "b", "fig", **kw)
        assert {n.rsplit(".", 1)[1] for n in names} == {"pdf", "svg", "png"}
        for n in names:
            a = (tmp_path / label / "a" / n).read_bytes()
            assert a == (tmp_path / label / "b" / n).read_bytes(), (label, n)
        svg = (tmp_path / label / "a" / "figures" / "fig.svg").read_text()
        assert "<dc:date>" not in svg and 'id="p' in svg  # ids present, and no date


def test_partial_uptake_moves_each_lever_part_of_the_way():
    from simulation import Params

    base = Params().model_dump()
    treated = Params().with_overrides({"levers.dialogue": 1.0, "levers.sharing": 1.0}).model_dump()
    half = dsg.partial_uptake(base, treated, 0.5)
    for lever in ("dialogue", "sharing"):
        a, b = base["levers"][lever], treated["levers"][lever]
        assert half["levers"][lever] == pytest.approx(a + 0.5 * (b - a)) and a != b
    assert treated["levers"]["dialogue"] == 1.0  # not changed
    assert dsg.partial_uptake(base, treated, 1.0) == treated
    assert {k: v for k, v in half.items() if k != "levers"} == {k: v for k, v in base.items() if k != "levers"}
    dsg.check_treatment(base, half)  # still a lever-only treatment


@pytest.mark.parametrize("value", ["0", "1.5", "half"])
def test_experiment_design_refuses_an_uptake_outside_0_1_in_one_line(value, capsys):
    from experiments.cli import main

    with pytest.raises(SystemExit) as info:
        main(["experiment-design", "--uptake", value, "--quick"])
    err = capsys.readouterr().err
    assert info.value.code == 2 and "--uptake" in err and "expected a number in (0, 1]" in err


def test_experiment_design_refuses_a_share_no_evaluation_size_can_fill_before_any_run(capsys):
    from experiments.cli import main

    assert main(["experiment-design", "--share", "0.02", "--quick", "--seeds", "4", "--years", "5",
                 "--territories", "6", "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert "--share 0.02: expected a share that gives at least 6 adopters" in err and len(err.splitlines()) == 1
