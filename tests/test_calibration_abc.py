"""ABC-SMC calibration: a known posterior recovered, resume, bad specs, the shipped quick spec
end to end, and ``--posterior`` draws with their variance split."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments.calibration.run import run_calibration
from experiments.calibration.smc import Settings, run_smc
from experiments.calibration.toy import SIGMA
from experiments.cli import main
from experiments.io import posterior_draws

REPO = Path(__file__).resolve().parent.parent
OBSERVED = 1.3

TOY = """
description = "Gaussian mean: the posterior of mu is N(y_obs, 1)"
model = "experiments.calibration.toy:gaussian_mean"
replications = 1
first_seed = 5
[parameters]
mu = [-5.0, 5.0]
[targets.y]
figure = {obs}
band = [-0.7, 3.3]
[targets.z]
figure = 0.0
band = [-1.645, 1.645]
role = "validation"
note = "pure noise: the data cannot move it"
[abc]
population = {pop}
generations = {gens}
batch = {pop}
seed = 11
[check]
draws = 200
"""


def toy_spec(tmp_path: Path, pop: int = 300, gens: int = 6) -> Path:
    path = tmp_path / "toy.toml"
    path.write_text(TOY.format(obs=OBSERVED, pop=pop, gens=gens))
    return path


def weighted_mean_sd(folder: Path) -> tuple[float, float]:
    post = pd.read_csv(folder / "posterior.csv")
    w = post["weight"].to_numpy()
    mu = post["mu"].to_numpy()
    m = float(np.sum(w * mu))
    return m, float(np.sqrt(np.sum(w * (mu - m) ** 2)))


def test_smc_recovers_gaussian_posterior_directly():
    """The algorithm alone: y ~ N(mu, 1) observed at 1.3, uniform prior on [-5, 5]: the
    posterior is N(1.3, 1); ABC's tolerance adds a little spread (margin 15% on the sd)."""
    def simulate(t, b, pts):
        rng = np.random.default_rng([7, t, b])
        return (-5 + 10 * pts[:, 0] + rng.standard_normal(len(pts)))[:, None]

    res = run_smc(simulate, 1, np.array([OBSERVED]), np.array([0.01]),
                  Settings(population=400, generations=7, batch=400, seed=3))
    g = res.last
    mu = -5 + 10 * g.points[:, 0]
    m = np.sum(g.weights * mu)
    sd = np.sqrt(np.sum(g.weights * (mu - m) ** 2))
    assert abs(m - OBSERVED) < 0.15
    assert 0.85 < sd / SIGMA < 1.15
    eps = [h["epsilon"] for h in res.history[1:]]
    assert all(b < a for a, b in zip(eps, eps[1:], strict=False))  # tolerances shrink


def test_smc_same_seed_same_posterior_and_other_seed_differs():
    def simulate(t, b, pts):
        rng = np.random.default_rng([1, t, b])
        return (pts[:, :1] + 0.1 * rng.standard_normal((len(pts), 1)))

    runs = [run_smc(simulate, 2, np.array([0.3]), np.array([0.01]),
                    Settings(population=30, generations=3, batch=30, seed=s)) for s in (1, 1, 2)]
    assert np.array_equal(runs[0].last.points, runs[1].last.points)
    assert not np.array_equal(runs[0].last.points, runs[2].last.points)


