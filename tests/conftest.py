"""Test tiers (issue 8, item 8): the ``exhaustive`` marker.

Three tiers, by cost measured with ``pytest --durations=0`` on 2 cores:

- ``make test-fast`` (``-m "not slow and not exhaustive"``): the tests a developer runs after
  each change;
- ``make test`` (``-m "not exhaustive"``): adds the ``slow`` statistical and end-to-end tests;
- ``make test-all`` (no filter, what ``.ci/run`` runs): adds the ``exhaustive`` tests below,
  which hold most of the suite's time: the fuzzers at their full counts (their few-hundred-case
  versions stay in the fast tier), the browser tests of the demo and the ten-times-longer
  sweeps that check memory stays flat.

The exhaustive tests are named here, in one place, rather than marked in each file (some
belong to other rooms: the demo's tests). A pattern that no longer matches any collected
test fails the run, so a renamed test cannot silently leave the CI tier.
"""

from __future__ import annotations

import fnmatch

import pytest

#: Node-id patterns (``fnmatch``) of the exhaustive tests.
EXHAUSTIVE = (
    "tests/test_fuzz.py::*[[]full]",             # 10,030 CLI cases
    "tests/test_fuzz_demo.py::*[[]full]",        # 14,000 demo cases
    "tests/test_demo_browser.py::*",             # Chromium through Playwright
    "tests/test_reliability_sweeps.py::test_a_ten_times_longer_design_keeps_its_memory_flat_and_resumes",
    "tests/test_reliability_sweeps.py::test_ten_times_more_replications_keep_the_run_memory_flat",
    "tests/test_observations.py::test_5_fiercer_competition_lowers_cooperation_among_associations",  # 2,080 runs
    # 1,200 runs (600 seeds, which its effect needs: 200 do not show it), 14.6 s of CPU, the
    # costliest statistical test of `make test` in session 22 (TEST_CPU)
    "tests/test_institutions.py::test_a_stop_answers_failing_work_not_a_partners_mood",
    # interval coverage over 16 noisy replicates, 20 s of CPU; its 4-replicate case stays in make test
    "tests/test_sensitivity_coverage.py::test_noisy_ishigami_intervals_cover_the_true_indices_and_noise_share[[]16]",
    # the sensitivity pipeline's power check (its stated power, measured over replicate designs), 32 s of CPU
    "tests/test_sensitivity_coverage.py::test_an_effect_of_the_stated_detectable_size_is_detected_at_the_stated_power",
)


@pytest.hookimpl(tryfirst=True)  # before -m deselects
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    unmatched = set(EXHAUSTIVE)
    whole_files = (not config.getoption("keyword") and not config.getoption("markexpr")
                   and not any("::" in a for a in config.args))
    for item in items:
        for pattern in EXHAUSTIVE:
            if fnmatch.fnmatchcase(item.nodeid, pattern):
                item.add_marker(pytest.mark.exhaustive)
                item.add_marker(pytest.mark.slow)
                unmatched.discard(pattern)
    files = {item.nodeid.split("::")[0] for item in items}
    stale = [p for p in unmatched if p.split("::")[0] in files]
    if stale and whole_files:
        raise pytest.UsageError(f"tests/conftest.py: EXHAUSTIVE patterns match no test: {', '.join(sorted(stale))}")


@pytest.fixture(autouse=True)
def _figures_drawn_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands called in the test process draw their figures before returning, as with
    ``--figures-now``, rather than leaving a detached process per test; tests/test_cli.py runs
    the detached one through the real command."""
    from experiments.io import figures

    monkeypatch.setattr(figures, "draw_in_background", figures.draw)


def pytest_configure(config: pytest.Config) -> None:
    """In the controlling process only (not in xdist workers, which would race on the files):
    drop numba's cache when the model's sources changed since it was written, so a `pytest`
    called without `make compiled` first never runs stale compiled kernels (an edit of a
    submodel file is otherwise invisible: numba keys each kernel on its own file only)."""
    if not hasattr(config, "workerinput"):
        from experiments.execution.compiled import ensure_fresh_cache

        ensure_fresh_cache()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    """With TEST_CPU=path, append each test's CPU seconds (setup, call and teardown: this
    process's threads, plus the subprocesses that ended meanwhile; a process pool kept for later
    tests is not counted) and tier to ``path``: the cost the
    ``slow`` marker follows, readable on a loaded machine where ``--durations`` (wall) is not.
    ``sort -rn path | head -30`` lists the costliest; docs/DEVELOPING.md says which tier fits."""
    import os
    import resource
    import time

    def cpu() -> float:
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return time.process_time() + children.ru_utime + children.ru_stime

    target = os.environ.get("TEST_CPU")
    start = cpu()
    yield
    if target:
        tier = ("exhaustive" if item.get_closest_marker("exhaustive")
                else "slow" if item.get_closest_marker("slow") else "fast")
        with open(target, "a", encoding="utf-8") as out:
            out.write(f"{cpu() - start:.3f}\t{tier}\t{item.nodeid}\n")
