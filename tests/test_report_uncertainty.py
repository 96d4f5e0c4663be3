"""The experimentation's power under the effect's uncertainty, and the calibration section."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from experiments.report import design as dsg

CID = "lever_dialogue_resolve_with"


def _params(dialogue: float) -> dict:
    from simulation import Params

    over = {"levers.dialogue": dialogue}
    return Params().with_overrides(over).model_dump()


def _fake_runs(calls: list):
    """Worlds of 60 territories with unit and year noise, where adopting lowers the need by
    the drawn strength of the dialogue lever times 0.5 each year from adoption."""
    def runs(fn, tasks):
        calls.append(tasks)
        outs = []
        for t in tasks:
            p = t["params"]
            rng = np.random.default_rng(p["run"]["seed"])
            y = rng.normal(0, 1, (1, 60)) + rng.normal(0, 0.2, (t["years"], 60))
            if t.get("adopt"):
                strength = t["adopt"]["constants"][CID]
                y[t["adopt_year"]:] -= 0.5 * strength
            outs.append(y)
        return outs
    return runs


def test_strength_draws_stay_within_the_table_ranges_and_touch_only_the_treated_levers():
    from simulation.constants import BY_ID, LEVER_ENDS

    control, treated = _params(0.2), _params(1.0)
    draws = dsg.strength_draws(control, treated, 50, seed=3)
    keys = {f"constants.lever_dialogue_{v}_with" for v, _ in LEVER_ENDS["dialogue"]}
    assert all(set(d) == keys for d in draws)
    for key in keys:
        c = BY_ID[key.split(".", 1)[1]]
        values = [d[key] for d in draws]
        assert c.low <= min(values) < max(values) <= c.high and max(values) - min(values) > 0.5 * (c.high - c.low)
    assert dsg.strength_draws(control, treated, 50, seed=3) == draws  # seeded


@pytest.mark.slow  # measured: 10-17 s wall at load 11 on 2 cores (pytest --durations), session 22
def test_power_under_uncertainty_follows_the_drawn_strengths():
    from experiments.report.sections import design_section

    control, treated = _params(0.2), _params(1.0)
    design = dsg.Design(share=0.5, first=2, spread=2, years=6, sizes=(20, 80), horizons=(6,), draws=40)
    draws = [{f"constants.{CID}": 0.5}, {f"constants.{CID}": 0.8}]
    calls: list = []
    u = dsg.simulate_uncertain(control, treated, draws, [1, 2], design, _fake_runs(calls))
    # each draw's strength reaches the adopting worlds, and the effect follows it
    assert {t["adopt"]["constants"][CID] for t in calls[0] if t.get("adopt")} == {0.5}
    assert {t["adopt"]["constants"][CID] for t in calls[1] if t.get("adopt")} == {0.8}
    effects = [d["predicted_effect"] for d in u["draws"]]
    assert effects == pytest.approx([-0.25, -0.40], abs=1e-9)
    # assurance: each cell's power averaged over the draws
    per_draw = [dsg.simulate(*[{**p, "constants": {**p["constants"], CID: s}} for p in (control, treated)],
                             [1, 2], design, _fake_runs([]), draws_seed=i)["rows"]
                for i, s in enumerate((0.5, 0.8))]
    for a in u["assurance"]:
        powers = [r["power"] for rows in per_draw for r in rows
                  if (r["years"], r["territories"]) == (a["years"], a["territories"])]
        assert a["assurance"] == pytest.approx(np.mean(powers))
    u["posterior"] = None
    result = dsg.simulate(control, treated, [1, 2], design, _fake_runs([]))
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        sec = design_section(Path(tmp), result, "t", u)
        assert "power_assurance" in sec.tables and (Path(tmp) / "figures" / "power_assurance.png").is_file()
    assert any("80% assurance" in t for t in sec.text)


def _calibration_folder(folder, weights=(1.0, 1.0, 2.0)) -> None:
    folder.mkdir()
    (folder / "summary.json").write_text(json.dumps({
        "kind": "calibration", "name": "toy", "quick": True, "model": "simulation", "stopped": "budget",
        "simulations": 30, "parameters": [{"path": "funding.selection_noise", "name": "n", "kind": "float",
                                           "low": 0.1, "high": 2.0}]}))
    pd.DataFrame({"funding.selection_noise": [0.2, 0.4, 1.0], "weight": list(weights)}).to_csv(
        folder / "posterior.csv", index=False)
    pd.DataFrame([{"target": "application_success_rate", "role": "fitted", "figure": 0.24, "band_low": 0.16,
                   "band_high": 0.415, "before_median": 0.5, "before_low": 0.4, "before_high": 0.6,
                   "before_in_band": 0.0, "after_median": 0.25, "after_low": 0.2, "after_high": 0.3,
                   "after_in_band": 1.0},
                  {"target": "local_authority_share", "role": "held out", "figure": 0.89, "band_low": 0.8,
                   "band_high": 1.0, "before_median": 0.9, "before_low": 0.85, "before_high": 0.95,
                   "before_in_band": 1.0, "after_median": 0.9, "after_low": 0.85, "after_high": 0.95,
                   "after_in_band": 0.95}]).to_csv(folder / "check.csv", index=False)


def test_calibration_section_reads_posterior_and_checks(tmp_path):
    from experiments.report.calibration import HOW, section

    _calibration_folder(tmp_path / "cal")
    s = section(tmp_path, tmp_path / "cal")
    post, _ = s.tables["calibration_posterior"]
    row = post.iloc[0]
    # weights 1/4, 1/4, 1/2 on 0.2, 0.4, 1.0: the weighted median is 0.4, the 95% point 1.0
    assert (row["posterior_median"], row["posterior_5"], row["posterior_95"]) == (0.4, 0.2, 1.0)
    assert row["width_share_of_prior"] == pytest.approx(0.8 / 1.9)
    check, _ = s.tables["calibration_check"]
    assert list(check["target"]) == ["application_success_rate", "local_authority_share"]
    assert "1 of 1 fitted targets reach" in s.text[1] and "local_authority_share 95%" in s.text[1]
    for stem in ("calibration_posterior", "calibration_check"):
        assert (tmp_path / "figures" / f"{stem}.png").is_file()
    assert section(tmp_path, None).text == [HOW] and "alliance calibrate" in HOW


def test_a_bad_calibration_folder_is_named_with_what_was_expected(tmp_path, capsys):
    from experiments.cli import main

    _calibration_folder(tmp_path / "cal")
    (tmp_path / "cal" / "check.csv").write_text("target,figure\nx,1\n")
    code = main(["report", "--quick", "--calibration", str(tmp_path / "cal"), "--out", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert code == 2 and "cal/check.csv: expected columns ['role'" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "r").exists()  # refused before any run
    (tmp_path / "cal" / "check.csv").unlink()
    assert main(["report", "--quick", "--calibration", str(tmp_path / "cal"), "--out", str(tmp_path / "r")]) == 2
    assert "check.csv: expected a file written by alliance calibrate" in capsys.readouterr().err