@pytest.mark.slow
def test_toy_through_the_pipeline_recovers_posterior_and_resumes(tmp_path):
    """The known posterior through spec, executor, checkpoints and report; then the same
    folder with half its batches deleted resumes to exactly the same posterior."""
    folder = run_calibration(toy_spec(tmp_path), workers=1, out=tmp_path / "results", progress=False)
    m, sd = weighted_mean_sd(folder)
    assert abs(m - OBSERVED) < 0.2
    assert 0.8 < sd / SIGMA < 1.25
    check = pd.read_csv(folder / "check.csv").set_index("target")
    assert check.loc["z", "role"] == "validation"
    # y ~ N(mu, 1) with mu ~ N(1.3, 1): predictive sd ~1.41, band 1.3 +- 2 holds ~84%
    assert 0.7 < check.loc["y", "after_in_band"] < 0.97
    assert (folder / "figures" / "pairs.png").stat().st_size > 1000
    hist = pd.read_csv(folder / "history.csv")
    assert list(hist["generation"]) == list(range(len(hist)))
    report = (folder / "report.md").read_text()
    assert "pins down at the final tolerance" in report and ": mu." in report

    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    files = sorted((copy / "checkpoint").glob("*.parquet"))
    for f in files[len(files) // 2:]:
        f.unlink()
    for name in ("posterior.csv", "report.md", "summary.json"):
        (copy / name).unlink()
    assert main(["calibrate", "--resume", str(copy), "--quiet", "--workers", "1"]) == 0
    pd.testing.assert_frame_equal(pd.read_csv(copy / "posterior.csv"), pd.read_csv(folder / "posterior.csv"))


def test_shipped_spec_validates_with_held_out_targets():
    from experiments.calibration.spec import load_calibration

    spec = load_calibration(REPO / "experiments" / "calibration.toml")
    assert spec.fitted and spec.held_out
    assert "local_authority_share" in {t.key for t in spec.held_out}  # holds by construction
    quick = spec.quick_version()
    assert quick.abc.population < spec.abc.population and quick.draws < spec.draws


@pytest.mark.parametrize("option", ["--resume", "--check"])
def test_resume_and_check_refuse_other_folders(tmp_path, capsys, option):
    (tmp_path / "x").mkdir()
    assert main(["calibrate", option, str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "expected a calibration results folder" in err[0] and option in err[0]


BAD = [
    ('colour = 1', "unknown key 'colour'"),
    ('[parameters]\n"funding.budget_scal" = [0.5, 2.0]', "did you mean 'budget_scale'"),
    ('[parameters]\n"funding.selection_noise" = [0.1, 9.0]', "funding.selection_noise"),
    ('[parameters]\n"governance.rule" = { levels = ["equal", "macro_led"] }', "numeric range"),
    ('[targets.success]\nfigure = 0.2\nband = [0.1, 0.3]', "did you mean 'local_successes'"),
    ('[targets.application_success_rate]\nfigure = 0.5\nband = [0.1, 0.3]', "a band containing the figure 0.5"),
    ('[targets.application_success_rate]\nfigure = 0.2\nband = [0.1, 0.3]\nrole = "validation"\nnote = "x"', "at least one target with role = 'fitted'"),
    ('[targets.application_success_rate]\nfigure = 0.2\nband = [0.1, 0.3]\nrole = "held out"', "targets.application_success_rate.role"),
    ('[abc]\nfinal_generations = 9', "abc.final_generations"),
    ('[abc]\npopulation = 2', "abc.population"),
    ('[abc]\nquantile = "half"', "abc.quantile"),
    ('[abc]\nrefresh = -1', "abc.refresh"),
    ('[quick]\nspeed = 2', "unknown key 'quick.speed'"),
]
GOOD_PARTS = {
    "parameters": '[parameters]\n"funding.selection_noise" = [0.1, 2.0]',
    "targets": '[targets.application_success_rate]\nfigure = 0.24\nband = [0.16, 0.415]',
}


@pytest.mark.parametrize("text,message", BAD)
def test_bad_spec_gives_one_line(tmp_path, capsys, text, message):
    parts = dict(GOOD_PARTS)
    if text.startswith("[parameters]"):
        parts["parameters"] = text
    elif text.startswith("[targets"):
        parts["targets"] = text
    else:
        parts["extra"] = text
    body = "\n".join(v for k, v in sorted(parts.items(), key=lambda kv: kv[0] != "extra"))
    path = tmp_path / "bad.toml"
    path.write_text(body + "\n")
    assert main(["calibrate", str(path), "--out", str(tmp_path / "r"), "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert message in err[0] and str(path) in err[0], err[0]
    assert not (tmp_path / "r").exists() or not any((tmp_path / "r").iterdir())


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    out = tmp_path_factory.mktemp("cal")
    code = main(["calibrate", str(REPO / "experiments" / "calibration.toml"), "--quick", "--workers", "1",
                 "--out", str(out), "--quiet"])
    assert code == 0
    (folder,) = [p for p in out.iterdir() if p.is_dir()]
    return folder


@pytest.mark.slow
def test_quick_calibration_runs_end_to_end(quick):
    summary = json.loads((quick / "summary.json").read_text())
    assert summary["quick"] and summary["model"] == "simulation"
    check = pd.read_csv(quick / "check.csv")
    assert set(check["role"]) == {"fitted", "validation", "excluded"}
    assert (quick / "figures" / "check.png").exists()
    assert check[["before_median", "after_median"]].notna().all().all()
    post = pd.read_csv(quick / "posterior.csv")
    assert len(post) == 24 and abs(post["weight"].sum() - 1) < 1e-9
    assert (quick / "figures" / "pairs.png").exists()
    prov = json.loads((quick / "provenance.json").read_text())
    assert prov["spec"] == "calibration" and "git_commit" in prov and prov["quick"] is True


@pytest.mark.slow
def test_check_reruns_the_predictive_check_of_a_posterior(quick, capsys):
    """On the code that made the calibration, --check reproduces its check exactly; a damaged
    posterior is refused in one line."""
    assert main(["calibrate", "--check", str(quick), "--workers", "1", "--quiet"]) == 0
    assert "fitted targets reach it" in capsys.readouterr().out
    (out,) = list((quick / "rechecks").iterdir())
    pd.testing.assert_frame_equal(pd.read_csv(out / "check.csv"), pd.read_csv(quick / "check.csv"))
    summary = json.loads((out / "summary.json").read_text())
    assert summary["model_fingerprint"] == summary["model_fingerprint_of_calibration"]
    assert summary["model_runs_this_session"] == 2 * 16  # [quick] draws, before and after, 1 seed

    damaged = quick.parent / "damaged"
    shutil.copytree(quick, damaged, ignore=shutil.ignore_patterns("rechecks", "checkpoint"))
    post = pd.read_csv(damaged / "posterior.csv")
    post.iloc[0, post.columns.get_loc("weight")] = -1.0
    post.to_csv(damaged / "posterior.csv", index=False)
    assert main(["calibrate", "--check", str(damaged), "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "posterior.csv" in err[0] and "weights" in err[0]


@pytest.mark.slow
def test_posterior_draws_feed_run(quick, tmp_path, capsys):
    code = main(["run", "baseline", "--reps", "4", "--months", "24", "--posterior", str(quick),
                 "--set", "funding.selection_noise=0.5", "--out", str(tmp_path), "--quiet", "--workers", "1"])
    assert code == 0
    assert "variance from the posterior" in capsys.readouterr().out
    (folder,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    summary = json.loads((folder / "summary.json").read_text())
    note = summary["posterior"]
    assert note["draws"] == 2 and len(note["draw_rows"]) == 2
    # selection_noise is at its default, so the posterior sets it; a scenario value would be kept
    assert "funding.selection_noise" not in note["kept_from_scenario"]
    split = note["variance_split"]["baseline"]
    assert 0 <= split["application_success_rate"]["posterior_share"] <= 1

    out = tmp_path / "compare"
    assert main(["compare", "baseline", "subsidiarity", "--reps", "4", "--months", "24", "--posterior",
                 str(quick), "--out", str(out), "--quiet", "--workers", "1"]) == 0
    (cfolder,) = [p for p in out.iterdir() if p.is_dir()]
    cnote = json.loads((cfolder / "summary.json").read_text())["posterior"]
    assert cnote["draw_rows"] == note["draw_rows"]  # same first seed, same draws for every scenario
    assert set(cnote["variance_split"]) == {"baseline", "subsidiarity"}


def test_posterior_keeps_what_the_scenario_sets(tmp_path):
    folder = tmp_path / "post"
    folder.mkdir()
    from simulation import Params

    base = Params().model_dump()
    (folder / "base_params.json").write_text(json.dumps(base))
    (folder / "summary.json").write_text(json.dumps({"kind": "calibration", "model": "simulation", "parameters": [
        {"path": "funding.selection_noise", "kind": "float"}, {"path": "funding.max_failures", "kind": "int"}]}))
    pd.DataFrame({"funding.selection_noise": [1.5, 0.2], "funding.max_failures": [7.0, 2.0],
                  "weight": [1.0, 0.0]}).to_csv(folder / "posterior.csv", index=False)
    changed = Params().with_overrides({"funding.max_failures": 9}).model_dump()
    tasks = [{"params": {**changed, "run": {**changed["run"], "seed": s}}} for s in range(4)]
    out, note = posterior_draws.lay(tasks, folder, reps=4)
    assert all(t["params"]["funding"]["selection_noise"] == 1.5 for t in out)  # weight 1 on row 0
    assert all(t["params"]["funding"]["max_failures"] == 9 for t in out)
    assert note["kept_from_scenario"] == ["funding.max_failures"]
    assert tasks[0]["params"]["funding"]["selection_noise"] == 0.5  # the caller's tasks untouched


@pytest.mark.slow
def test_same_posterior_on_one_and_two_workers(tmp_path):
    spec = toy_spec(tmp_path, pop=40, gens=3)
    one = run_calibration(spec, workers=1, out=tmp_path / "one", progress=False)
    two = run_calibration(spec, workers=2, out=tmp_path / "two", progress=False)
    pd.testing.assert_frame_equal(pd.read_csv(one / "posterior.csv"), pd.read_csv(two / "posterior.csv"))
    pd.testing.assert_frame_equal(pd.read_csv(one / "check.csv"), pd.read_csv(two / "check.csv"))


# --- re-weighting on fresh seeds (session 18) --------------------------------------------

def _noisy(t, b, pts, sd=0.3):
    """Pattern = the parameter plus seed noise: lucky seeds make a far parameter look close."""
    rng = np.random.default_rng([3, t, b])
    return pts[:, :1] + sd * rng.standard_normal((len(pts), 1))


def test_refresh_down_weights_lucky_acceptances():
    """Observed 0.9 near the top of a uniform prior on [0, 1], noise sd 0.3: particles accepted
    on lucky seeds sit lower; on fresh seeds they miss, so the re-weighted posterior mean moves
    towards the parameters that reach 0.9 as a rule, and weights stay normalised."""
    from experiments.calibration.smc import refresh

    res = run_smc(_noisy, 1, np.array([0.9]), np.array([0.01]),
                  Settings(population=300, generations=4, batch=300, seed=5))
    w0 = res.last.weights.copy()
    before = float(np.sum(w0 * res.last.points[:, 0]))
    res = refresh(res, lambda b, pts: _noisy(97, b, pts), np.array([0.9]), 8)
    after = float(np.sum(res.last.weights * res.last.points[:, 0]))
    assert abs(res.last.weights.sum() - 1) < 1e-12 and res.refreshed["applied"]
    assert np.array_equal(res.refreshed["weights_smc"], w0)
    assert 0 < res.refreshed["hit_share"] < 1
    assert after > before + 0.01, (before, after)


def test_refresh_targets_prior_times_p_squared_on_a_known_posterior():
    """What the re-weighting is, on the known answer: y ~ N(mu, 1), y_obs = 1.3, posterior
    N(1.3, 1). Where the seed noise is part of the data model (one noisy realisation), the
    plain ABC posterior is right and the re-weighted one, prior x p^2, is too narrow by about
    1 / sqrt(2): it counts the data twice (docs/calibration.md, "Method"). It is a deliberate
    sharpening for the data model "the figure is the expected pattern", not a posterior of
    the single-realisation model."""
    from experiments.calibration.smc import refresh

    def simulate(t, b, pts):
        rng = np.random.default_rng([9, t, b])
        return -5.0 + 10.0 * pts[:, :1] + SIGMA * rng.standard_normal((len(pts), 1))

    res = run_smc(simulate, 1, np.array([OBSERVED]), np.array([0.01]),
                  Settings(population=600, generations=6, batch=600, seed=2))
    mu = -5.0 + 10.0 * res.last.points[:, 0]

    def sd(w):
        m = np.sum(w * mu)
        return float(np.sqrt(np.sum(w * (mu - m) ** 2)))

    plain = sd(res.last.weights)
    res = refresh(res, lambda b, pts: simulate(97, b, pts), np.array([OBSERVED]), 16)
    sharp = sd(res.last.weights)
    assert 0.85 < plain / SIGMA < 1.2, plain
    assert 0.6 < sharp / plain < 0.82, (plain, sharp)


def test_refresh_leaves_a_noiseless_population_unchanged():
    from experiments.calibration.smc import refresh

    def exact(t, b, pts):
        return pts[:, :1].copy()

    res = run_smc(exact, 1, np.array([0.5]), np.array([0.01]),
                  Settings(population=50, generations=3, batch=50, seed=5))
    w0 = res.last.weights.copy()
    res = refresh(res, lambda b, pts: exact(97, b, pts), np.array([0.5]), 3)
    assert np.allclose(res.last.weights, w0) and res.refreshed["hit_share"] == pytest.approx(1.0)


# --- alliance sensitivity --posterior (session 18) ----------------------------------------

SENS = """
method = "regression"
base = "defaults"
outcomes = ["application_success_rate"]
[factors]
"funding.budget_scale" = [0.5, 2.0]
[overrides]
"run.months" = 12
"funding.selection_noise" = 0.7
[regression]
points = 16
[pilot]
points = 1
seeds = 2
[execution]
chunk_runs = 8
"""


def _fake_posterior(folder: Path) -> Path:
    from simulation import Params

    folder.mkdir()
    (folder / "base_params.json").write_text(json.dumps(Params().model_dump()))
    (folder / "summary.json").write_text(json.dumps({"kind": "calibration", "model": "simulation", "parameters": [
        {"path": "funding.selection_noise", "kind": "float"}, {"path": "funding.max_failures", "kind": "int"},
        {"path": "funding.budget_scale", "kind": "float"}]}))
    pd.DataFrame({"funding.selection_noise": [1.5, 0.2, 0.9], "funding.max_failures": [7.0, 2.0, 5.0],
                  "funding.budget_scale": [9.0, 9.0, 9.0], "weight": [0.5, 0.0, 0.5]}
                 ).to_csv(folder / "posterior.csv", index=False)
    return folder


@pytest.mark.slow
def test_sensitivity_draws_each_run_from_the_posterior_and_resumes(tmp_path, capsys):
    post = _fake_posterior(tmp_path / "post")
    spec = tmp_path / "s.toml"
    spec.write_text(SENS)
    out = tmp_path / "res"
    assert main(["sensitivity", str(spec), "--posterior", str(post), "--workers", "1", "--quiet",
                 "--out", str(out)]) == 0
    (folder,) = [p for p in out.iterdir() if p.is_dir()]
    design = pd.read_parquet(folder / "design.parquet")
    assert set(design["posterior_row"]) <= {0, 2} and design["posterior_row"].nunique() == 2  # weight 0: never
    assert (design["posterior.funding.max_failures"] == np.where(design["posterior_row"] == 0, 7, 5)).all()
    assert design["posterior.funding.max_failures"].dtype.kind == "i"
    assert "posterior.funding.selection_noise" not in design  # the base (its overrides) sets it: kept
    assert "posterior.funding.budget_scale" not in design  # a factor of the spec: its design value ran
    assert design["funding.budget_scale"].between(0.5, 2.0).all()
    saved = json.loads((folder / "experiment.json").read_text())
    assert saved["posterior_kept"] == ["funding.selection_noise"]
    assert saved["posterior_overridden"] == ["funding.budget_scale"]
    ranking = (folder / "ranking.md").read_text()
    assert "posterior" in ranking and "`funding.selection_noise`" in ranking
    # resumed with half its chunks gone: the same draws and outcomes
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    files = sorted((copy / "checkpoint").glob("runs-*.parquet"))
    for f in files[len(files) // 2:]:
        f.unlink()
    assert main(["sensitivity", "--resume", str(copy), "--workers", "1", "--quiet"]) == 0
    pd.testing.assert_frame_equal(pd.read_parquet(copy / "design.parquet"), design)
    # the posterior changed since: the resume is refused in one line
    p = pd.read_csv(post / "posterior.csv")
    p.loc[0, "funding.selection_noise"] = 1.4
    p.to_csv(post / "posterior.csv", index=False)
    files = sorted((copy / "checkpoint").glob("runs-*.parquet"))
    files[-1].unlink()
    capsys.readouterr()
    assert main(["sensitivity", "--resume", str(copy), "--workers", "1", "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "posterior" in err[0]


def test_sensitivity_posterior_refuses_a_non_calibration_folder(tmp_path, capsys):
    spec = tmp_path / "s.toml"
    spec.write_text(SENS)
    (tmp_path / "x").mkdir()
    assert main(["sensitivity", str(spec), "--posterior", str(tmp_path / "x"), "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--posterior" in err[0] and "expected a calibration results folder" in err[0]
    assert not (tmp_path / "r").exists() or not any((tmp_path / "r").iterdir())  # nothing half-made


@pytest.mark.parametrize("damage,message", [
    ("text", "expected finite numbers"),
    ("cut", "expected 3 rows"),
    ("cut_old", "expected 3 rows (the last generation's accepted"),
    ("changed", "expected the value of its unit column u_noise"),
    ("reweighted", "expected the file the calibration wrote (SHA-256"),
])
def test_a_damaged_posterior_is_refused_in_one_line(tmp_path, capsys, damage, message):
    post = _fake_posterior(tmp_path / "post")
    summary = json.loads((post / "summary.json").read_text())
    for p in summary["parameters"]:  # as a calibration writes them: name and range, u_* columns
        p.update(name=p["path"].split(".")[-1].replace("selection_", ""), low=0.0, high=10.0)
    summary = ({**summary, "history": [{"accepted": 9}, {"accepted": 3}]} if damage == "cut_old"
               else {**summary, "posterior_rows": 3})  # a folder written before posterior_rows: its history
    (post / "summary.json").write_text(json.dumps(summary))
    table = pd.read_csv(post / "posterior.csv")
    for p in summary["parameters"]:
        table[f"u_{p['name']}"] = table[p["path"]] / 10.0
    if damage == "changed":
        table.loc[2, "funding.selection_noise"] = 0.8
    if damage == "reweighted":  # the hash of the file as written, then one weight edited
        from experiments.calibration.integrity import file_sha256

        table.to_csv(post / "posterior.csv", index=False)
        summary["posterior_sha256"] = file_sha256(post / "posterior.csv")
        (post / "summary.json").write_text(json.dumps(summary))
        table.loc[0, "weight"] = 5.0
    if damage == "text":
        table["funding.selection_noise"] = table["funding.selection_noise"].astype(object)
        table.loc[1, "funding.selection_noise"] = "abc"
    elif damage.startswith("cut"):
        table = table.iloc[:2]
    table.to_csv(post / "posterior.csv", index=False)
    assert main(["run", "baseline", "--reps", "2", "--months", "12", "--posterior", str(post),
                 "--out", str(tmp_path / "r"), "--quiet", "--workers", "1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0] and "posterior.csv" in err[0], err


@pytest.mark.slow  # measured: 10-17 s wall at load 11 on 2 cores (pytest --durations), session 22
def test_check_fresh_gives_an_independent_replicate(tmp_path, capsys):
    """--check reproduces the check; --check --fresh K draws other particles on other seeds."""
    from experiments.calibration.run import recheck

    folder = run_calibration(toy_spec(tmp_path, pop=40, gens=2), workers=1, out=tmp_path / "r", progress=False)
    same = recheck(folder, workers=1, progress=False)
    other = recheck(folder, workers=1, progress=False, fresh=1)
    original = pd.read_csv(folder / "check.csv")
    pd.testing.assert_frame_equal(pd.read_csv(same / "check.csv"), original)
    replicate = pd.read_csv(other / "check.csv")
    assert not np.allclose(replicate["after_median"], original["after_median"])
    assert "independent replicate 1" in (other / "report.md").read_text()
    assert main(["calibrate", "--fresh", "1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--fresh" in err[0] and "--check" in err[0]


# --- more seeds in the last generations (session 19) --------------------------------------

def exact_abc_moments(obs: float, eps: float, n: int, lo: float = -5.0, hi: float = 5.0) -> tuple[float, float]:
    """Mean and sd of the exact ABC posterior of the Gaussian toy at tolerance ``eps`` when the
    pattern is the mean of ``n`` seeds: uniform prior x P(|mean_n - obs| <= eps | mu), where
    mean_n ~ N(mu, SIGMA^2 / n). As eps -> 0 it is N(obs, SIGMA^2 / n), the posterior of an
    observed n-seed mean, and as n grows it tends to the data model "figure = E[y | mu]"."""
    from scipy.stats import norm

    mu = np.linspace(lo, hi, 20001)
    s = SIGMA / np.sqrt(n)
    dens = norm.cdf((obs + eps - mu) / s) - norm.cdf((obs - eps - mu) / s)
    dens /= dens.sum()
    m = float(np.sum(dens * mu))
    return m, float(np.sqrt(np.sum(dens * (mu - m) ** 2)))


@pytest.mark.slow
def test_final_replications_give_the_exact_abc_posterior_of_the_seed_mean(tmp_path):
    """Known answer: the toy with 1 seed in the early generations and 16 in the last two. The
    posterior must match the exact ABC posterior of a 16-seed mean at the final tolerance
    (computed by quadrature), not that of one seed: its sd about a quarter of SIGMA, where the
    plain 1-seed calibration gives about SIGMA."""
    spec = toy_spec(tmp_path, pop=300, gens=6)
    text = spec.read_text().replace("seed = 11\n", "seed = 11\nfinal_generations = 2\nfinal_replications = 16\n")
    spec.write_text(text)
    folder = run_calibration(spec, workers=1, out=tmp_path / "results", progress=False)
    m, sd = weighted_mean_sd(folder)
    hist = pd.read_csv(folder / "history.csv")
    eps = float(hist["epsilon"].iloc[-1])
    want_m, want_sd = exact_abc_moments(OBSERVED, eps, 16)
    assert abs(m - want_m) < 0.05, (m, want_m)
    assert abs(sd / want_sd - 1) < 0.15, (sd, want_sd, eps)
    assert want_sd < 0.5 * SIGMA  # the 1-seed posterior's sd is ~SIGMA (the test above)
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["settings"]["check_replications"] == 16
    # the check's draws are 16-seed means too: y's predictive spread is the posterior's plus 1/16
    check = pd.read_csv(folder / "check.csv").set_index("target")
    assert check.loc["y", "after_in_band"] > 0.97
    assert check.loc["y", "after_in_band_low"] <= check.loc["y", "after_in_band"] <= check.loc["y", "after_in_band_high"]


def test_exact_abc_moments_tend_to_the_gaussian_posterior():
    m, sd = exact_abc_moments(OBSERVED, 1e-3, 16)
    assert abs(m - OBSERVED) < 1e-3 and abs(sd - 0.25) < 1e-3
    assert exact_abc_moments(OBSERVED, 0.3, 16)[1] > 0.25  # the tolerance widens it


def test_seeds_are_distinct_across_generations_and_checks():
    from experiments.calibration.run import seed_of
    from experiments.calibration.spec import load_calibration

    spec = load_calibration(REPO / "experiments" / "calibration.toml")
    assert spec.replications_at(0) == 4 and spec.replications_at(5) == 16 and spec.replications_at(99) == 16
    seeds = [seed_of(spec, t, b, i, r) for t in (0, 3, 4, 5, 97, 98, 99, 198, 199)
             for b in (0, 1) for i in (0, 199) for r in range(spec.replications_at(t))]
    assert len(seeds) == len(set(seeds))


def test_target_roles_and_an_unexplained_exclusion(tmp_path, capsys):
    from experiments.calibration.spec import load_calibration

    spec = load_calibration(REPO / "experiments" / "calibration.toml")
    roles = {t.key: t.role for t in spec.targets}
    assert roles["local_authority_share"] == "validation" and roles["state_public_money_share"] == "excluded"
    assert all(t.note for t in spec.targets if t.role != "fitted")
    path = tmp_path / "bad.toml"
    path.write_text(GOOD_PARTS["parameters"] + "\n" + GOOD_PARTS["targets"] + "\n"
                    "[targets.firm_partnership_share]\nfigure = 0.37\nband = [0.27, 0.47]\nrole = \"excluded\"\n")
    assert main(["calibrate", str(path), "--out", str(tmp_path / "r"), "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "targets.firm_partnership_share.note" in err[0], err


def test_in_band_interval_is_wider_when_draws_share_particles():
    """Draws of one particle are not independent: 200 draws on 20 particles (each all in or all
    out of band) give a wider Monte Carlo interval than 200 independent draws with the same share."""
    from experiments.calibration.report import in_band_interval

    rng = np.random.default_rng(4)
    independent = rng.random(200) < 0.9
    lo_i, hi_i = in_band_interval(independent, np.arange(200)[:, None])
    particle = np.repeat(np.arange(20), 10)
    clustered = np.repeat(rng.random(20) < 0.9, 10)
    lo_c, hi_c = in_band_interval(clustered, particle[:, None])
    assert lo_i <= independent.mean() <= hi_i and lo_c <= clustered.mean() <= hi_c
    assert (hi_c - lo_c) > 1.5 * (hi_i - lo_i)


def test_defaults_change_only_where_the_evidence_moves_them():
    from experiments.calibration.report import default_changes

    params = pd.DataFrame({
        "parameter": ["a", "b", "c", "d"], "base": [1.0, 1.0, 1.0, 1.0],
        "posterior_median": [2.0, 2.0, 1.1, 2.0], "posterior_low": [1.5, 1.5, 0.8, 1.5],
        "posterior_high": [2.5, 2.5, 1.4, 2.5], "width_ratio": [0.3, 0.9, 0.3, 0.7],
        "width_ratio_se": [0.02, 0.02, 0.02, 0.06],
        "verdict": ["pinned down", "left open", "pinned down", "narrowed (within Monte Carlo error)"]})
    check = pd.DataFrame({"role": ["fitted"], "after_in_band": [0.95]})
    # a: pinned down, default outside; b: open; c: default inside; d: within MC error of open
    assert default_changes(params, check)["parameter"].tolist() == ["a"]
    assert default_changes(params, check.assign(after_in_band=0.8)).empty  # the check fails: none


def test_in_band_interval_at_the_bounds_is_one_sided():
    from experiments.calibration.report import in_band_interval

    lo, hi = in_band_interval(np.ones(200, bool), np.repeat(np.arange(100), 2)[:, None])
    assert hi == 1.0 and lo == pytest.approx(0.1 ** (1 / 100)) and 0.97 < lo < 0.98  # ~1 - 2.3 / 100
    assert in_band_interval(np.zeros(40, bool), np.arange(40)[:, None])[0] == 0.0
    assert all(np.isnan(in_band_interval(np.ones(30, bool), np.repeat(np.arange(5), 6)[:, None])))
