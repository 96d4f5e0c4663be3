"""Issue 9, review 9c finding 8: survival, impact and cost per impact by project duration
(12, 24, 36, 60 months), on paired seeds.

    .venv/bin/python -m tests.measure_duration [--seeds 40] [--set key=value ...] [--save FILE]
    .venv/bin/python -m tests.measure_duration --compare BEFORE.json AFTER.json

The first form prints each duration's means (95% intervals) and can save the per-seed
outcomes; run it on two commits, then ``--compare`` prints the paired differences (after
minus before, same seeds) per duration.
"""

from __future__ import annotations

import argparse
import json
import tomllib

from tests.helpers import interval, outcomes

DURATIONS = (12, 24, 36, 60)
KEYS = ("alliance_survival", "abandonment_rate", "local_successes", "impact", "cost_per_impact")


def measure(seeds: range, extra: dict) -> dict[str, dict[str, list[float]]]:
    out = {}
    for d in DURATIONS:
        runs = outcomes({**extra, "time.project_duration_months": d}, seeds)
        out[str(d)] = {k: [r[k] for r in runs] for k in KEYS}
    return out


def cell(values) -> str:
    m, lo, hi = interval(values)
    return f"{m:.4g} [{lo:.4g}, {hi:.4g}]"


def levels(res: dict) -> str:
    lines = ["| months | " + " | ".join(KEYS) + " |", "|---" * (len(KEYS) + 1) + "|"]
    for d, row in res.items():
        lines.append(f"| {d} | " + " | ".join(cell(row[k]) for k in KEYS) + " |")
    return "\n".join(lines)


def compare(before: dict, after: dict) -> str:
    lines = ["| months | " + " | ".join(f"{k} (after - before)" for k in KEYS) + " |",
             "|---" * (len(KEYS) + 1) + "|"]
    for d in before:
        diffs = [[b - a for a, b in zip(before[d][k], after[d][k], strict=True)] for k in KEYS]
        lines.append(f"| {d} | " + " | ".join(
            "{:+.4g} [{:+.4g}, {:+.4g}]".format(*interval(x)) for x in diffs) + " |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=40)
    ap.add_argument("--set", action="append", default=[], help="key=value laid on every arm")
    ap.add_argument("--save", help="write the per-seed outcomes to this JSON file")
    ap.add_argument("--compare", nargs=2, metavar=("BEFORE", "AFTER"))
    a = ap.parse_args()
    if a.compare:
        before, after = (json.load(open(p)) for p in a.compare)
        print(compare(before, after))
        return
    extra = {}
    for kv in a.set:
        k, v = kv.split("=", 1)
        extra[k] = tomllib.loads(f"v = {v}")["v"]
    res = measure(range(a.seeds), extra)
    print(levels(res))
    if a.save:
        with open(a.save, "w") as f:
            json.dump(res, f)


if __name__ == "__main__":
    main()
