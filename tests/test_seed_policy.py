"""The seed policy (tests/helpers.py, docs/ODD.md 1.5): tests stay below the held-out block,
the paper's report draws from it."""

import pytest
from helpers import TEST_SEEDS, checked_seeds, outcomes, power_seeds

from experiments.report import sections


def test_the_held_out_block_follows_the_tests_seeds_and_the_full_report_reads_only_it():
    assert TEST_SEEDS.stop == sections.HELD_OUT.start
    cfg = sections.FULL
    n = max(cfg.reps, cfg.map_reps, cfg.design_seeds, cfg.horizon_reps, cfg.prim_points)
    assert set(sections.seeds_of(cfg, n)) <= set(sections.HELD_OUT)
    assert sections.seeds_of(sections.QUICK, 3) == [1, 2, 3]  # the quick build is not for publication
    with pytest.raises(ValueError, match="held-out seeds"):
        sections.held_out(len(sections.HELD_OUT) + 1)


def test_tests_cannot_read_the_held_out_block():
    assert checked_seeds(range(3)) == [0, 1, 2]
    with pytest.raises(ValueError, match="held out for the paper"):
        outcomes({}, [999, 1000])


def test_the_power_calculation():
    # 95% two-sided, 90% power: (1.960 + 1.282)^2 = 10.51 seeds per unit of (sd / effect)^2
    assert power_seeds(1.0, 1.0) == 11
    assert power_seeds(2.0, -0.5) == power_seeds(2.0, 0.5) == 169
