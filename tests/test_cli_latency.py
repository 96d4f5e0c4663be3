"""``alliance bench --latency`` (issue 8, items 5 and 7): the commands it times are the
issue's, and each line gives CPU and wall seconds, minimum and median, against its goal."""

from __future__ import annotations

from experiments.bench import command as bench


def test_latency_times_the_issue_commands_against_their_goals():
    assert [" ".join(a) for a in bench.LATENCY] == list(bench.LATENCY_GOAL_S)
    stats = {"cpu_s": {"min": 0.25, "median": 0.5}, "wall_s": {"min": 1.0, "median": 2.0}}
    lines = bench.latency_lines({"latency_s": {"--help": stats, "run baseline --reps 8": {
        **stats, "figures_wall_s": {"min": 3.0, "median": 4.0}}}})
    assert "CPU 0.25/0.50 s, wall 1.00/2.00 s (min/median); goal 0.5 s wall" in lines[1]
    assert lines[2].endswith("goal 1.5 s wall; figure in the folder after 3.00/4.00 s")
