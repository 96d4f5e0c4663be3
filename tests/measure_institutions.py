"""Issue 9, item 6: what each power-sharing rule and each funding regime does, over 40 paired
seeds, against the default (proportional rule, competitive calls): impact, survival,
engagement (the overruled partners' frustration lowers it), who holds the money (share of
association grants held by the top 2%, small associations funded) and the time and staff
that deciding costs (initiatives lost before agreement, associations' application burden).

    .venv/bin/python -m tests.measure_institutions [--seeds 40] [--months 120]

Prints one markdown table (mean paired difference and 95% interval). Run it on two commits
to compare before and after a change of the model.
"""

from __future__ import annotations

import argparse
import tomllib

from tests.helpers import interval, outcomes

KEYS = ("impact", "alliance_survival", "engagement", "alliances_formed", "initiatives_unpartnered",
        "grant_concentration_top2", "small_associations_funded", "admin_burden")
ARMS = ([("governance.rule", r) for r in ("macro_led", "equal", "subsidiarity", "arranger")]
        + [("funding.regime", r) for r in ("pooled_fund", "direct_link", "mixed")])


def table(seeds: range, months: int, extra: dict | None = None) -> str:
    base = {"run.months": months, **(extra or {})}
    ref = outcomes(base, seeds)
    lines = ["| change | " + " | ".join(KEYS) + " |", "|---" * (len(KEYS) + 1) + "|",
             "| default (level) | " + " | ".join(
                 f"{sum(r[k] for r in ref) / len(ref):.3g}" for k in KEYS) + " |"]
    for key, value in ARMS:
        arm = outcomes({**base, key: value}, seeds)
        cells = []
        for k in KEYS:
            m, lo, hi = interval([b[k] - a[k] for a, b in zip(ref, arm, strict=True)])
            cells.append(f"{m:+.3g} [{lo:+.3g}, {hi:+.3g}]")
        lines.append(f"| {key} = {value} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=40)
    ap.add_argument("--months", type=int, default=120)
    ap.add_argument("--set", action="append", default=[], help="key=value laid on every arm")
    a = ap.parse_args()
    extra = {}
    for kv in a.set:
        k, v = kv.split("=", 1)
        extra[k] = tomllib.loads(f"v = {v}")["v"] if v not in ("", None) else v
    print(table(range(a.seeds), a.months, extra))


if __name__ == "__main__":
    main()
