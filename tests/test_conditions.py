"""The conditions spec (experiments/conditions.toml) and its runner
(experiments/sensitivity/conditions.py): the shipped spec parses, bad input is one clear
error, the cell statistics say what they claim, and a tiny version runs end to end."""

from pathlib import Path

import numpy as np
import pytest

from experiments.io.errors import InputError
from experiments.sensitivity import conditions as cond

SPEC = Path(__file__).resolve().parent.parent / "experiments" / "conditions.toml"


def test_the_shipped_spec_parses_and_covers_the_review_s_grids():
    spec = cond.read_spec(SPEC)
    hump, ceiling, imposition = spec["hump"], spec["ceiling"], spec["imposition"]
    assert len(hump["grid"]["governance.rule"]) == 5
    assert len(hump["grid"]["constants.pull"]) >= 3 and len(hump["grid"]["constants.frame"]) >= 3
    assert set(ceiling["grid"]) == {"constants.attention", "constants.recognition_capacity"}
    from simulation.constants import BY_ID
    crowd = imposition["grid"]["constants.crowd_out"]
    assert min(crowd) == BY_ID["crowd_out"].low and max(crowd) == BY_ID["crowd_out"].high
    per_cell = {"hump": len(hump["steering"]), "ceiling": 2, "imposition": 2}
    expected = sum(len(cond.cells(spec[k]["grid"])) * per_cell[k] for k in cond.KINDS)
    assert len(cond.arms(spec)) == expected


@pytest.mark.parametrize(("text", "named"), [
    ("[hump]\nseeds = 3\nstep = 1\n", "hump.step"),
    ("[ceiling]\nseeds = 3\n[ceiling.grid]\n\"constants.attention\" = [0.5]\n", "attention"),
    ("[imposition]\nseeds = 1\n", "imposition.seeds"),
    ("[hump]\nsteering = [0.5, 0.0, 1.0]\n", "hump.steering"),
    ("first_seed = 1\n", "at least one of the sections"),
])
def test_bad_input_is_one_line_naming_the_key(tmp_path, text, named):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(InputError, match=named) as err:
        cond.read_spec(path)
    assert str(path) in str(err.value) and "\n" not in str(err.value)


def _runs(values: dict[str, list[float]]) -> dict[str, list[dict]]:
    return {arm: [{"impact": v} for v in vs] for arm, vs in values.items()}


def test_the_hump_needs_the_interior_to_beat_both_ends():
    rng = np.random.default_rng(0)
    noise = rng.normal(0, 0.1, 20)
    steering = [0.0, 0.5, 1.0]
    peaked = cond.hump_cell(_runs({"0": 1 + noise, "0.5": 2 + noise, "1": 1.5 + noise}), steering)
    assert peaked["hump"] and peaked["best_interior"] == 0.5
    rising = cond.hump_cell(_runs({"0": 1 + noise, "0.5": 2 + noise, "1": 3 + noise}), steering)
    assert not rising["hump"] and rising["shape"] == "rises"


def test_a_tiny_version_runs_end_to_end(tmp_path):
    path = tmp_path / "tiny.toml"
    path.write_text("""first_seed = 7
[hump]
seeds = 3
steering = [0.0, 0.5, 1.0]
[hump.grid]
"run.months" = [24]
"constants.pull" = [0.5, 1.0]
[ceiling]
seeds = 4
[ceiling.grid]
"run.months" = [60]
[imposition]
seeds = 3
[imposition.grid]
"run.months" = [24]
"constants.crowd_out" = [0.03]
""")
    spec = cond.read_spec(path)
    result = cond.run_conditions(spec, workers=1)
    assert result["runs"] == 3 * 2 * 3 + 4 * 2 + 3 * 2
    assert [r["cell"]["constants.pull"] for r in result["hump"]["cells"]] == [0.5, 1.0]
    assert result["ceiling"]["cells"][0]["successes_ratio"] > 0
    imposition = result["imposition"]["cells"][0]
    assert imposition["difference"][1] <= imposition["difference"][0] <= imposition["difference"][2]
    text = cond.markdown(result)
    assert "Hump present in" in text and "| 0.03 |" in text and "`crowd_out`" in text
    import json
    again = cond.run_conditions(spec, workers=1)  # same seeds, same answer (NaN-aware)
    assert json.dumps(again, default=float) == json.dumps(result, default=float)
